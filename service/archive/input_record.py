"""One record of an archive as any reader yields it (a leaf module: the readers of every format share it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class InputRecord:
    id: str
    text: str | None
    error: tuple[str, str] | None = None  # (code, message) for a record that could not be read
    meta: dict[str, Any] | None = None  # kept in its result: a web page's url, title and date
    skipped: str | None = None  # why a crawl's capture is not a record at all (not a page, superseded)
