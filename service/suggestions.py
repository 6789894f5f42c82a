"""Corrections sent to LibreTranslate's ``/suggest``: stored in the server's SQLite file, exported by
``tomtat suggestions export`` as a parallel corpus a newsroom can fine-tune on."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from tomtat.service.database import connect

SCHEMA = """
CREATE TABLE IF NOT EXISTS suggestions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    key_id TEXT,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    original TEXT NOT NULL,
    suggestion TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Suggestion:
    source: str
    target: str
    original: str  # the text that was translated (LibreTranslate's ``q``)
    suggestion: str  # the translation the person proposes (``s``)
    created: float = 0.0
    key_id: str | None = None


class SuggestionStore:
    def __init__(self, path: str | Path) -> None:
        self._db = connect(path, "suggestions", [SCHEMA])
        self._lock = threading.Lock()

    def add(self, suggestion: Suggestion) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO suggestions (created, key_id, source, target, original, suggestion)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    suggestion.created or time.time(),
                    suggestion.key_id,
                    suggestion.source,
                    suggestion.target,
                    suggestion.original,
                    suggestion.suggestion,
                ),
            )

    def all(self) -> Iterator[Suggestion]:
        """Every suggestion, oldest first (read in pages: the table may be large)."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, source, target, original, suggestion, created, key_id FROM suggestions"
                    " WHERE id > ? ORDER BY id LIMIT 1000",
                    (last,),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield Suggestion(*row[1:])
            last = rows[-1][0]

    def close(self) -> None:
        self._db.close()


def export_lines(suggestions: Iterator[Suggestion], fmt: str) -> Iterator[str]:
    """``tsv``: source language, target language, original, suggestion (tabs and newlines in the texts
    written as spaces); ``jsonl``: one object per suggestion."""
    if fmt == "tsv":
        for s in suggestions:
            fields = (s.source, s.target, s.original, s.suggestion)
            yield "\t".join(" ".join(f.split()) for f in fields)
    else:
        for s in suggestions:
            yield json.dumps(asdict(s), ensure_ascii=False)
