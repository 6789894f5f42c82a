"""What jobs may keep on disk: a limit per API key and one for the server, in bytes of stored input
texts, results and uploaded files not yet read. Checked as a job's records go in (a chunk at a time)
and before an upload is kept, so a full disk is a clear refusal, never a server that stops writing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PURGE_HINT = "delete finished jobs (DELETE /v1/jobs/ID?purge=true) to make room"


@dataclass(frozen=True)
class StorageLimits:
    per_key: int | None = None  # None: no limit
    total: int | None = None


class StorageFull(Exception):
    """Storing more would pass the key's limit (``scope="key"``) or the server's (``"server"``)."""

    def __init__(self, scope: Literal["key", "server"], limit: int) -> None:
        self.scope = scope
        self.limit = limit
        if scope == "key":
            message = f"this key's jobs may store at most {limit:,} bytes; {PURGE_HINT}"
        else:
            message = f"the server's job storage is full ({limit:,} bytes); retry later or ask its operator"
        super().__init__(message)


def check(limits: StorageLimits, used_by_owner: int, used_in_total: int, adding: int) -> None:
    """Raise ``StorageFull`` if ``adding`` bytes would pass a limit (the key's is named first)."""
    if limits.per_key is not None and used_by_owner + adding > limits.per_key:
        raise StorageFull("key", limits.per_key)
    if limits.total is not None and used_in_total + adding > limits.total:
        raise StorageFull("server", limits.total)
