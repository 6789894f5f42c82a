"""Models loaded in this process behind a ``LocalGateway``: built the same way for the command line,
``tomtat batch``, ``tomtat eval`` and the Ray actors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tomtat.models.backends import usable_cores
from tomtat.models.engine_choice import choose_model, choose_summarizer
from tomtat.models.extractive import extractive_length
from tomtat.models.model import load_model
from tomtat.models.registry import Task, translate_task
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.models.translator import Translator, as_language
from tomtat.service.runtime.cpu_work import CpuWork, auto_workers
from tomtat.service.runtime.gateway import LocalGateway
from tomtat.service.runtime.keys import AbstractiveKey, ExtractiveKey, Overrides, SummaryPlan


@dataclass(frozen=True)
class Placement:
    """Where models are found and how they run."""

    checkpoint_dir: str | Path | None = None
    backend: str = "auto"
    device: str = "auto"
    threads: int = 0
    max_batch_size: int = 32
    max_batch_tokens: int = 8192

    @classmethod
    def for_batches(
        cls, checkpoint_dir: str | Path | None, backend: str, device: str, threads: int, batch_size: int
    ) -> Placement:
        """Batches of ``batch_size`` texts reach the model whole: the token budget grows with them (a GPU
        wants hundreds of articles per batch, README "On a GPU"), never below the 8,192 default."""
        return cls(checkpoint_dir, backend, device, threads, batch_size, max(8192, batch_size * 512))


def load_translator(task: Task, model: str | None, placement: Placement) -> Translator:
    """A translator for ``task``: the named model, else the registry's first one present here."""
    name = choose_model(task, model, placement.checkpoint_dir, placement.backend)
    loaded = load_model(
        name,
        checkpoint_dir=placement.checkpoint_dir,
        backend=placement.backend,
        device=placement.device,
        threads=placement.threads,
        max_batch_size=placement.max_batch_size,
        max_batch_tokens=placement.max_batch_tokens,
    )
    return Translator([loaded])


def summarizing_gateway(
    engine: str,
    model: str | None,
    placement: Placement,
    overrides: Overrides = (),
    sentences: int | None = None,
    max_words: int | None = None,
    translate_to: str | None = None,
    translation_model: str | None = None,
) -> tuple[LocalGateway, SummaryPlan]:
    """The summarizer (and, with ``translate_to``, the translator) and the plan to call it with;
    ``plan.note`` says when the engine is not the one asked for."""
    summarizer, note = choose_summarizer(
        engine,
        model,
        checkpoint_dir=placement.checkpoint_dir,
        backend=placement.backend,
        device=placement.device,
        threads=placement.threads,
        sentences=sentences,
        max_words=max_words,
        max_batch_size=placement.max_batch_size,
        max_batch_tokens=placement.max_batch_tokens,
    )
    translator = None
    if translate_to:
        task = translate_task("vi", as_language(translate_to, "translate_to"))
        translator = load_translator(task, translation_model, placement)
    length = ExtractiveKey(*extractive_length(sentences, max_words))
    key = AbstractiveKey(overrides) if isinstance(summarizer, AbstractiveSummarizer) else length
    return LocalGateway(summarizer, translator), SummaryPlan(summarizer.name, key, note)


def translating_gateway(model: str | None, source: str, target: str, placement: Placement) -> LocalGateway:
    target_language = as_language(target, "target")
    if source == "auto":  # the direction into the target language (detection picks per text later)
        source = "en" if target_language == "vi" else "vi"
    task = translate_task(as_language(source, "source"), target_language)
    return LocalGateway(translator=load_translator(task, model, placement))


def cpu_work_for(gateway: LocalGateway, placement: Placement, workers: int | None) -> CpuWork:
    """Where the gateway's CPU work runs: ``workers`` processes, or (None) as many as the cores its models
    leave free allow: a model on a GPU needs one core to feed it, one on the CPU its threads (every core
    by default, which leaves none)."""
    if workers is None:
        models = list(gateway.translator.by_task.values()) if gateway.translator else []
        if isinstance(gateway.summarizer, AbstractiveSummarizer):
            models.append(gateway.summarizer.model)
        on_gpu = any(model.backend.device != "cpu" for model in models)
        workers = auto_workers(1 if on_gpu else placement.threads or usable_cores())
    return CpuWork(workers)
