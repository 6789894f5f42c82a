"""The one facade between every caller and the models: summarize, translate, summarize-then-translate.

HTTP routes, the LibreTranslate routes and archive jobs use ``WorkerGateway`` (the server's batch
workers); ``tomtat summarize|translate|batch|eval`` and the Ray actors use ``LocalGateway`` (models
loaded in the process, no event loop of their own: they call ``run_sync``). The flows themselves,
including "summarize, then translate the summary", are written once, in ``Gateway``.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from tomtat.models.engine_choice import Summarizer
from tomtat.models.errors import InputError, ModelUnavailableError
from tomtat.models.facts import Flag, check_summary, check_translation
from tomtat.models.langdetect import Detection
from tomtat.models.markup import Markup
from tomtat.models.registry import Language, Task, translate_task
from tomtat.models.streaming import Delta, OnDelta
from tomtat.models.summarizer import Summary, check_article
from tomtat.models.translator import Translation, Translator, as_language, resolve_source
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.batch_worker import BatchTiming
from tomtat.service.runtime.cpu_work import IN_THREADS, CpuWork
from tomtat.service.runtime.keys import Overrides, SummaryPlan, TranslateKey
from tomtat.service.runtime.pool import ModelPool
from tomtat.service.runtime.result_cache import ResultCache

T = TypeVar("T")


@dataclass(frozen=True)
class SummaryResult:
    summary: Summary
    summary_en: str | None
    timing: BatchTiming
    flags: tuple[Flag, ...] = ()  # facts of the summary its article does not support
    flags_en: tuple[Flag, ...] | None = None  # the same for the translated summary
    cached: bool = False  # answered from the result cache, not by the model


@dataclass(frozen=True)
class TranslationResult:
    translation: Translation
    detected: Detection | None
    timing: BatchTiming
    flags: tuple[Flag, ...] = ()  # facts changed, added or left out by the translation


def _summary_flags(
    texts: list[str], summaries: list[Summary], translated: list[str | None], target: str | None
) -> list[tuple[tuple[Flag, ...], tuple[Flag, ...] | None]]:
    """Faithfulness flags of each summary (and its translation) against its article; CPU work."""
    return [
        (
            tuple(check_summary(text, summary.summary, "vi")),
            tuple(check_summary(text, english, "vi", target)) if english is not None and target else None,
        )
        for text, summary, english in zip(texts, summaries, translated, strict=True)
    ]


class Gateway(ABC):
    """What callers ask of the models; subclasses say how a batch reaches them."""

    cache: ResultCache | None = None  # opt-in: summaries seen before come from SQLite, not the model
    cpu: CpuWork = IN_THREADS  # where reading articles and checking facts run (worker processes: CpuWork(n))

    def _count_cache(self, hits: int, misses: int) -> None:  # noqa: B027 - optional hook, not abstract
        """Where a gateway reports cache use (the server: Prometheus counters); nowhere by default."""

    @abstractmethod
    async def _summaries(
        self, texts: list[str], plan: SummaryPlan, priority: int, on_delta: OnDelta | None = None
    ) -> tuple[list[Summary], BatchTiming]: ...

    @abstractmethod
    async def _translations(
        self, texts: list[str], key: TranslateKey, priority: int, on_delta: OnDelta | None = None
    ) -> tuple[list[Translation], BatchTiming]: ...

    @abstractmethod
    def _translator(self, task: Task, field_name: str | None) -> Translator:
        """The translator that serves ``task``; raises ``ModelUnavailableError`` when none does."""

    async def check_articles(
        self, texts: list[str], fields: Sequence[str], allow_any_language: bool = False
    ) -> list[str | InputError]:
        """Each normalized article, or the ``InputError`` saying why it cannot be summarized (empty,
        markup, clearly not Vietnamese). Language detection is CPU work: done in a thread."""

        def check_one(text: str, field_name: str) -> str | InputError:
            try:
                return check_article(text, field_name=field_name, allow_any_language=allow_any_language)
            except InputError as error:
                return error

        return await asyncio.to_thread(lambda: [check_one(t, f) for t, f in zip(texts, fields, strict=True)])

    async def summarize(
        self,
        texts: list[str],
        plan: SummaryPlan,
        translate_to: str | None = None,
        priority: int = 0,
        check_facts: bool = True,
        on_delta: OnDelta | None = None,
    ) -> list[SummaryResult]:
        """Summaries of ``texts`` (already checked), each with its translation when ``translate_to`` is set
        and its faithfulness flags unless ``check_facts`` is off (~9 ms of CPU per article). ``on_delta``:
        the summaries as they are generated (on the server's workers; cached ones are not streamed)."""
        target = as_language(translate_to, "translate_to") if translate_to else None
        translation = None
        if target is not None:  # refuse before any model work
            task = translate_task("vi", target)
            model = self._translator(task, "translate_to").model_for(task)
            translation = f"{model.name if model else '?'}>{target}"
        cache = self.cache
        keys = cache.keys(plan, translation, texts) if cache is not None else []
        found = await asyncio.to_thread(cache.get, keys) if cache is not None else {}
        if cache is not None:
            self._count_cache(len(found), len(keys) - len(found))
        todo = [i for i in range(len(texts)) if not keys or keys[i] not in found]
        todo_texts, streamed = [texts[i] for i in todo], reindexed(on_delta, todo)
        summaries, translated, timing = await self._summarize_texts(todo_texts, plan, target, priority, streamed)
        if cache is not None and todo:
            await asyncio.to_thread(
                cache.put, {keys[i]: (s, en) for i, s, en in zip(todo, summaries, translated, strict=True)}
            )
        computed = dict(zip(todo, zip(summaries, translated, strict=True), strict=True))
        answers = [computed[i] if i in computed else found[keys[i]] for i in range(len(texts))]
        cached = [i not in computed for i in range(len(texts))]
        all_summaries, all_translated = [a[0] for a in answers], [a[1] for a in answers]
        if not check_facts:
            rows = zip(all_summaries, all_translated, cached, strict=True)
            return [SummaryResult(s, en, timing, cached=c) for s, en, c in rows]
        flags = await self.cpu.run(_summary_flags, texts, all_summaries, all_translated, target)
        return [
            SummaryResult(s, en, timing, *f, cached=c)
            for s, en, f, c in zip(all_summaries, all_translated, flags, cached, strict=True)
        ]

    async def _summarize_texts(
        self,
        texts: list[str],
        plan: SummaryPlan,
        target: Language | None,
        priority: int,
        on_delta: OnDelta | None = None,
    ) -> tuple[list[Summary], list[str | None], BatchTiming]:
        """The model's summaries of ``texts`` and, with a ``target``, their translations."""
        if not texts:
            return [], [], BatchTiming(0.0, 0.0, 0)
        summaries, timing = await self._summaries(texts, plan, priority, on_delta)
        translated: list[str | None] = [None] * len(summaries)
        if target is not None and summaries:
            outputs, _ = await self._translations([s.summary for s in summaries], TranslateKey("vi", target), priority)
            translated = [t.translation for t in outputs]
        return summaries, translated, timing

    async def translate(
        self,
        texts: list[str],
        source: str,
        target: str,
        overrides: Overrides = (),
        fields: Sequence[str] | None = None,
        priority: int = 0,
    ) -> list[TranslationResult]:
        """Translate each text (source detected per text when ``auto``); one batch per direction. All or
        nothing: the first text that cannot be translated is raised before any model work."""
        return _all_or_raise(await self._translate(texts, source, target, overrides, fields, priority, strict=True))

    async def translate_each(
        self,
        texts: list[str],
        source: str,
        target: str,
        overrides: Overrides = (),
        fields: Sequence[str] | None = None,
        priority: int = 0,
        on_delta: OnDelta | None = None,
    ) -> list[TranslationResult | InputError]:
        """``translate``, where a text that cannot be translated (empty, no language to detect, a
        direction no model serves) gets its error in its slot and the others are translated.
        ``on_delta``: the translations as they are generated."""
        return await self._translate(texts, source, target, overrides, fields, priority, False, on_delta)

    async def _translate(
        self,
        texts: list[str],
        source: str,
        target: str,
        overrides: Overrides,
        fields: Sequence[str] | None,
        priority: int,
        strict: bool,
        on_delta: OnDelta | None = None,
    ) -> list[TranslationResult | InputError]:
        fields = list(fields) if fields is not None else [f"texts[{i}]" for i in range(len(texts))]
        target_language = as_language(target, "target")
        first_source = "vi" if source == "auto" else as_language(source, "source")
        translator = self._translator(translate_task(first_source, target_language), None)
        resolved = await asyncio.to_thread(_resolve_each, texts, source, fields)  # langdetect is CPU work
        for index, (found, field_name) in enumerate(zip(resolved, fields, strict=True)):
            if isinstance(found, InputError):
                continue
            language = found[0]
            if language != target_language and translator.model_for(translate_task(language, target_language)) is None:
                available = ", ".join(translator.directions())
                resolved[index] = InputError(
                    f"{field_name}: no loaded model translates {language}-{target_language}; available: {available}",
                    field=field_name,
                    code="unsupported_direction",
                )
        if strict:
            _all_or_raise(resolved)
        groups: dict[Language, list[int]] = {}
        for index, found in enumerate(resolved):
            if not isinstance(found, InputError):
                groups.setdefault(found[0], []).append(index)

        async def run(language: Language, indices: list[int]) -> tuple[list[int], list[Translation], BatchTiming]:
            key = TranslateKey(language, target_language, overrides)
            outputs, timing = await self._translations(
                [texts[i] for i in indices], key, priority, reindexed(on_delta, indices)
            )
            return indices, outputs, timing

        slots: list[TranslationResult | InputError | None] = [
            found if isinstance(found, InputError) else None for found in resolved
        ]
        for indices, outputs, timing in await asyncio.gather(*(run(lang, ix) for lang, ix in groups.items())):
            for index, translation in zip(indices, outputs, strict=True):
                if isinstance(found := resolved[index], tuple):
                    slots[index] = TranslationResult(replace(translation, detected=found[1]), found[1], timing)
        results = [slot for slot in slots if slot is not None]
        assert len(results) == len(texts)  # every text has its translation or its error
        return await asyncio.to_thread(_with_translation_flags, texts, results)

    async def translate_markup(
        self,
        documents: list[str],
        source: str,
        target: str,
        fields: Sequence[str],
        priority: int = 0,
        overrides: Overrides = (),
    ) -> list[MarkupResult]:
        """Each HTML document with the text of its blocks translated and its markup kept; the
        language of a document (``auto``) is detected on all its text at once. All or nothing."""
        return _all_or_raise(await self._translate_markup(documents, source, target, fields, priority, overrides, True))

    async def translate_markup_each(
        self,
        documents: list[str],
        source: str,
        target: str,
        fields: Sequence[str],
        priority: int = 0,
        overrides: Overrides = (),
    ) -> list[MarkupResult | InputError]:
        """``translate_markup`` with each document's error in its slot, the others translated."""
        return await self._translate_markup(documents, source, target, fields, priority, overrides, False)

    async def _translate_markup(
        self,
        documents: list[str],
        source: str,
        target: str,
        fields: Sequence[str],
        priority: int,
        overrides: Overrides,
        strict: bool,
    ) -> list[MarkupResult | InputError]:
        target_language = as_language(target, "target")
        markups = [Markup(document) for document in documents]
        blocks = [markup.texts for markup in markups]
        languages: list[tuple[Language, Detection | None] | InputError | None] = []
        for document_blocks, field_name in zip(blocks, fields, strict=True):
            if not document_blocks:
                languages.append(None)  # nothing to translate: the document comes back as it is
                continue
            try:
                languages.append(await asyncio.to_thread(resolve_source, " ".join(document_blocks), source))
            except InputError as error:
                failure = InputError(f"{field_name}: {error}", field=field_name, code=error.code)
                if strict:
                    raise failure from None
                languages.append(failure)
        found_languages = [found if isinstance(found, tuple) else None for found in languages]
        flat = [
            (i, text)
            for i, (texts, language) in enumerate(zip(blocks, found_languages, strict=True))
            if language
            for text in texts
        ]
        translated: dict[int, list[TranslationResult | InputError]] = {}
        for language in {lang for lang, _ in filter(None, found_languages)}:
            mine = [(i, text) for i, text in flat if (known := found_languages[i]) is not None and known[0] == language]
            outputs = await self._translate(
                [text for _, text in mine], language, target, overrides, [fields[i] for i, _ in mine], priority, strict
            )
            for (i, _), output in zip(mine, outputs, strict=True):
                translated.setdefault(i, []).append(output)
        results: list[MarkupResult | InputError] = []
        for i, (markup, found) in enumerate(zip(markups, languages, strict=True)):
            parts = translated.get(i, [])
            errors = [found] if isinstance(found, InputError) else [p for p in parts if isinstance(p, InputError)]
            failed = errors[0] if errors else None
            if failed is not None:
                results.append(failed)
                continue
            done = [part for part in parts if isinstance(part, TranslationResult)]
            document = markup.rebuilt([part.translation.translation for part in done])
            language = found[0] if isinstance(found, tuple) else target_language
            results.append(
                MarkupResult(
                    document,
                    found[1] if isinstance(found, tuple) else None,
                    language,
                    done[0].translation.model if done else "",
                    done[0].timing if done else BatchTiming(0.0, 0.0, 0),
                    tuple(flag for part in done for flag in part.flags),
                )
            )
        return results


@dataclass(frozen=True)
class MarkupResult:
    document: str  # the HTML with its text translated
    detected: Detection | None
    source: str  # the language its text was translated from
    model: str  # the model that translated it ("" when it had no text)
    timing: BatchTiming
    flags: tuple[Flag, ...]  # per block: facts changed, added or left out


def _with_translation_flags(
    texts: list[str], results: list[TranslationResult | InputError]
) -> list[TranslationResult | InputError]:
    """Each translation with its faithfulness flags against its source text; CPU work."""
    flagged: list[TranslationResult | InputError] = []
    for text, result in zip(texts, results, strict=True):
        if isinstance(result, InputError):
            flagged.append(result)
            continue
        source, target = result.translation.source, result.translation.target
        flags = check_translation(text, result.translation.translation, source, target) if source != target else []
        flagged.append(replace(result, flags=tuple(flags)))
    return flagged


def _resolve_each(
    texts: list[str], source: str, fields: list[str]
) -> list[tuple[Language, Detection | None] | InputError]:
    """Each text's source language, or the error that keeps it from being translated."""
    resolved: list[tuple[Language, Detection | None] | InputError] = []
    for text, field_name in zip(texts, fields, strict=True):
        if not text.strip():
            resolved.append(InputError(f"{field_name} is empty", field=field_name, code="empty_text"))
            continue
        try:
            resolved.append(resolve_source(text, source))
        except InputError as error:
            resolved.append(InputError(f"{field_name}: {error}", field=field_name, code=error.code))
    return resolved


def reindexed(on_delta: OnDelta | None, indices: list[int]) -> OnDelta | None:
    """``on_delta`` for a subset of the texts: delta ``k`` is text ``indices[k]``'s."""
    if on_delta is None:
        return None

    def forward(delta: Delta) -> bool | None:
        return on_delta(Delta(indices[delta.index], delta.text, delta.stage))

    return forward


def _all_or_raise(results: Sequence[T | InputError]) -> list[T]:
    """The results, or the first error among them raised."""
    for result in results:
        if isinstance(result, InputError):
            raise result
    return [result for result in results if not isinstance(result, InputError)]


class WorkerGateway(Gateway):
    """The server's gateway: batches go through the pool's batch workers, merged with other requests."""

    def __init__(self, pool: ModelPool, metrics: Metrics, cache: ResultCache | None = None) -> None:
        self.pool = pool
        self.metrics = metrics
        self.cache = cache

    def _count_cache(self, hits: int, misses: int) -> None:
        self.metrics.cache_hits.inc(hits)
        self.metrics.cache_misses.inc(misses)

    async def _summaries(
        self, texts: list[str], plan: SummaryPlan, priority: int, on_delta: OnDelta | None = None
    ) -> tuple[list[Summary], BatchTiming]:
        worker = self.pool.summary_worker(plan)
        tokens = self.pool.estimate_tokens(plan.worker, texts)
        summaries, timing = await worker.submit(texts, plan.key, tokens, priority, on_delta)
        for summary in summaries:
            self.metrics.tokens_in.labels(summary.model).inc(summary.input_tokens)
            self.metrics.tokens_out.labels(summary.model).inc(summary.output_tokens)
        return summaries, timing

    async def _translations(
        self, texts: list[str], key: TranslateKey, priority: int, on_delta: OnDelta | None = None
    ) -> tuple[list[Translation], BatchTiming]:
        worker, _ = self.pool.translation(
            translate_task(as_language(key.source, "source"), as_language(key.target, "target"))
        )
        tokens = self.pool.estimate_tokens(worker.name, texts)
        translations, timing = await worker.submit(texts, key, tokens, priority, on_delta)
        for translation in translations:
            self.metrics.tokens_in.labels(translation.model).inc(translation.input_tokens)
            self.metrics.tokens_out.labels(translation.model).inc(translation.output_tokens)
        return translations, timing

    def _translator(self, task: Task, field_name: str | None) -> Translator:
        _, translator = self.pool.translation(task, field_name)
        return translator


class LocalGateway(Gateway):
    """Models loaded in this process, called directly (the command line, archives, Ray actors)."""

    def __init__(
        self,
        summarizer: Summarizer | None = None,
        translator: Translator | None = None,
        cache: ResultCache | None = None,
    ) -> None:
        self.summarizer = summarizer
        self.translator = translator
        self.cache = cache

    async def _summaries(
        self, texts: list[str], plan: SummaryPlan, priority: int, on_delta: OnDelta | None = None
    ) -> tuple[list[Summary], BatchTiming]:
        # the command line and the Python API answer whole results: nothing is streamed here
        if self.summarizer is None:
            raise ModelUnavailableError("no summarizer was loaded", "engine")
        overrides = dict(getattr(plan.key, "overrides", ()))
        started = time.perf_counter()
        summaries = await asyncio.to_thread(self.summarizer.summarize, texts, overrides)
        return summaries, BatchTiming(0.0, (time.perf_counter() - started) * 1000, len(texts))

    async def _translations(
        self, texts: list[str], key: TranslateKey, priority: int, on_delta: OnDelta | None = None
    ) -> tuple[list[Translation], BatchTiming]:
        translator = self._translator(
            translate_task(as_language(key.source, "source"), as_language(key.target, "target")), None
        )
        started = time.perf_counter()
        translations = await asyncio.to_thread(translator.translate, texts, key.source, key.target, dict(key.overrides))
        return translations, BatchTiming(0.0, (time.perf_counter() - started) * 1000, len(texts))

    def _translator(self, task: Task, field_name: str | None) -> Translator:
        if self.translator is None:
            raise ModelUnavailableError(f"no translation model was loaded for {task.direction}", field_name)
        return self.translator


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a gateway call from code without an event loop (the CLI, archive batches, Ray actors)."""
    return asyncio.run(coroutine)
