"""The app factory: ``create_app(settings)`` builds a fresh app, so tests can build their own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from tomtat import __version__
from tomtat.service.api.auth import Guard, KeyStore, caller
from tomtat.service.api.errors import BodySizeLimit, install_error_handlers
from tomtat.service.api.middleware import LibreTranslateCors, RequestMetrics
from tomtat.service.api.openapi import install_openapi
from tomtat.service.api.routers import check, extract, jobs, libretranslate, ops, summarize, translate
from tomtat.service.jobs.changes import JobChanges
from tomtat.service.jobs.runner import JobRunner
from tomtat.service.jobs.storage import StorageLimits
from tomtat.service.jobs.store import JobStore
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.cpu_work import CpuWork
from tomtat.service.runtime.gateway import WorkerGateway
from tomtat.service.runtime.pool import ModelPool
from tomtat.service.runtime.result_cache import ResultCache
from tomtat.service.settings import Settings

STATIC = Path(__file__).parent / "static"
# every API router needs the caller's key (when keys are required); these are the only open routes:
# /healthz, /readyz, /metrics (its own token), the page at / with its /static files and favicon, the API docs
API_ROUTERS = (summarize.router, translate.router, check.router, extract.router, jobs.router, ops.router)
OPEN_ROUTERS = (ops.open_router, libretranslate.open_router)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    metrics = Metrics()
    pool = ModelPool(settings, metrics)
    cache = (
        ResultCache(settings.data_dir / "result-cache.db", settings.result_cache_entries)
        if settings.result_cache
        else None
    )
    gateway = WorkerGateway(pool, metrics, cache)
    gateway.cpu = CpuWork(settings.cpu_workers)

    limits = StorageLimits(settings.max_stored_bytes_per_key, settings.max_stored_bytes)
    store = JobStore(settings.data_dir / "tomtat.db", limits)
    changes = JobChanges()
    store.on_change = changes.notify
    guard = Guard(KeyStore(settings.data_dir / "tomtat.db"), settings.require_api_keys, settings.metrics_token)
    runner = JobRunner(
        store,
        pool,
        gateway,
        chunk=settings.max_batch_size,
        max_records=settings.max_job_records,
        max_chars=settings.max_chars,
        retention_seconds=settings.job_retention_seconds,
        pace=guard.pace,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        changes.bind(asyncio.get_running_loop())
        await pool.start()
        runner.start()  # resumes jobs a previous process left queued or running
        yield
        stopping = time.monotonic()
        await runner.stop(grace=settings.shutdown_grace_seconds)
        left = max(0.0, settings.shutdown_grace_seconds - (time.monotonic() - stopping))
        # a batch still in the model past the grace is abandoned: ``tomtat serve`` exits without it
        app.state.abandoned_batches = not await pool.stop(grace=left)
        store.close()
        gateway.cpu.close()
        if cache is not None:
            cache.close()

    app = FastAPIOffline(  # the docs pages' scripts and styles come from the package, never a CDN
        title="tomtat",
        description="Vietnamese news summarization (ViT5) and Vietnamese-English translation (envit5)",
        version=__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.pool = pool
    app.state.gateway = gateway
    app.state.job_store = store
    app.state.job_runner = runner
    app.state.job_changes = changes
    app.state.guard = guard
    app.state.abandoned_batches = False
    install_error_handlers(app)
    install_openapi(app, settings, API_ROUTERS, libretranslate.router)
    for router in API_ROUTERS:
        app.include_router(router, dependencies=[Depends(caller)])
    app.include_router(libretranslate.router)  # its own key dependency: LibreTranslate's api_key field too
    for router in OPEN_ROUTERS:
        app.include_router(router)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    app.add_middleware(LibreTranslateCors, origins=settings.lt_cors_origins)
    app.add_middleware(RequestMetrics, metrics=metrics)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        max_upload_bytes=settings.max_upload_bytes,
        stall_seconds=settings.body_stall_seconds,
    )
    return app
