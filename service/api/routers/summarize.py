"""``POST /v1/summarize``: one article or many, optionally with the English summary in the same answer."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from tomtat.models.errors import InputError
from tomtat.models.streaming import OnDelta
from tomtat.service.api.deps import (
    CallerDep,
    GatewayDep,
    MetricsDep,
    PoolDep,
    SettingsDep,
    admit,
    read_articles,
    refuse_a_lone_text,
    text_error,
    unless_disconnected,
)
from tomtat.service.api.schemas import (
    FlagOut,
    SummarizeRequest,
    SummarizeResponse,
    SummaryOut,
    TextErrorOut,
    Timings,
    error_responses,
)
from tomtat.service.api.streaming import EVENT_STREAM, event_stream, wants_stream
from tomtat.service.archive.articles import Article
from tomtat.service.runtime.gateway import SummaryResult, reindexed

router = APIRouter(tags=["summarize"])
ERRORS = error_responses(422, 503)


@router.post(
    "/v1/summarize",
    response_model=SummarizeResponse,
    responses={**ERRORS, 200: {"content": {EVENT_STREAM: {"description": "with stream: see the event format"}}}},
)
async def summarize(
    body: SummarizeRequest,
    request: Request,
    pool: PoolDep,
    gateway: GatewayDep,
    settings: SettingsDep,
    metrics: MetricsDep,
    key: CallerDep,
) -> SummarizeResponse | StreamingResponse:
    """Summaries of one article or many; with ``"stream": true`` (or ``Accept: text/event-stream``)
    server-sent events: the summaries as they are generated, then each result (docs: HTTP API)."""
    started = time.perf_counter()
    documents, fields = admit(body, request, settings, key)
    articles = await read_articles([d.text for d in documents], fields, body.format)
    readable = [i for i, article in enumerate(articles) if isinstance(article, Article)]
    checked = await gateway.check_articles(
        [a.text for a in articles if isinstance(a, Article)], [fields[i] for i in readable], body.allow_any_language
    )
    slots: list[str | InputError] = [a if isinstance(a, InputError) else "" for a in articles]
    for i, text in zip(readable, checked, strict=True):
        slots[i] = text
    refuse_a_lone_text(body, slots)
    plan = pool.plan_summary(body.engine, body.model, body.options.overrides(), body.sentences, body.max_words)

    async def answer(on_delta: OnDelta | None = None) -> list[SummaryOut | TextErrorOut]:
        ready = [i for i, slot in enumerate(slots) if isinstance(slot, str)]
        texts = [slot for slot in slots if isinstance(slot, str)]
        streamed = reindexed(on_delta, ready)
        results = await gateway.summarize(texts, plan, body.translate_to, on_delta=streamed) if texts else []
        by_index: dict[int, SummaryResult] = dict(zip(ready, results, strict=True))
        total_ms = (time.perf_counter() - started) * 1000
        return [
            text_error(d.id or str(i), slot)
            if isinstance(slot, InputError)
            else _summary_out(d.id or str(i), articles[i], by_index[i], total_ms)
            for i, (d, slot) in enumerate(zip(documents, slots, strict=True))
        ]

    if wants_stream(request, body.stream):
        return event_stream(answer, [d.id or str(i) for i, d in enumerate(documents)], metrics)
    return SummarizeResponse(results=await unless_disconnected(request, answer()), note=plan.note)


def _summary_out(document_id: str, article: Article | InputError, r: SummaryResult, total_ms: float) -> SummaryOut:
    assert isinstance(article, Article)
    return SummaryOut(
        id=document_id,
        summary=r.summary.summary,
        summary_en=r.summary_en,
        engine=r.summary.engine,
        model=r.summary.model,
        input_tokens=r.summary.input_tokens,
        chunked=r.summary.chunked,
        timings=Timings.of(r.timing, total_ms),
        flags=FlagOut.of(r.flags),
        flags_en=FlagOut.of(r.flags_en) if r.flags_en is not None else None,
        cached=r.cached,
        format="html" if article.markup else "text",
        words=article.words,
    )
