"""The app's own middleware, as plain ASGI: Starlette's ``@app.middleware("http")`` wraps the request's
``receive`` so that a route never sees its client leave (``request.is_disconnected()`` stays False),
and the server would then run work nobody waits for. These pass ``receive`` through untouched."""

from __future__ import annotations

import time
from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tomtat.service.api.errors import is_libretranslate
from tomtat.service.metrics import Metrics

PREFLIGHT_MAX_AGE = str(60 * 60 * 24 * 20)


class RequestMetrics:
    """Counts and times every HTTP request by route template and status."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = "500"  # unless a response starts

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = str(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_counted)
        finally:
            endpoint = getattr(scope.get("route"), "path", "unmatched")  # the router writes the route into scope
            self.metrics.requests.labels(endpoint, status).inc()
            self.metrics.latency.labels(endpoint, status).observe(time.perf_counter() - started)


class LibreTranslateCors:
    """LibreTranslate answers browsers (extensions, web pages) on its routes: CORS headers and
    preflight there, as configured (``TOMTAT_LT_CORS_ORIGINS``, default any); ``/v1`` is not touched."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_libretranslate(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        origin = request_headers.get("origin")
        allowed = "*" if "*" in self.origins else origin if origin in self.origins else None

        def add_cors(headers: MutableHeaders) -> None:
            if allowed is None:
                return
            headers["Access-Control-Allow-Origin"] = allowed
            headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            headers["Access-Control-Expose-Headers"] = "Authorization"
            headers["Access-Control-Allow-Methods"] = "GET, POST"
            headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
            if allowed != "*":
                headers["Vary"] = "Origin"

        if scope["method"] == "OPTIONS" and request_headers.get("access-control-request-method"):
            preflight = MutableHeaders(headers={"Allow": "GET, POST, OPTIONS", "Content-Length": "0"})
            add_cors(preflight)
            await send({"type": "http.response.start", "status": 204, "headers": preflight.raw})
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_cors(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_cors)
