"""The server's one SQLite file (keys, suggestions, jobs): how each store opens it."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: str | Path, schema: str) -> sqlite3.Connection:
    """A connection shared across threads (each store guards it with its own lock), in autocommit,
    with ``schema`` (``CREATE ... IF NOT EXISTS``) applied; the folder is made if missing."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
    connection.executescript(schema)
    return connection
