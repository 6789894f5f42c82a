"""``POST /v1/translate`` and ``POST /v1/detect``."""

from __future__ import annotations

import asyncio
import time

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from tomtat.models.errors import InputError
from tomtat.models.langdetect import Detection
from tomtat.models.streaming import OnDelta
from tomtat.models.translator import detect_source
from tomtat.service.api.deps import (
    CallerDep,
    GatewayDep,
    MetricsDep,
    SettingsDep,
    admit,
    refuse_a_lone_text,
    text_error,
    unless_disconnected,
)
from tomtat.service.api.schemas import (
    DetectionOut,
    DetectResponse,
    DetectResponseItem,
    FlagOut,
    TextErrorOut,
    TextsRequest,
    Timings,
    TranslateRequest,
    TranslateResponse,
    TranslationOut,
    error_responses,
)
from tomtat.service.api.streaming import EVENT_STREAM, event_stream, wants_stream
from tomtat.service.archive.articles import looks_like_markup
from tomtat.service.runtime.gateway import MarkupResult, TranslationResult, reindexed

router = APIRouter(tags=["translate"])
ERRORS = error_responses(422, 503)


@router.post(
    "/v1/translate",
    response_model=TranslateResponse,
    responses={**ERRORS, 200: {"content": {EVENT_STREAM: {"description": "with stream: see the event format"}}}},
)
async def translate(
    body: TranslateRequest,
    request: Request,
    gateway: GatewayDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    key: CallerDep,
) -> TranslateResponse | StreamingResponse:
    """Translations of one text or many; with ``"stream": true`` (or ``Accept: text/event-stream``)
    server-sent events: the translations of plain texts as they are generated, then each result."""
    started = time.perf_counter()
    documents, fields = admit(body, request, settings, key)
    texts = [d.text for d in documents]
    markup = [body.format == "html" or (body.format == "auto" and looks_like_markup(text)) for text in texts]
    plain_at = [i for i, is_markup in enumerate(markup) if not is_markup]
    markup_at = [i for i, is_markup in enumerate(markup) if is_markup]
    overrides = body.options.overrides()

    async def answer(on_delta: OnDelta | None = None) -> list[TranslationOut | TextErrorOut]:
        streamed = reindexed(on_delta, plain_at)

        async def plain() -> list[TranslationResult | InputError]:
            if not plain_at:
                return []
            chosen = [texts[i] for i in plain_at]
            named = [fields[i] for i in plain_at]
            return await gateway.translate_each(chosen, body.source, body.target, overrides, named, 0, streamed)

        async def html() -> list[MarkupResult | InputError]:
            if not markup_at:
                return []
            chosen = [texts[i] for i in markup_at]
            named = [fields[i] for i in markup_at]
            return await gateway.translate_markup_each(chosen, body.source, body.target, named, overrides=overrides)

        plain_results, markup_results = await asyncio.gather(plain(), html())
        refuse_a_lone_text(body, [*plain_results, *markup_results])
        total_ms = (time.perf_counter() - started) * 1000
        results: list[TranslationOut | TextErrorOut | None] = [None] * len(documents)
        for i, o in zip(plain_at, plain_results, strict=True):
            document_id = documents[i].id or "0"
            results[i] = (
                text_error(document_id, o)
                if isinstance(o, InputError)
                else TranslationOut(
                    id=document_id,
                    translation=o.translation.translation,
                    source=o.translation.source,
                    target=o.translation.target,
                    model=o.translation.model,
                    detected=_detection(o.detected),
                    timings=Timings.of(o.timing, total_ms),
                    flags=FlagOut.of(o.flags),
                )
            )
        for i, m in zip(markup_at, markup_results, strict=True):
            document_id = documents[i].id or "0"
            results[i] = (
                text_error(document_id, m)
                if isinstance(m, InputError)
                else TranslationOut(
                    id=document_id,
                    translation=m.document,
                    source=m.source,
                    target=body.target,
                    model=m.model,
                    detected=_detection(m.detected),
                    timings=Timings.of(m.timing, total_ms),
                    flags=FlagOut.of(m.flags),
                    format="html",
                )
            )
        return [r for r in results if r is not None]

    if wants_stream(request, body.stream):
        return event_stream(answer, [d.id or str(i) for i, d in enumerate(documents)], metrics)
    return TranslateResponse(results=await unless_disconnected(request, answer()))


def _detection(detected: Detection | None) -> DetectionOut | None:
    return DetectionOut(language=detected.language, probability=detected.probability) if detected else None


@router.post("/v1/detect", response_model=DetectResponse, responses=ERRORS)
async def detect(body: TextsRequest, request: Request, settings: SettingsDep, key: CallerDep) -> DetectResponse:
    documents, _ = admit(body, request, settings, key)
    detections = await asyncio.to_thread(lambda: [detect_source(d.text) for d in documents])
    return DetectResponse(
        results=[
            DetectResponseItem(id=d.id or "0", language=x.language, probability=x.probability)
            for d, x in zip(documents, detections, strict=True)
        ]
    )
