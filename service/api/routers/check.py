"""``POST /v1/check``: faithfulness flags for any output against its source, no model needed."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from tomtat.models.facts import check_pair
from tomtat.service.api.deps import CallerDep, GuardDep, SettingsDep, check_limits
from tomtat.service.api.schemas import CheckRequest, CheckResponse, FlagOut, error_responses

router = APIRouter(tags=["check"])


@router.post("/v1/check", response_model=CheckResponse, responses=error_responses(422))
async def check(body: CheckRequest, settings: SettingsDep, guard: GuardDep, key: CallerDep) -> CheckResponse:
    """Numbers, amounts, dates and names of ``output`` that ``source`` does not support (and, for a
    translation, those of the source it leaves out)."""
    check_limits([body.source, body.output], ["source", "output"], settings)
    guard.charge(key, len(body.source) + len(body.output))
    flags = await asyncio.to_thread(check_pair, body.source, body.output, body.source_lang, body.output_lang)
    return CheckResponse(flags=FlagOut.of(flags))
