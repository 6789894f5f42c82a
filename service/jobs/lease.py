"""One job runner per data directory: an exclusive ``flock`` on a file beside the job store.

Two servers started on one data directory (a blue/green deploy, a second replica on a shared volume)
both accept jobs into the one SQLite file, but only the lease holder runs them, so no record is
summarized twice; the other tries again now and then and takes over when the holder stops. The
kernel drops the lock when its process dies (``kill -9`` included), so a lease is never left stale.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class RunnerLease:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lease if no other process holds it; True while this process holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())  # who holds it, for a person looking
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
