"""Which summarization engine answers: the one decision, shared by the command line and the server.

``auto`` takes the first available abstractive checkpoint and falls back to the extractive engine
(which needs no weights) only when no model was named; a named model or ``abstractive`` never falls
back silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from tomtat.models.checkpoints import fetch_command, locate
from tomtat.models.errors import CheckpointNotFoundError, InputError
from tomtat.models.extractive import extractive_length
from tomtat.models.model import load_model
from tomtat.models.registry import SUMMARIZE, Task, checkpoints_for, default_model
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer, LeadSummarizer, Summary

Engine = Literal["auto", "abstractive", "extractive", "lead3"]
ENGINES: tuple[Engine, ...] = ("auto", "abstractive", "extractive", "lead3")


class Summarizer(Protocol):
    engine: str

    @property
    def name(self) -> str: ...

    def summarize(self, texts: list[str], overrides: Mapping[str, Any] | None = None) -> list[Summary]: ...


@dataclass(frozen=True)
class EngineDecision:
    engine: Literal["abstractive", "extractive", "lead3"]
    model: str | None = None  # the abstractive checkpoint, when the engine is abstractive
    note: str | None = None  # why the engine is not the one asked for


def decide_engine(
    engine: str, model: str | None, available: Sequence[str], why_none: Callable[[], str]
) -> EngineDecision:
    """The engine (and model) for a request. ``available``: abstractive checkpoints that can answer,
    preferred first; ``why_none``: why there are none (load state, fetch command)."""
    if engine in ("extractive", "lead3"):
        if model:
            raise InputError("model applies to the abstractive engine only", field="model", code="invalid_request")
        return EngineDecision("extractive" if engine == "extractive" else "lead3")
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}", field="engine")
    if model:
        return EngineDecision("abstractive", model)
    if available:
        return EngineDecision("abstractive", available[0])
    reason = why_none()
    if engine == "abstractive":
        raise CheckpointNotFoundError(f"no abstractive summarization checkpoint is available: {reason}")
    note = f"no abstractive checkpoint is available, so the extractive engine answered; {reason}"
    return EngineDecision("extractive", note=note)


def present_checkpoints(task: Task, checkpoint_dir: str | Path | None, backend: str = "auto") -> list[str]:
    """Registry checkpoints for ``task`` found on this machine (no network), in registry order."""
    present = []
    for checkpoint in checkpoints_for(task):
        try:
            locate(checkpoint.name, checkpoint_dir, backend)
        except CheckpointNotFoundError:
            continue
        present.append(checkpoint.name)
    return present


def missing_reason(task: Task) -> str:
    """Every registered checkpoint that does ``task``, each with its fetch command."""
    options = " or ".join(
        f"{fetch_command(c.name)} ({', '.join(t.direction or str(t) for t in c.tasks)})" for c in checkpoints_for(task)
    )
    return f"no {task} checkpoint is on this machine; fetch one with: {options}"


def choose_model(task: Task, model: str | None, checkpoint_dir: str | Path | None, backend: str = "auto") -> str:
    """``model`` when given, else the first registry checkpoint for ``task`` present here; when none is,
    a ``CheckpointNotFoundError`` naming every checkpoint that does ``task`` and its fetch command."""
    if model:
        return model
    present = present_checkpoints(task, checkpoint_dir, backend)
    if present:
        return present[0]
    default_model(task)  # says so when no registered checkpoint does the task at all
    raise CheckpointNotFoundError(f"{missing_reason(task)}; or name a checkpoint directory with --model")


def choose_summarizer(
    engine: str = "auto",
    model: str | None = None,
    *,
    checkpoint_dir: str | Path | None = None,
    backend: str = "auto",
    device: str = "auto",
    threads: int = 0,
    sentences: int | None = None,
    max_words: int | None = None,
    max_batch_size: int = 32,
    max_batch_tokens: int = 8192,
) -> tuple[Summarizer, str | None]:
    """The summarizer for ``engine`` and the note to show when it is not the engine asked for."""
    available = [] if model else present_checkpoints(SUMMARIZE, checkpoint_dir, backend)
    decision = decide_engine(engine, model, available, lambda: missing_reason(SUMMARIZE))
    count, budget = extractive_length(sentences, max_words)
    if decision.engine == "extractive":
        return ExtractiveSummarizer(max_sentences=count, max_words=budget), decision.note
    if decision.engine == "lead3":
        return LeadSummarizer(k=count), decision.note
    assert decision.model is not None
    loaded = load_model(
        decision.model,
        checkpoint_dir=checkpoint_dir,
        backend=backend,
        device=device,
        threads=threads,
        max_batch_size=max_batch_size,
        max_batch_tokens=max_batch_tokens,
    )
    return AbstractiveSummarizer(loaded), decision.note
