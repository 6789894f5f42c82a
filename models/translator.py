"""Translation of whole texts, paragraphs kept: sentences packed into segments, one flat batch per direction."""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tomtat.models.errors import InputError, UnsupportedTaskError
from tomtat.models.langdetect import Detection, detect_language
from tomtat.models.model import Seq2SeqModel
from tomtat.models.registry import LANGUAGES, Language, Task, translate_task
from tomtat.models.streaming import Delta, DocumentStream, OnDelta, StopSignal
from tomtat.models.text import pack, sentences_by_paragraph


@dataclass
class Translation:
    translation: str
    source: Language
    target: Language
    model: str
    detected: Detection | None = None
    segments: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    # other distinct translations (``num_return_sequences`` > 1): the k-th takes each segment's k-th
    # hypothesis (its best where it has fewer), best first
    alternatives: list[str] = field(default_factory=list)


def detect_source(text: str) -> Detection:
    """The likelier of the languages tomtat translates (``und`` when the text has no letters): as
    LibreTranslate chooses among its installed languages, so that "OK" or "Sign in" is never answered
    as Italian or German and then refused."""
    return detect_language(text, LANGUAGES)


def resolve_source(text: str, source: str) -> tuple[Language, Detection | None]:
    """The text's source language: ``source`` itself, or detected when it is ``auto`` (CPU work:
    callers on an event loop run it in a thread)."""
    if source != "auto":
        return as_language(source, "source"), None
    detected = detect_source(text)
    if detected.language not in LANGUAGES:
        raise InputError(
            "no language can be detected in a text without letters; pass source explicitly",
            field="source",
            code="unsupported_language",
        )
    return as_language(detected.language, "source"), detected


def as_language(code: str, field: str) -> Language:
    for language in LANGUAGES:
        if code == language:
            return language
    allowed = ", ".join(("auto", *LANGUAGES) if field == "source" else LANGUAGES)
    raise InputError(f"{field} must be one of {allowed}", field=field)


class Translator:
    """Routes each direction to a model that supports it (envit5 does both vi->en and en->vi)."""

    def __init__(self, models: list[Seq2SeqModel], segment_tokens: int = 128) -> None:
        self.by_task: dict[Task, Seq2SeqModel] = {}
        for model in models:
            for task in model.checkpoint.tasks:
                if task.is_translation:
                    self.by_task.setdefault(task, model)
        self.segment_tokens = segment_tokens

    def directions(self) -> list[str]:
        """``vi-en``, ``en-vi``: the directions a loaded model translates."""
        return [task.direction for task in self.by_task]

    def model_for(self, task: Task) -> Seq2SeqModel | None:
        return self.by_task.get(task)

    def translate(
        self,
        texts: list[str],
        source: str = "auto",
        target: str = "en",
        overrides: Mapping[str, Any] | None = None,
        on_delta: OnDelta | None = None,
        stop: StopSignal | None = None,
    ) -> list[Translation]:
        """Translate every text; all segments of all texts in one direction go through one batch.
        ``on_delta``: each text's translation as it is generated, in order (see ``models.streaming``).
        ``stop``: once set, generation ends early and the translations are partial (see ``Seq2SeqModel.run``)."""
        target_language = as_language(target, "target")
        started = time.perf_counter()
        results: list[Translation] = []
        # (result index, paragraph index) for each segment, grouped by task
        jobs: dict[Task, list[tuple[int, int, str]]] = {}
        layouts: list[list[list[str]]] = []
        alternative_layouts: list[list[list[list[str]]]] = []  # per text, paragraph, segment: alternatives
        for index, text in enumerate(texts):
            if not text.strip():
                raise InputError("text is empty", field=f"texts[{index}]", code="empty_text")
            src, detected = resolve_source(text, source)
            paragraphs = sentences_by_paragraph(text)
            results.append(Translation("", src, target_language, "", detected))
            layouts.append([[] for _ in paragraphs])
            alternative_layouts.append([[] for _ in paragraphs])
            if src == target_language:
                results[-1].translation = "\n".join(" ".join(p) for p in paragraphs)
                results[-1].model = "identity"
                continue
            task = translate_task(src, target_language)
            model = self.by_task.get(task)
            if model is None:
                raise UnsupportedTaskError(
                    f"no loaded model translates {src}->{target}; available: {', '.join(self.directions()) or 'none'}"
                )
            results[-1].model = model.name
            budget = min(self.segment_tokens or model.input_budget(task), model.input_budget(task))
            for p, sentences in enumerate(paragraphs):
                # segment_tokens=0: one sentence per segment (split only when over the model's limit)
                groups = [[s] for s in sentences] if self.segment_tokens == 0 else [sentences]
                for group in groups:
                    for segment in pack(group, model.count_tokens, budget, model.split_text):
                        jobs.setdefault(task, []).append((index, p, segment))
        streams = _document_streams(jobs, len(texts), on_delta) if on_delta else {}
        for index, result in enumerate(results):
            if result.model == "identity" and on_delta is not None:
                on_delta(Delta(index, result.translation))
        for task, items in jobs.items():
            model = self.by_task[task]
            parts = _part_numbers(items)
            on_text = functools.partial(_to_document, streams, items, parts) if streams else None
            outputs = model.run(task, [segment for _, _, segment in items], overrides, on_text, stop)
            for k, output in enumerate(outputs):
                if streams:
                    streams[items[k][0]].finish(parts[k], output.text)
            for (index, p, _), output in zip(items, outputs, strict=True):
                layouts[index][p].append(output.text)
                alternative_layouts[index][p].append(output.alternatives)
                results[index].segments += 1
                results[index].input_tokens += output.input_tokens
                results[index].output_tokens += output.output_tokens
        seconds = time.perf_counter() - started
        for result, layout, alternatives in zip(results, layouts, alternative_layouts, strict=True):
            if result.model != "identity":
                result.translation = "\n".join(" ".join(parts) for parts in layout)
                result.alternatives = _combined_alternatives(layout, alternatives, result.translation)
            result.seconds = seconds
        return results


def _part_numbers(items: list[tuple[int, int, str]]) -> list[int]:
    """Each segment's place among its text's segments."""
    seen: dict[int, int] = {}
    numbers = []
    for index, _, _ in items:
        numbers.append(seen.get(index, 0))
        seen[index] = numbers[-1] + 1
    return numbers


def _document_streams(
    jobs: dict[Task, list[tuple[int, int, str]]], count: int, on_delta: OnDelta
) -> dict[int, DocumentStream]:
    """A stream per translated text: its segments joined as ``translate`` joins them (a space within a
    paragraph, a newline between paragraphs)."""
    separators: dict[int, list[str]] = {}
    for items in jobs.values():
        last_paragraph: dict[int, int] = {}
        for index, paragraph, _ in items:
            gap = paragraph - last_paragraph.get(index, 0)  # a paragraph with no segment is an empty line
            first = index not in last_paragraph
            separators.setdefault(index, []).append("\n" * gap if first or gap else " ")
            last_paragraph[index] = paragraph
    return {
        index: DocumentStream(parts, functools.partial(_emit, on_delta, index)) for index, parts in separators.items()
    }


def _emit(on_delta: OnDelta, index: int, text: str) -> bool | None:
    return on_delta(Delta(index, text))


def _to_document(
    streams: dict[int, DocumentStream],
    items: list[tuple[int, int, str]],
    parts: list[int],
    k: int,
    text: str,
    done: bool,
) -> bool:
    stream, part = streams[items[k][0]], parts[k]
    return stream.finish(part, text) if done else stream.update(part, text)


def _combined_alternatives(layout: list[list[str]], alternatives: list[list[list[str]]], best: str) -> list[str]:
    count = max((len(a) for paragraph in alternatives for a in paragraph), default=0)
    combined = [
        "\n".join(
            " ".join(a[k] if k < len(a) else part for part, a in zip(parts, alts, strict=True))
            for parts, alts in zip(layout, alternatives, strict=True)
        )
        for k in range(count)
    ]
    return [text for text in dict.fromkeys(combined) if text != best]
