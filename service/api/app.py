"""The app factory: ``create_app(settings)`` builds a fresh app, so tests can build their own."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from tomtat.service.api.auth import Guard, KeyStore
from tomtat.service.api.errors import BodySizeLimit, install_error_handlers
from tomtat.service.api.openapi import install_openapi
from tomtat.service.api.routers import jobs, libretranslate, ops, summarize, translate
from tomtat.service.jobs.store import JobRunner, JobStore
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.pool import Engines
from tomtat.service.settings import Settings

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = Metrics()
    engines = Engines(settings, metrics)

    store = JobStore(settings.data_dir / "tomtat.db")
    guard = Guard(KeyStore(settings.data_dir / "tomtat.db"), settings.require_api_keys, settings.metrics_token)
    runner = JobRunner(store, engines, chunk=settings.max_batch_size)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await engines.start()
        runner.start()  # resumes jobs a previous process left queued or running
        yield
        await runner.stop(grace=settings.shutdown_grace_seconds)
        await engines.stop()
        store.close()

    app = FastAPI(
        title="tomtat",
        description="Vietnamese news summarization (ViT5) and Vietnamese-English translation (envit5)",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engines = engines
    app.state.job_store = store
    app.state.job_runner = runner
    app.state.guard = guard
    install_error_handlers(app)
    install_openapi(app, settings)
    for router in (summarize.router, translate.router, jobs.router, libretranslate.router, ops.router):
        app.include_router(router)

    @app.middleware("http")
    async def count_requests(request: Request, call_next) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        endpoint = getattr(route, "path", "unmatched")
        metrics.requests.labels(endpoint, str(response.status_code)).inc()
        metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
