"""Server-sent events for ``/v1/summarize`` and ``/v1/translate`` with ``"stream": true`` (or
``Accept: text/event-stream``): text as the model generates it, then each result, then the end.

Events (``data`` is one line of JSON; the format a browser ``EventSource``-style reader and ``httpx-sse``
read):

- ``token``: ``{"index", "id", "text", "stage"}`` — text to append to document ``index``'s output;
  ``stage`` is ``final`` for the output itself, else the pass of a chunked article it belongs to
  (``round 1, part 2 of 5``);
- ``result``: ``{"index", "result"}`` — the document's whole result, exactly as the JSON answer gives it
  (flags included; an ``error`` in its slot for a text that could not be processed);
- ``error``: ``{"error": {code, message, field}}`` — the request failed after the stream began;
- ``done``: ``{"results": n}`` — the last event.

The ``final`` deltas of a document add up to exactly its result's text. A client that goes away stops
its share of the work: its pieces not yet in the model are dropped, and CTranslate2 stops decoding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from tomtat.models.errors import TomtatError
from tomtat.models.streaming import Delta, OnDelta
from tomtat.service.api.errors import ApiError, api_error_of, error_body, queue_full_error
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.batch_worker import QueueFullError

EVENT_STREAM = "text/event-stream"


def wants_stream(request: Request, asked: bool) -> bool:
    """``"stream": true`` in the body, or an ``Accept`` that names only the event stream."""
    accept = request.headers.get("accept", "")
    return asked or (EVENT_STREAM in accept and "application/json" not in accept)


def _as_api_error(error: ApiError | TomtatError | QueueFullError) -> ApiError:
    if isinstance(error, ApiError):
        return error
    if isinstance(error, QueueFullError):
        return queue_full_error(error)
    return api_error_of(error)


def _event(name: str, payload: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n"


def event_stream(
    work: Callable[[OnDelta], Awaitable[Sequence[BaseModel]]], ids: list[str], metrics: Metrics
) -> StreamingResponse:
    """Run ``work`` (which reports deltas to the callback it is given) and stream what it produces."""
    queue: asyncio.Queue[Delta] = asyncio.Queue()

    async def events() -> AsyncIterator[str]:
        task = asyncio.ensure_future(work(queue.put_nowait))
        finished = False
        try:
            while not task.done() or not queue.empty():
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, task}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    continue
                delta = getter.result()
                token = {"index": delta.index, "id": ids[delta.index], "text": delta.text, "stage": delta.stage}
                yield _event("token", token)
            try:
                results = task.result()
            except (ApiError, TomtatError, QueueFullError) as error:
                failure = _as_api_error(error)
                yield _event("error", {"error": error_body(failure.code, failure.message, failure.field)})
                finished = True
                return
            for index, result in enumerate(results):
                yield _event("result", {"index": index, "result": result.model_dump(mode="json")})
            yield _event("done", {"results": len(results)})
            finished = True
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            if not finished:
                metrics.streams_left.inc()

    return StreamingResponse(
        events(), media_type=EVENT_STREAM, headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    )
