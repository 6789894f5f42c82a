"""Translated files waiting to be downloaded: random names (a name sent by a client is never a path),
kept ``ttl_seconds``, then deleted."""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

NAME = re.compile(r"^[0-9a-f]{32}\.[A-Za-z0-9_-]{1,80}\.[a-z]{2,5}$")


class TranslatedFiles:
    def __init__(self, directory: Path, ttl_seconds: int) -> None:
        self.directory = directory
        self.ttl_seconds = ttl_seconds

    def save(self, data: bytes, original_name: str, target: str, extension: str) -> str:
        """Store ``data``; the download name keeps a cleaned stem of the original and the target language."""
        self.expire()
        self.directory.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(original_name).stem).strip("-")[:60] or "document"
        name = f"{uuid.uuid4().hex}.{stem}-{target}{extension}"
        (self.directory / f".{name}.part").write_bytes(data)
        (self.directory / f".{name}.part").rename(self.directory / name)  # complete or absent
        return name

    def path(self, name: str) -> Path | None:
        """The stored file called ``name``, if the name is one this store gave out and it has not expired."""
        self.expire()
        if not NAME.match(name):
            return None
        path = self.directory / name
        return path if path.is_file() else None

    def expire(self) -> None:
        if not self.directory.is_dir():
            return
        cutoff = time.time() - self.ttl_seconds
        for path in self.directory.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
            except FileNotFoundError:
                pass
