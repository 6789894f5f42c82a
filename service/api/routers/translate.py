"""``POST /v1/translate`` and ``POST /v1/detect``."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Depends, Request
from tomtat.models.errors import InputError
from tomtat.models.langdetect import Detection, detect_language
from tomtat.models.translator import Translation
from tomtat.service.api.deps import admit, get_engines, get_settings, unless_disconnected
from tomtat.service.api.errors import ApiError
from tomtat.service.api.schemas import (
    DetectionOut,
    DetectResponse,
    DetectResponseItem,
    TextsRequest,
    Timings,
    TranslateRequest,
    TranslateResponse,
    TranslationOut,
    error_responses,
)
from tomtat.service.runtime.batch_worker import BatchTiming
from tomtat.service.runtime.pool import TRANSLATION, Engines
from tomtat.service.settings import Settings

router = APIRouter(tags=["translate"])
ERRORS = error_responses(422, 503)


async def translate_texts(
    request: Request,
    engines: Engines,
    texts: list[str],
    fields: list[str],
    source: str,
    target: str,
    overrides: tuple = (),
) -> list[tuple[Translation, Detection | None, BatchTiming]]:
    """Resolve each text's source language, then batch all texts of one direction together."""
    if TRANSLATION not in engines.workers or engines.translator is None:
        reason = engines.missing_reason(f"translate:{source if source != 'auto' else 'vi'}")
        raise ApiError(503, "model_unavailable", f"no translation model is ready: {reason}", None, 30)
    translator = engines.translator
    resolved: list[tuple[str, Detection | None]] = []
    for text, field in zip(texts, fields, strict=True):
        if not text.strip():
            raise ApiError(422, "empty_text", f"{field} is empty", field)
        try:
            resolved.append(translator.resolve_source(text, source))
        except InputError as error:
            raise ApiError(422, error.code, f"{field}: {error}", field) from None
        direction = f"{resolved[-1][0]}-{target}"
        if resolved[-1][0] != target and direction not in translator.directions():
            raise ApiError(
                422,
                "unsupported_direction",
                f"{field}: no loaded model translates {direction}; available: {', '.join(translator.directions())}",
                field,
            )
    groups: dict[str, list[int]] = {}
    for index, (src, _) in enumerate(resolved):
        groups.setdefault(src, []).append(index)
    worker = engines.workers[TRANSLATION]

    async def run(src: str, indices: list[int]) -> tuple[list[int], list[Translation], BatchTiming]:
        group = [texts[i] for i in indices]
        out, timing = await worker.submit(group, (src, target, overrides), sum(len(t) for t in group) // 4)
        return indices, out, timing

    results: list = [None] * len(texts)
    outcomes = await unless_disconnected(request, asyncio.gather(*(run(s, ix) for s, ix in groups.items())))
    for indices, out, timing in outcomes:
        for index, translation in zip(indices, out, strict=True):
            results[index] = (translation, resolved[index][1], timing)
    return results


@router.post("/v1/translate", response_model=TranslateResponse, responses=ERRORS)
async def translate(
    body: TranslateRequest,
    request: Request,
    engines: Engines = Depends(get_engines),
    settings: Settings = Depends(get_settings),
) -> TranslateResponse:
    started = time.perf_counter()
    documents, fields = admit(body, request, settings)
    outcomes = await translate_texts(
        request, engines, [d.text for d in documents], fields, body.source, body.target, body.options.overrides()
    )
    total_ms = (time.perf_counter() - started) * 1000
    results = []
    for document, (translation, detected, timing) in zip(documents, outcomes, strict=True):
        results.append(
            TranslationOut(
                id=document.id or "0",
                translation=translation.translation,
                source=translation.source,
                target=translation.target,
                model=translation.model,
                detected=DetectionOut(language=detected.language, probability=detected.probability)
                if detected
                else None,
                timings=Timings(
                    queue_ms=timing.queue_ms,
                    model_ms=timing.model_ms,
                    total_ms=total_ms,
                    batch_texts=timing.batch_texts,
                ),
            )
        )
        engines.metrics.tokens_in.labels(translation.model).inc(translation.input_tokens)
    return TranslateResponse(results=results)


@router.post("/v1/detect", response_model=DetectResponse, responses=ERRORS)
async def detect(body: TextsRequest, request: Request, settings: Settings = Depends(get_settings)) -> DetectResponse:
    documents, _ = admit(body, request, settings)
    detections = await asyncio.to_thread(lambda: [detect_language(d.text) for d in documents])
    return DetectResponse(
        results=[
            DetectResponseItem(id=d.id or "0", language=x.language, probability=x.probability)
            for d, x in zip(documents, detections, strict=True)
        ]
    )
