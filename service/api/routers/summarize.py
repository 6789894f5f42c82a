"""``POST /v1/summarize``: one article or many, optionally with the English summary in the same answer."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends, Request
from tomtat.models.errors import InputError
from tomtat.models.summarizer import check_article
from tomtat.service.api.deps import admit, get_engines, get_settings, unless_disconnected
from tomtat.service.api.errors import ApiError
from tomtat.service.api.schemas import SummarizeRequest, SummarizeResponse, SummaryOut, Timings, error_responses
from tomtat.service.runtime.pool import TRANSLATION, Engines
from tomtat.service.settings import Settings

router = APIRouter(tags=["summarize"])
ERRORS = error_responses(422, 503)


@router.post("/v1/summarize", response_model=SummarizeResponse, responses=ERRORS)
async def summarize(
    body: SummarizeRequest,
    request: Request,
    engines: Engines = Depends(get_engines),
    settings: Settings = Depends(get_settings),
) -> SummarizeResponse:
    started = time.perf_counter()
    documents, fields = admit(body, request, settings)
    texts = []
    for document, field in zip(documents, fields, strict=True):
        try:
            texts.append(check_article(document.text, field_name=field, allow_any_language=body.allow_any_language))
        except InputError as error:
            raise ApiError(422, error.code, str(error), field) from None
    worker_name, key, note = engines.summarizer_worker(
        body.engine, body.model, body.sentences or settings.extractive_sentences, body.options.overrides()
    )
    if body.translate_to and TRANSLATION not in engines.workers:
        reason = engines.missing_reason("translate:vi-en")
        raise ApiError(503, "model_unavailable", f"no vi->en translation model is ready: {reason}", "translate_to", 30)
    worker = engines.workers[worker_name]
    summarizer = engines.summarizers.get(worker_name)
    tokens = sum(summarizer.model.count_tokens(t) if summarizer else len(t) // 4 for t in texts)
    summaries, timing = await unless_disconnected(request, worker.submit(texts, key, tokens))
    english: list[str | None] = [None] * len(summaries)
    if body.translate_to:
        translated, _ = await unless_disconnected(
            request,
            engines.workers[TRANSLATION].submit([s.summary for s in summaries], ("vi", "en", ()), tokens // 4),
        )
        english = [t.translation for t in translated]
    for s in summaries:
        engines.metrics.tokens_in.labels(s.model).inc(s.input_tokens)
    total_ms = (time.perf_counter() - started) * 1000
    timings = Timings(
        queue_ms=timing.queue_ms, model_ms=timing.model_ms, total_ms=total_ms, batch_texts=timing.batch_texts
    )
    results = [
        SummaryOut(
            id=d.id or str(i),
            summary=s.summary,
            summary_en=en,
            engine=s.engine,
            model=s.model,
            input_tokens=s.input_tokens,
            chunked=s.chunked,
            timings=timings,
        )
        for i, (d, s, en) in enumerate(zip(documents, summaries, english, strict=True))
    ]
    return SummarizeResponse(results=results, note=note)
