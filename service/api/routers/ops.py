"""Operations. Open to all: ``/healthz``, ``/readyz`` and ``/metrics`` (its own token). ``/v1/models``
is an API route like the others (the caller's key)."""

from __future__ import annotations

import os
from dataclasses import asdict

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from tomtat.models.registry import SUMMARIZE, translate_task
from tomtat.service.api.auth import metrics_access
from tomtat.service.api.deps import MetricsDep, PoolDep, SettingsDep
from tomtat.service.api.schemas import ErrorResponse, ModelOut, ModelsResponse
from tomtat.service.runtime.pool import EXTRACTIVE

open_router = APIRouter(tags=["operations"])
router = APIRouter(tags=["operations"])


@open_router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process is alive and its event loop answers (its pid in a header, for supervisors and tests)."""
    return JSONResponse({"status": "ok"}, headers={"X-Tomtat-Pid": str(os.getpid())})


@open_router.get("/readyz")
async def readyz(pool: PoolDep) -> JSONResponse:
    """Per capability: ready, or why not. 503 while checkpoints are still loading, and while a model the
    operator asked for by name (``--load-only``, ``TOMTAT_MODELS``) is missing or broken."""
    capabilities: dict[str, dict[str, object]] = {
        "summarize:extractive": {"ready": EXTRACTIVE in pool.summary_workers, "engine": "extractive"}
    }
    abstractive = pool.default_summarizer()
    capabilities["summarize:abstractive"] = (
        {"ready": True, "model": abstractive}
        if abstractive
        else {"ready": False, "reason": pool.missing_reason(SUMMARIZE)}
    )
    for task in (translate_task("vi", "en"), translate_task("en", "vi")):
        model = pool.translator.model_for(task) if pool.translator else None
        capabilities[str(task)] = (
            {"ready": True, "model": model.name} if model else {"ready": False, "reason": pool.missing_reason(task)}
        )
    asked_for = bool(pool.settings.models)
    unavailable = [s.name for s in pool.statuses.values() if s.state in ("missing", "broken")] if asked_for else []
    ready = not pool.loading and not unavailable
    body = {"ready": ready, "loading": pool.loading, "unavailable": unavailable, "capabilities": capabilities}
    return JSONResponse(body, status_code=200 if ready else 503)


@open_router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(metrics_access)],
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format"},
        401: {"model": ErrorResponse},
    },
)
async def metrics(metrics: MetricsDep) -> Response:
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/models", response_model=ModelsResponse)
async def models(pool: PoolDep, settings: SettingsDep) -> ModelsResponse:
    """Each model's state; its checkpoint folder only with ``TOMTAT_SHOW_MODEL_PATHS`` (an operator's
    setting: paths say how the server is laid out)."""
    engines_now = ["extractive", *pool.summarizers]
    shown = [
        ModelOut(**(asdict(s) if settings.show_model_paths else asdict(s) | {"directory": None}))
        for s in pool.statuses.values()
    ]
    return ModelsResponse(models=shown, engines=engines_now)
