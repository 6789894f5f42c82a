"""``POST /v1/summarize``: one article or many, optionally with the English summary in the same answer."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request

from tomtat.models.errors import InputError
from tomtat.service.api.deps import (
    CallerDep,
    GatewayDep,
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
from tomtat.service.archive.articles import Article
from tomtat.service.runtime.gateway import SummaryResult

router = APIRouter(tags=["summarize"])
ERRORS = error_responses(422, 503)


@router.post("/v1/summarize", response_model=SummarizeResponse, responses=ERRORS)
async def summarize(
    body: SummarizeRequest,
    request: Request,
    pool: PoolDep,
    gateway: GatewayDep,
    settings: SettingsDep,
    key: CallerDep,
) -> SummarizeResponse:
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
    ready = [i for i, slot in enumerate(slots) if isinstance(slot, str)]
    texts = [slot for slot in slots if isinstance(slot, str)]
    results = await unless_disconnected(request, gateway.summarize(texts, plan, body.translate_to)) if texts else []
    by_index: dict[int, SummaryResult] = dict(zip(ready, results, strict=True))
    total_ms = (time.perf_counter() - started) * 1000
    answers: list[SummaryOut | TextErrorOut] = []
    for i, (document, slot) in enumerate(zip(documents, slots, strict=True)):
        document_id = document.id or str(i)
        if isinstance(slot, InputError):
            answers.append(text_error(document_id, slot))
            continue
        article, r = articles[i], by_index[i]
        assert isinstance(article, Article)
        answers.append(
            SummaryOut(
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
        )
    return SummarizeResponse(results=answers, note=plan.note)
