"""How every SQLite store opens its file: one connection factory, with a schema version per store.

The server keeps keys, suggestions and jobs in one file (``tomtat.db``) and the result cache in its
own, so a file's ``PRAGMA user_version`` cannot say which store's schema it holds: each store's version
is a row of ``schema_versions``. A store is a list of migrations; opening it applies those past the
recorded version, in one write transaction (two processes opening the same file do not apply a step
twice), and refuses a file written by a newer tomtat instead of guessing at its tables.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

Migration = str | Callable[[sqlite3.Connection], None]  # an SQL script, or a step that needs to look first

VERSIONS = "CREATE TABLE IF NOT EXISTS schema_versions (store TEXT PRIMARY KEY, version INTEGER NOT NULL)"


class NewerSchemaError(RuntimeError):
    def __init__(self, path: Path, store: str, found: int, known: int) -> None:
        super().__init__(
            f"{path}: its {store} tables are at schema version {found}, this tomtat knows {known}; "
            "use the newer tomtat that wrote it, or another data folder"
        )


def connect(path: str | Path, store: str, migrations: Sequence[Migration], wal: bool = False) -> sqlite3.Connection:
    """A connection shared across threads (each store guards it with its own lock), in autocommit,
    with ``store``'s migrations applied up to the newest; the folder is made if missing. ``wal``: readers
    do not wait for a writer (the jobs and the cache, written while they are read)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute(VERSIONS)
    connection.execute("BEGIN IMMEDIATE")  # one process migrates at a time; the others then see its version
    try:
        row = connection.execute("SELECT version FROM schema_versions WHERE store = ?", (store,)).fetchone()
        version = row[0] if row else 0
        if version > len(migrations):
            raise NewerSchemaError(path, store, version, len(migrations))
        for step in migrations[version:]:
            if callable(step):
                step(connection)
            else:
                for statement in _statements(step):
                    connection.execute(statement)
        if version < len(migrations):
            connection.execute("INSERT OR REPLACE INTO schema_versions VALUES (?, ?)", (store, len(migrations)))
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        connection.close()
        raise
    return connection


def schema_version(connection: sqlite3.Connection, store: str) -> int:
    row = connection.execute("SELECT version FROM schema_versions WHERE store = ?", (store,)).fetchone()
    return int(row[0]) if row else 0


def _statements(script: str) -> list[str]:
    """An SQL script as statements (``executescript`` would commit the migration's transaction)."""
    statements, start = [], 0
    for end, char in enumerate(script, 1):
        if char == ";" and sqlite3.complete_statement(script[start:end]):  # not a ";" inside a string
            statements.append(script[start:end].strip())
            start = end
    if script[start:].strip():
        statements.append(script[start:].strip())
    return statements


def add_missing_columns(table: str, columns: Sequence[str]) -> Migration:
    """A step for files from before a table had ``columns`` (TEXT): added where missing."""

    def step(connection: sqlite3.Connection) -> None:
        present = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        for column in columns:
            if column not in present:
                connection.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")

    return step
