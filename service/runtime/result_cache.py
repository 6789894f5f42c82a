"""An opt-in cache of summaries across requests and runs: the same article posted again, or met again
in the next archive run, is answered from SQLite instead of the model.

The key is everything the answer depends on: the summarizer (model name and its registry conventions:
prefix, end token, card decoding), the decoding options or sentence budget of the plan, the
translation model and language when the summary is translated, and the article's text (hashed). Size
is bounded: past ``max_entries`` the least recently used entries go. Replacing a checkpoint's weights
under the same name is the one change the key cannot see: delete the cache file then.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tomtat import __version__
from tomtat.models.registry import REGISTRY
from tomtat.models.summarizer import Summary
from tomtat.service.database import connect
from tomtat.service.runtime.keys import SummaryPlan

FORMAT = 1  # bump when what is stored changes shape
SCHEMA = """
CREATE TABLE IF NOT EXISTS summaries (key BLOB PRIMARY KEY, value TEXT NOT NULL, used INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS summaries_by_use ON summaries (used);
"""

Cached = tuple[Summary, str | None]  # the summary and its translation (None when none was asked)


class ResultCache:
    def __init__(self, path: str | Path, max_entries: int = 100_000) -> None:
        self.path = Path(path)
        self.max_entries = max_entries
        self.hits = self.misses = 0
        self._lock = threading.Lock()
        self._db = connect(self.path, "result_cache", [SCHEMA], wal=True)
        self._clock = self._db.execute("SELECT COALESCE(MAX(used), 0) FROM summaries").fetchone()[0]
        self._size = self._db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __len__(self) -> int:
        return int(self._size)

    @staticmethod
    def keys(plan: SummaryPlan, translation: str | None, texts: Sequence[str]) -> list[bytes]:
        """One key per text: ``translation`` names the translating model and target ("envit5>en")."""
        checkpoint = REGISTRY.get(plan.worker)
        conventions = (  # prefix, end token, card decoding per task, trained input length: reprs of plain values
            repr((sorted((str(task), repr(c)) for task, c in checkpoint.tasks.items()), checkpoint.max_input_tokens))
            if checkpoint
            else f"tomtat {__version__}"  # the extractive and lead engines are code: their version is tomtat's
        )
        context = json.dumps([FORMAT, plan.worker, conventions, plan.to_json()["key"], translation])
        return [hashlib.blake2b(f"{context}\0{text}".encode(), digest_size=20).digest() for text in texts]

    def get(self, keys: Sequence[bytes]) -> dict[bytes, Cached]:
        """The entries found (each marked as just used); counts hits and misses."""
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        with self._lock:
            rows = self._db.execute(f"SELECT key, value FROM summaries WHERE key IN ({marks})", list(keys)).fetchall()
            if rows:
                self._clock += 1
                self._db.execute(f"UPDATE summaries SET used = ? WHERE key IN ({marks})", [self._clock, *keys])
        found = {bytes(key): _decode(value) for key, value in rows}
        self.hits += len(found)
        self.misses += len(keys) - len(found)
        return found

    def put(self, entries: dict[bytes, Cached]) -> None:
        if not entries:
            return
        with self._lock:
            self._clock += 1
            self._db.execute("BEGIN")
            for key, value in entries.items():
                inserted = self._db.execute(
                    "INSERT OR REPLACE INTO summaries (key, value, used) VALUES (?, ?, ?)",
                    (key, _encode(value), self._clock),
                )
                self._size += inserted.rowcount
            if self._size > self.max_entries:  # least recently used first
                excess = self._size - self.max_entries
                self._db.execute(
                    "DELETE FROM summaries WHERE key IN (SELECT key FROM summaries ORDER BY used LIMIT ?)", (excess,)
                )
                self._size = self._db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0]
            self._db.execute("COMMIT")


def _encode(value: Cached) -> str:
    summary, translated = value
    return json.dumps({"summary": asdict(summary), "translated": translated}, ensure_ascii=False)


def _decode(text: str) -> Cached:
    data: dict[str, Any] = json.loads(text)
    return Summary(**data["summary"]), data["translated"]
