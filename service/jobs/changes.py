"""Wakes whoever follows a job (its event stream) when the store writes it, from any thread: the
stream waits for a change instead of polling the database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator


class JobChanges:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._followers: dict[str, set[asyncio.Event]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The loop the followers wait on (the server's, once it runs)."""
        self._loop = loop

    def notify(self, job_id: str) -> None:
        """Called by the store after a write to ``job_id`` (from a worker thread or the loop)."""
        if self._loop is not None and job_id in self._followers:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is following
                self._loop.call_soon_threadsafe(self._wake, job_id)

    def _wake(self, job_id: str) -> None:
        for event in self._followers.get(job_id, ()):
            event.set()

    @contextlib.contextmanager
    def follow(self, job_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever the job changes; clear it before reading the job, so a write that
        lands between the read and the wait is not missed."""
        event = asyncio.Event()
        self._followers.setdefault(job_id, set()).add(event)
        try:
            yield event
        finally:
            followers = self._followers.get(job_id, set())
            followers.discard(event)
            if not followers:
                self._followers.pop(job_id, None)
