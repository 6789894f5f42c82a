"""What the server has loaded: summarizers, the translator, their batch workers and their readiness."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tomtat.models.checkpoints import fetch_command, locate
from tomtat.models.engine_choice import decide_engine
from tomtat.models.errors import (
    CheckpointNotFoundError,
    ModelUnavailableError,
    TomtatError,
    UnknownModelError,
    UnsupportedTaskError,
)
from tomtat.models.extractive import extractive_length
from tomtat.models.model import Seq2SeqModel, load_model
from tomtat.models.registry import REGISTRY, SUMMARIZE, Task
from tomtat.models.streaming import OnDelta, StopSignal
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer, LeadSummarizer, Summary
from tomtat.models.translator import Translation, Translator
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.batch_worker import BatchWorker, Key, Result, RunBatch
from tomtat.service.runtime.keys import (
    AbstractiveKey,
    ExtractiveKey,
    Overrides,
    SummaryKey,
    SummaryPlan,
    TranslateKey,
)
from tomtat.service.settings import Settings

log = logging.getLogger("tomtat.service")
EXTRACTIVE = "extractive"
LEAD = "lead"
TRANSLATION = "translation"
LOADING_RETRY_S = 10
MODEL_THREADS = 16  # more than the batches that can be in the models at once (extractive ones included)


@dataclass
class ModelStatus:
    name: str
    tasks: list[str]
    state: str  # "loading", "ready", "missing" or "broken"
    detail: str = ""
    backend: str | None = None
    directory: str | None = None
    load_seconds: float | None = None


def _parallel_batches(models: Sequence[Seq2SeqModel]) -> int:
    return max((m.backend.parallel_batches for m in models), default=1)


# a summary worker's key is the one its plan made for it (plan_summary): each engine gets its own kind
SummaryWorker = BatchWorker[SummaryKey, Summary]
TranslationWorker = BatchWorker[TranslateKey, Translation]


def _extractive_batch(
    texts: list[str], key: SummaryKey, on_delta: OnDelta | None, stop: StopSignal | None
) -> list[Summary]:
    # sentences are chosen at once: nothing to stream (the answer's result event carries the summary)
    assert isinstance(key, ExtractiveKey)
    return ExtractiveSummarizer(max_sentences=key.sentences, max_words=key.max_words).summarize(texts)


def _lead_batch(texts: list[str], key: SummaryKey, on_delta: OnDelta | None, stop: StopSignal | None) -> list[Summary]:
    assert isinstance(key, ExtractiveKey)
    return LeadSummarizer(k=key.sentences).summarize(texts)


@dataclass
class ModelPool:
    """Loaded models and their workers; ``start`` runs in the app's lifespan."""

    settings: Settings
    metrics: Metrics
    statuses: dict[str, ModelStatus] = field(default_factory=dict)
    summarizers: dict[str, AbstractiveSummarizer] = field(default_factory=dict)
    translator: Translator | None = None
    summary_workers: dict[str, SummaryWorker] = field(default_factory=dict)  # by model (or engine) name
    translation_worker: TranslationWorker | None = None
    loading: bool = True
    _load_task: asyncio.Task[None] | None = None
    _model_slots: asyncio.Semaphore | None = None
    # model batches run on threads of their own: checks, file parsing and SQLite on the default pool
    # cannot delay them, and a shutdown does not wait on them past its grace (see ``stop``)
    executor: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(MODEL_THREADS, thread_name_prefix="tomtat-model")
    )

    # ---- startup -------------------------------------------------------------------------------
    def _worker(
        self, name: str, run_batch: RunBatch[Key, Result], models: Sequence[Seq2SeqModel] = ()
    ) -> BatchWorker[Key, Result]:
        s = self.settings
        worker = BatchWorker(
            name,
            run_batch,
            self.metrics,
            max_wait_ms=s.max_wait_ms,
            max_batch_size=s.max_batch_size,
            max_batch_tokens=s.max_batch_tokens,
            max_queue=s.max_queue,
            # as many batches in flight as the backend runs in parallel (CTranslate2 on CPU: one per core)
            concurrency=_parallel_batches(models),
            shared_slots=self._model_slots if models else None,
            executor=self.executor,
            keep_lane_seconds=s.keep_lane_seconds,
        )
        worker.start()
        return worker

    async def start(self) -> None:
        """Start the extractive workers at once, then load checkpoints in a thread (``/readyz`` says when)."""
        self.summary_workers[EXTRACTIVE] = self._worker(EXTRACTIVE, _extractive_batch)
        self.summary_workers[LEAD] = self._worker(LEAD, _lead_batch)
        names = self.settings.models or list(REGISTRY)
        for name in names:
            tasks = [str(t) for t in REGISTRY[name].tasks] if name in REGISTRY else []
            self.statuses[name] = ModelStatus(name, tasks, "loading")
        self._load_task = asyncio.get_running_loop().create_task(self._load_all(names))

    async def wait_loaded(self) -> None:
        if self._load_task:
            await self._load_task

    async def _load_all(self, names: list[str]) -> None:
        loaded: list[Seq2SeqModel] = []
        for name in names:
            model = await asyncio.to_thread(self._load_one, name)
            if model is not None:
                loaded.append(model)
        # one limit over all models' batches: a summarizer and a translator busy at once share the cores
        self._model_slots = asyncio.Semaphore(_parallel_batches(loaded))
        for model in loaded:
            if model.checkpoint.supports(SUMMARIZE):
                summarizer = AbstractiveSummarizer(model)
                self.summarizers[model.name] = summarizer
                self.summary_workers[model.name] = self._worker(model.name, self._summarize_batch(summarizer), [model])
        translation_models = [m for m in loaded if any(t.is_translation for t in m.checkpoint.tasks)]
        if translation_models:
            self.translator = Translator(translation_models, segment_tokens=self.settings.translation_segment_tokens)
            self.translation_worker = self._worker(TRANSLATION, self._translate_batch, translation_models)
        self.loading = False
        for status in self.statuses.values():
            if status.state != "ready":
                log.warning("model %s is %s: %s", status.name, status.state, status.detail)

    @staticmethod
    def _summarize_batch(summarizer: AbstractiveSummarizer) -> RunBatch[SummaryKey, Summary]:
        def run(texts: list[str], key: SummaryKey, on_delta: OnDelta | None, stop: StopSignal | None) -> list[Summary]:
            assert isinstance(key, AbstractiveKey)
            return summarizer.summarize(texts, dict(key.overrides), on_delta, stop)

        return run

    def _translate_batch(
        self, texts: list[str], key: TranslateKey, on_delta: OnDelta | None, stop: StopSignal | None
    ) -> list[Translation]:
        assert self.translator is not None
        overrides = dict(key.overrides)
        return self.translator.translate(texts, key.source, key.target, overrides, on_delta, stop)

    def _load_one(self, name: str) -> Seq2SeqModel | None:
        status = self.statuses[name]
        try:
            located = locate(name, self.settings.checkpoint_dir, self.settings.backend)
        except TomtatError as error:
            status.state, status.detail = "missing", str(error)
            return None
        status.directory = str(located.directory)
        status.tasks = [str(t) for t in located.checkpoint.tasks]
        started = time.perf_counter()
        try:  # load_model checks the files itself and names the broken one
            model = load_model(
                str(located.directory),
                backend=self.settings.backend,
                device=self.settings.device,
                threads=self.settings.threads,
                max_batch_size=self.settings.max_batch_size,
                max_batch_tokens=self.settings.max_batch_tokens,
                compute_type=self.settings.compute_type,
                parallel_batches=self.settings.parallel_batches,
            )
        except Exception as error:  # noqa: BLE001 - a broken checkpoint must not take the server down
            status.state = "broken"
            status.detail = f"{error} (fetch it again with: {fetch_command(located.checkpoint.name)})"
            log.error("model %s could not be loaded: %s", name, error)
            return None
        if model.name != name and name in REGISTRY:
            log.warning("%s holds %s conventions", located.directory, model.name)
        status.state, status.backend = "ready", model.backend.name
        status.load_seconds = time.perf_counter() - started
        self.metrics.load_seconds.labels(model.name).set(status.load_seconds)
        log.info("model %s ready (%s, %.1f s)", model.name, status.backend, status.load_seconds)
        return model

    async def stop(self, grace: float | None = None) -> bool:
        """Stop every worker, letting batches in the model finish for up to ``grace`` seconds in all;
        False when one is still running then (the caller's process exits without waiting for it)."""
        if self._load_task and not self._load_task.done():
            self._load_task.cancel()
        deadline = None if grace is None else time.monotonic() + grace
        finished = True
        workers: list[BatchWorker[SummaryKey, Summary] | BatchWorker[TranslateKey, Translation]]
        workers = [*self.summary_workers.values(), *([self.translation_worker] if self.translation_worker else [])]
        for worker in workers:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            finished = await worker.stop(left) and finished
        self.executor.shutdown(wait=False, cancel_futures=True)
        return finished

    # ---- lookups -------------------------------------------------------------------------------
    def plan_summary(
        self,
        engine: str,
        model: str | None,
        overrides: Overrides = (),
        sentences: int | None = None,
        max_words: int | None = None,
    ) -> SummaryPlan:
        """The worker and batch key for the engine and model a request asks for (the extractive length
        from the request, else the server's settings, else the engine's default)."""
        s = self.settings
        length = ExtractiveKey(
            *extractive_length(sentences or s.extractive_sentences, max_words or s.extractive_max_words)
        )
        if model and engine not in ("extractive", "lead3"):
            self._check_summarizer(model)
        try:
            decision = decide_engine(engine, model, list(self.summarizers), lambda: self.missing_reason(SUMMARIZE))
        except CheckpointNotFoundError:
            reason = self.missing_reason(SUMMARIZE)
            raise self._unavailable(f"no abstractive summarizer is ready: {reason}", "engine") from None
        if decision.engine == "extractive":
            return SummaryPlan(EXTRACTIVE, length, decision.note)
        if decision.engine == "lead3":
            return SummaryPlan(LEAD, length, decision.note)
        assert decision.model is not None
        return SummaryPlan(decision.model, AbstractiveKey(overrides), decision.note)

    def _check_summarizer(self, model: str) -> None:
        if model in self.summarizers:
            return
        status = self.statuses.get(model)
        if status is None:
            known = ", ".join(self.summarizers) or "none loaded"
            raise UnknownModelError(f"model {model!r} is not loaded (summarizers: {known})")
        if status.tasks and str(SUMMARIZE) not in status.tasks:
            raise UnsupportedTaskError(f"model {model!r} does not summarize ({', '.join(status.tasks)})", "model")
        raise self._unavailable(f"model {model!r} is {status.state}: {status.detail}", "model")

    def summary_worker(self, plan: SummaryPlan) -> SummaryWorker:
        worker = self.summary_workers.get(plan.worker)
        if worker is None:
            raise self._unavailable(f"{plan.worker} is not loaded on this server", "model")
        return worker

    def translation(self, task: Task, field_name: str | None = None) -> tuple[TranslationWorker, Translator]:
        """The translation worker and translator, or why no loaded model translates ``task``."""
        worker = self.translation_worker
        if worker is None or self.translator is None:
            reason = self.missing_reason(task)
            raise self._unavailable(f"no {task.direction} translation model is ready: {reason}", field_name)
        return worker, self.translator

    def estimate_tokens(self, worker: str, texts: Sequence[str]) -> int:
        """Input tokens of ``texts`` for batch budgets: exact for a loaded summarizer, else ~4 characters each."""
        summarizer = self.summarizers.get(worker)
        if summarizer is not None:
            return sum(summarizer.model.count_tokens(t) for t in texts)
        return sum(len(t) for t in texts) // 4

    def default_summarizer(self) -> str | None:
        """The first loaded abstractive summarizer in registry order, if any."""
        return next(iter(self.summarizers), None)

    def missing_reason(self, task: Task) -> str:
        """Why no model serves ``task``: load state and fetch command of each model that could."""
        if self.loading:
            return "models are still loading; retry shortly"
        reasons = [
            f"{s.name} is {s.state}" + (f" (run: {fetch_command(s.name)})" if s.state == "missing" else f": {s.detail}")
            for s in self.statuses.values()
            if str(task) in s.tasks or not s.tasks
        ]
        return "; ".join(reasons) or f"no model for {task} is configured"

    def _unavailable(self, message: str, field_name: str | None) -> ModelUnavailableError:
        return ModelUnavailableError(message, field_name, LOADING_RETRY_S if self.loading else None)
