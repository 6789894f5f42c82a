"""Choosing a summarization engine: the abstractive checkpoint when present, else the extractive default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from tomtat.models.checkpoints import locate
from tomtat.models.errors import CheckpointNotFoundError, InputError
from tomtat.models.model import load_model
from tomtat.models.registry import SUMMARIZE, checkpoints_for
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer, LeadSummarizer, Summary

ENGINES = ("auto", "abstractive", "extractive", "lead3")


class Summarizer(Protocol):
    engine: str

    @property
    def name(self) -> str: ...

    def summarize(self, texts: list[str], overrides: Mapping[str, Any] | None = None) -> list[Summary]: ...


@dataclass
class EngineChoice:
    summarizer: Summarizer
    note: str = ""  # why this engine was chosen, when it is not what was asked for


def choose_summarizer(
    engine: str = "auto",
    model: str | None = None,
    *,
    checkpoint_dir: str | Path | None = None,
    backend: str = "auto",
    device: str = "auto",
    threads: int = 0,
    sentences: int = 3,
) -> EngineChoice:
    """Build the summarizer for ``engine``; ``auto`` falls back to extractive only when no model was named."""
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}", field="engine")
    if engine == "extractive":
        return EngineChoice(ExtractiveSummarizer(max_sentences=sentences))
    if engine == "lead3":
        return EngineChoice(LeadSummarizer(k=3))
    candidates = [model] if model else [c.name for c in checkpoints_for(SUMMARIZE)]
    missing: list[str] = []
    for name in candidates:
        try:
            locate(name, checkpoint_dir)
        except CheckpointNotFoundError as error:
            if model:  # a model the user named must exist; only the default may fall back
                raise
            missing.append(str(error))
            continue
        loaded = load_model(name, checkpoint_dir=checkpoint_dir, backend=backend, device=device, threads=threads)
        return EngineChoice(AbstractiveSummarizer(loaded))
    if engine == "abstractive":
        raise CheckpointNotFoundError("no abstractive summarization checkpoint is present: " + " | ".join(missing))
    note = (
        "no abstractive checkpoint found, so the extractive engine answered "
        f"(fetch one with: tomtat fetch {candidates[0]})"
    )
    return EngineChoice(ExtractiveSummarizer(max_sentences=sentences), note)
