"""``POST /v1/translate`` and ``POST /v1/detect``."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request

from tomtat.models.langdetect import detect_language
from tomtat.service.api.deps import CallerDep, GatewayDep, SettingsDep, admit, unless_disconnected
from tomtat.service.api.schemas import (
    DetectionOut,
    DetectResponse,
    DetectResponseItem,
    FlagOut,
    TextsRequest,
    Timings,
    TranslateRequest,
    TranslateResponse,
    TranslationOut,
    error_responses,
)

router = APIRouter(tags=["translate"])
ERRORS = error_responses(422, 503)


@router.post("/v1/translate", response_model=TranslateResponse, responses=ERRORS)
async def translate(
    body: TranslateRequest, request: Request, gateway: GatewayDep, settings: SettingsDep, key: CallerDep
) -> TranslateResponse:
    started = time.perf_counter()
    documents, fields = admit(body, request, settings, key)
    texts = [d.text for d in documents]
    work = gateway.translate(texts, body.source, body.target, body.options.overrides(), fields)
    outcomes = await unless_disconnected(request, work)
    total_ms = (time.perf_counter() - started) * 1000
    return TranslateResponse(
        results=[
            TranslationOut(
                id=document.id or "0",
                translation=o.translation.translation,
                source=o.translation.source,
                target=o.translation.target,
                model=o.translation.model,
                detected=DetectionOut(language=o.detected.language, probability=o.detected.probability)
                if o.detected
                else None,
                timings=Timings.of(o.timing, total_ms),
                flags=FlagOut.of(o.flags),
            )
            for document, o in zip(documents, outcomes, strict=True)
        ]
    )


@router.post("/v1/detect", response_model=DetectResponse, responses=ERRORS)
async def detect(body: TextsRequest, request: Request, settings: SettingsDep, key: CallerDep) -> DetectResponse:
    documents, _ = admit(body, request, settings, key)
    detections = await asyncio.to_thread(lambda: [detect_language(d.text) for d in documents])
    return DetectResponse(
        results=[
            DetectResponseItem(id=d.id or "0", language=x.language, probability=x.probability)
            for d, x in zip(documents, detections, strict=True)
        ]
    )
