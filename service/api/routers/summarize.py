"""``POST /v1/summarize``: one article or many, optionally with the English summary in the same answer."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request

from tomtat.service.api.deps import (
    CallerDep,
    GatewayDep,
    PoolDep,
    SettingsDep,
    admit,
    read_articles,
    unless_disconnected,
)
from tomtat.service.api.schemas import (
    FlagOut,
    SummarizeRequest,
    SummarizeResponse,
    SummaryOut,
    Timings,
    error_responses,
)

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
    texts = await gateway.check_articles([a.text for a in articles], fields, body.allow_any_language)
    plan = pool.plan_summary(body.engine, body.model, body.options.overrides(), body.sentences, body.max_words)
    results = await unless_disconnected(request, gateway.summarize(texts, plan, body.translate_to))
    total_ms = (time.perf_counter() - started) * 1000
    return SummarizeResponse(
        results=[
            SummaryOut(
                id=d.id or str(i),
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
                format="html" if a.markup else "text",
                words=a.words,
            )
            for i, (d, a, r) in enumerate(zip(documents, articles, results, strict=True))
        ],
        note=plan.note,
    )
