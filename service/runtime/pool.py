"""What the server has loaded: summarizers, the translator, their batch workers and their readiness."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Hashable
from dataclasses import dataclass, field

from tomtat.models.checkpoints import fetch_command, locate
from tomtat.models.errors import TomtatError
from tomtat.models.model import Seq2SeqModel, load_model
from tomtat.models.registry import REGISTRY, SUMMARIZE
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer
from tomtat.models.translator import Translator
from tomtat.service.api.errors import ApiError
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.batch_worker import BatchWorker
from tomtat.service.settings import Settings

log = logging.getLogger("tomtat.service")
EXTRACTIVE = "extractive"
TRANSLATION = "translation"


@dataclass
class ModelStatus:
    name: str
    tasks: list[str]
    state: str  # "loading", "ready", "missing" or "broken"
    detail: str = ""
    backend: str | None = None
    directory: str | None = None
    load_seconds: float | None = None


def _parallel_batches(models: list[Seq2SeqModel]) -> int:
    return max((getattr(m.backend, "parallel_batches", 1) for m in models), default=1)


@dataclass
class Engines:
    """Loaded engines and their workers; built by ``start`` in the app's lifespan."""

    settings: Settings
    metrics: Metrics
    statuses: dict[str, ModelStatus] = field(default_factory=dict)
    summarizers: dict[str, AbstractiveSummarizer] = field(default_factory=dict)
    translator: Translator | None = None
    workers: dict[str, BatchWorker] = field(default_factory=dict)
    loading: bool = True
    _load_task: asyncio.Task | None = None
    _model_slots: asyncio.Semaphore | None = None

    # ---- startup -------------------------------------------------------------------------------
    def _worker(self, name: str, run_batch, models: list[Seq2SeqModel] = ()) -> BatchWorker:  # type: ignore[assignment]
        s = self.settings
        # as many batches in flight as the backend runs in parallel (CTranslate2 on CPU: one per core)
        concurrency = _parallel_batches(models)
        worker = BatchWorker(
            name,
            run_batch,
            self.metrics,
            max_wait_ms=s.max_wait_ms,
            max_batch_size=s.max_batch_size,
            max_batch_tokens=s.max_batch_tokens,
            max_queue=s.max_queue,
            concurrency=concurrency,
            shared_slots=self._model_slots if models else None,
        )
        worker.start()
        self.workers[name] = worker
        return worker

    async def start(self) -> None:
        """Start the extractive worker at once, then load checkpoints in a thread (``/readyz`` says when)."""
        self._worker(EXTRACTIVE, lambda texts, key: ExtractiveSummarizer(max_sentences=key).summarize(texts))
        names = self.settings.models or list(REGISTRY)
        for name in names:
            tasks = list(REGISTRY[name].tasks) if name in REGISTRY else []
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
            if SUMMARIZE in model.checkpoint.tasks:
                summarizer = AbstractiveSummarizer(model)
                self.summarizers[model.name] = summarizer
                self._worker(model.name, lambda texts, key, s=summarizer: s.summarize(texts, dict(key)), [model])
        translation_models = [m for m in loaded if any(t.startswith("translate:") for t in m.checkpoint.tasks)]
        if translation_models:
            self.translator = Translator(translation_models, segment_tokens=self.settings.translation_segment_tokens)
            self._worker(TRANSLATION, self._translate_batch, translation_models)
        self.loading = False

    def _translate_batch(self, texts: list[str], key: Hashable) -> list:
        source, target, overrides = key  # type: ignore[misc]
        assert self.translator is not None
        return self.translator.translate(texts, source=source, target=target, overrides=dict(overrides))

    def _load_one(self, name: str) -> Seq2SeqModel | None:
        status = self.statuses[name]
        try:
            located = locate(name, self.settings.checkpoint_dir, self.settings.backend)
        except TomtatError as error:
            status.state, status.detail = "missing", str(error)
            return None
        status.directory = str(located.directory)
        status.tasks = list(located.checkpoint.tasks)
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
        return model

    async def stop(self) -> None:
        if self._load_task and not self._load_task.done():
            self._load_task.cancel()
        for worker in self.workers.values():
            await worker.stop()

    # ---- lookups -------------------------------------------------------------------------------
    def summarizer_worker(
        self, engine: str, model: str | None, sentences: int, overrides: tuple
    ) -> tuple[str, Hashable, str | None]:
        """(worker name, batch key, note) for the engine and model a request asks for."""
        extractive = (EXTRACTIVE, sentences)
        if engine == "extractive":
            if model:
                raise ApiError(422, "invalid_request", "model applies to the abstractive engine only", "model")
            return (*extractive, None)
        if model and model not in self.summarizers:
            status = self.statuses.get(model)
            if status is None:
                known = ", ".join(self.summarizers) or "none loaded"
                raise ApiError(422, "unknown_model", f"model {model!r} is not loaded (summarizers: {known})", "model")
            if status.tasks and SUMMARIZE not in status.tasks:
                tasks = ", ".join(status.tasks)
                raise ApiError(422, "unsupported_task", f"model {model!r} does not summarize ({tasks})", "model")
            raise ApiError(503, "model_unavailable", f"model {model!r} is {status.state}: {status.detail}", "model", 30)
        name = model or self.default_summarizer()
        if name is None:
            reason = self.missing_reason(SUMMARIZE)
            if engine == "abstractive":
                raise ApiError(503, "model_unavailable", f"no abstractive summarizer is ready: {reason}", "engine", 30)
            return (*extractive, "no abstractive checkpoint is loaded, so the extractive engine answered; " + reason)
        return name, overrides, None

    def default_summarizer(self) -> str | None:
        """The first loaded abstractive summarizer in registry order, if any."""
        return next(iter(self.summarizers), None)

    def missing_reason(self, capability: str) -> str:
        """Why no model serves ``capability`` (``summarize`` or ``translate:*``): load state and fetch command."""
        reasons = [
            f"{s.name} is {s.state}" + (f" (run: {fetch_command(s.name)})" if s.state == "missing" else f": {s.detail}")
            for s in self.statuses.values()
            if any(t.startswith(capability) for t in s.tasks) or not s.tasks
        ]
        if self.loading:
            return "models are still loading; retry shortly"
        return "; ".join(reasons) or f"no model for {capability} is configured"
