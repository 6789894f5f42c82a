"""Operations: ``/healthz``, ``/readyz``, ``/metrics``, ``/v1/models``."""

from __future__ import annotations

import os
from dataclasses import asdict

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from tomtat.models.registry import SUMMARIZE
from tomtat.service.api.deps import get_engines
from tomtat.service.api.schemas import ErrorResponse, ModelOut, ModelsResponse
from tomtat.service.runtime.pool import EXTRACTIVE, Engines

router = APIRouter(tags=["operations"])


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """The process is alive and its event loop answers (its pid in a header, for supervisors and tests)."""
    return JSONResponse({"status": "ok"}, headers={"X-Tomtat-Pid": str(os.getpid())})


@router.get("/readyz")
async def readyz(engines: Engines = Depends(get_engines)) -> JSONResponse:
    """Per capability: ready, or why not. 503 while checkpoints are still loading."""
    capabilities: dict[str, dict[str, object]] = {
        "summarize:extractive": {"ready": EXTRACTIVE in engines.workers, "engine": "extractive"}
    }
    abstractive = engines.default_summarizer()
    capabilities["summarize:abstractive"] = (
        {"ready": True, "model": abstractive}
        if abstractive
        else {"ready": False, "reason": engines.missing_reason(SUMMARIZE)}
    )
    for direction in ("vi-en", "en-vi"):
        task = f"translate:{direction}"
        served = engines.translator is not None and direction in engines.translator.directions()
        capabilities[task] = (
            {"ready": True, "model": engines.translator.by_task[task].name}
            if served and engines.translator
            else {"ready": False, "reason": engines.missing_reason(task)}
        )
    ready = not engines.loading
    return JSONResponse({"ready": ready, "capabilities": capabilities}, status_code=200 if ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text format"},
        401: {"model": ErrorResponse},
    },
)
async def metrics(request: Request, engines: Engines = Depends(get_engines)) -> Response:
    request.app.state.guard.check_metrics(request)
    return Response(generate_latest(engines.metrics.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/models", response_model=ModelsResponse)
async def models(engines: Engines = Depends(get_engines)) -> ModelsResponse:
    engines_now = ["extractive", *engines.summarizers]
    return ModelsResponse(models=[ModelOut(**asdict(s)) for s in engines.statuses.values()], engines=engines_now)
