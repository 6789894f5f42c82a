"""One error shape for every failure, ``{"error": {"code", "message", "field"}}``, and the body-size guard."""

from __future__ import annotations

import asyncio
import json
import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tomtat.models.errors import (
    CheckpointNotFoundError,
    InputError,
    ModelUnavailableError,
    TomtatError,
    UnknownModelError,
    UnsupportedTaskError,
)
from tomtat.models.text import clean_surrogates
from tomtat.service.runtime.batch_worker import QueueFullError

log = logging.getLogger("tomtat.service")


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        retry_after: int | None = None,
        choices: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field, self.retry_after = status, code, message, field, retry_after
        self.choices = choices  # the values the field could take (e.g. an uploaded file's fields)


class LibreTranslateError(Exception):
    """An ``ApiError`` raised on a LibreTranslate route: answered in LibreTranslate's shape."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


def api_error_of(error: TomtatError) -> ApiError:
    """The HTTP answer for a model-layer or runtime error."""
    if isinstance(error, InputError):
        return ApiError(422, error.code, str(error), error.field)
    if isinstance(error, UnknownModelError):
        return ApiError(422, "unknown_model", str(error), "model")
    if isinstance(error, UnsupportedTaskError):
        return ApiError(422, "unsupported_task", str(error), error.field)
    if isinstance(error, ModelUnavailableError):
        return ApiError(503, "model_unavailable", str(error), error.field, error.retry_after)
    if isinstance(error, CheckpointNotFoundError):
        return ApiError(503, "model_unavailable", str(error))
    log.exception("model layer error", exc_info=error)
    return ApiError(503, "model_unavailable", str(error))


# LibreTranslate's routes: every error on them, 404/405/413/415 included, in its shape
LT_PATHS = frozenset(
    {"/translate", "/detect", "/languages", "/health", "/frontend/settings", "/spec", "/translate_file", "/suggest"}
)


def is_libretranslate(path: str) -> bool:
    return path in LT_PATHS or path.startswith("/download_file/")


def lt_error_response(error: ApiError) -> JSONResponse:
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    status = 400 if error.status == 422 else error.status
    return JSONResponse({"error": clean_surrogates(error.message)}, status_code=status, headers=headers)


def error_body(
    code: str, message: str, field: str | None = None, choices: list[str] | None = None
) -> dict[str, object]:
    """The ``error`` object of every JSON error answer (and of a stream's ``error`` event)."""
    field = clean_surrogates(field) if field else field
    error: dict[str, object] = {"code": code, "message": clean_surrogates(message), "field": field}
    if choices is not None:
        error["choices"] = [clean_surrogates(choice) for choice in choices]
    return error


def queue_full_error(error: QueueFullError) -> ApiError:
    return ApiError(429, "overloaded", str(error), retry_after=error.retry_after)


def error_response(
    status: int,
    code: str,
    message: str,
    field: str | None = None,
    retry_after: int | None = None,
    choices: list[str] | None = None,
) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse({"error": error_body(code, message, field, choices)}, status_code=status, headers=headers)


def _field(loc: tuple[object, ...]) -> str | None:
    """``("body", "texts", 3)`` -> ``texts[3]``; pydantic's union branch names are dropped."""
    parts: list[str] = []
    for item in loc[1:] if loc and loc[0] in ("body", "query", "path") else loc:
        if isinstance(item, int):
            if parts:
                parts[-1] += f"[{item}]"
        elif item not in ("str", "Document", "function-after[_one_of()]") and not str(item).startswith("function-"):
            parts.append(str(item))
    return ".".join(parts) or None


def _allowed_methods(request: Request, error: StarletteHTTPException) -> list[str]:
    """Every method of every documented route on this path (Starlette names only the first route's)."""
    methods = {m.strip() for m in (error.headers or {}).get("Allow", "").split(",") if m.strip()}
    for template, operations in request.app.openapi()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}/]+\}", "[^/]+", template), request.url.path):
            methods |= {m.upper() for m in operations} | ({"HEAD"} if "get" in operations else set())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, error: ApiError) -> JSONResponse:
        return error_response(error.status, error.code, error.message, error.field, error.retry_after, error.choices)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request", "type": "invalid"}
        field = _field(tuple(first.get("loc", ())))
        message = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
        code = "invalid_json" if first.get("type") == "json_invalid" else "invalid_request"
        return error_response(422, code, f"{field}: {message}" if field else message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {400: "invalid_body", 404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        if is_libretranslate(request.url.path):
            response = lt_error_response(ApiError(error.status_code, code, str(error.detail)))
        else:
            response = error_response(error.status_code, code, str(error.detail))
        response.headers.update(error.headers or {})
        if error.status_code == 405:  # RFC 9110: every method the path has, not just its first route's
            response.headers["Allow"] = ", ".join(_allowed_methods(request, error))
        return response

    @app.exception_handler(QueueFullError)
    async def _full(_: Request, error: QueueFullError) -> JSONResponse:
        full = queue_full_error(error)
        return error_response(full.status, full.code, full.message, retry_after=full.retry_after)

    @app.exception_handler(TomtatError)
    async def _model_layer(_: Request, error: TomtatError) -> JSONResponse:
        answer = api_error_of(error)
        return error_response(answer.status, answer.code, answer.message, answer.field, answer.retry_after)

    @app.exception_handler(LibreTranslateError)
    async def _libretranslate(_: Request, error: LibreTranslateError) -> JSONResponse:
        return lt_error_response(error.error)


UPLOAD_PATHS = frozenset({"/v1/uploads", "/v1/jobs"})  # archive files, streamed to disk: their own limit


class BodySizeLimit:
    """Refuse bodies over ``max_bytes`` with 413 before anything parses them (Content-Length or streamed);
    a multipart archive upload to a job has ``max_upload_bytes`` instead (it is streamed to disk). A
    body that stops arriving for ``stall_seconds`` is answered 408 (uvicorn has no body read timeout:
    a client that sends 60 bytes of a promised 10 MB would otherwise hold its request forever)."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int, stall_seconds: float = 60.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes
        self.stall_seconds = stall_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        declared = headers.get(b"content-length")
        libretranslate = is_libretranslate(str(scope.get("path", "")))
        upload = scope.get("path") in UPLOAD_PATHS and headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_upload_bytes if upload else self.max_bytes
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(send, libretranslate, limit)
            return
        received = 0
        response_started = False
        body_done = False
        answered = False  # this middleware answered (a stalled body): the app's own answer is dropped

        async def limited_receive() -> Message:
            nonlocal received, body_done, answered
            if body_done:  # later calls wait for the client's disconnect (a stream's whole length)
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), timeout=self.stall_seconds)
            except TimeoutError:
                # answered here: the framework turns an error raised while it reads a body into a 400
                if not response_started and not answered:
                    stalled = f"the request body stopped arriving for {self.stall_seconds:g} s"
                    await self._refuse(send, libretranslate, limit, 408, "body_timeout", stalled)
                answered = True
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if answered:
                return
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not response_started:
                await self._refuse(send, libretranslate, limit)

    async def _refuse(
        self,
        send: Send,
        libretranslate: bool,
        limit: int,
        status: int = 413,
        code: str = "body_too_large",
        message: str | None = None,
    ) -> None:
        message = message or f"request body over {limit} bytes"
        error = message if libretranslate else {"code": code, "message": message, "field": None}
        body = json.dumps({"error": error}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
