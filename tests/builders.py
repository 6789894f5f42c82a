"""Test builders: the objects tests need, built the way the product builds them."""

from __future__ import annotations

from tomtat.models.engine_choice import Summarizer
from tomtat.service.archive.pipeline import RecordProcessor
from tomtat.service.runtime.gateway import LocalGateway
from tomtat.service.runtime.keys import ExtractiveKey, SummaryPlan


def local_processor(summarizer: Summarizer, translate_to: str | None = None) -> RecordProcessor:
    """The archive record processor over a summarizer loaded in this process."""
    plan = SummaryPlan(summarizer.name, ExtractiveKey(getattr(summarizer, "max_sentences", 3)))
    return RecordProcessor(LocalGateway(summarizer), plan, translate_to)
