"""uvicorn's HTTP/1.1 protocol with a deadline for each request's header.

uvicorn has none: a client that opens a connection and sends half a header (or nothing) holds it for
as long as it likes, and 3,000 such connections were held forever. Here a connection whose next request
header has not arrived ``seconds`` after it opened, or after its last response ended, is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


def header_deadline_protocol(seconds: float) -> type[H11Protocol]:
    """The protocol class for ``uvicorn.run(http=...)``."""

    class HeaderDeadlineProtocol(H11Protocol):
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()  # a keep-alive connection: the next header has the same deadline

        def handle_events(self) -> None:
            before: Any = self.cycle
            super().handle_events()
            if self.cycle is not before:  # a whole request header arrived: the request runs
                self._disarm()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(seconds, self._expired)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expired(self) -> None:
            self._deadline = None
            if not self.transport.is_closing():
                self.transport.close()

    return HeaderDeadlineProtocol
