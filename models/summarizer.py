"""Summarizers: abstractive (a seq2seq checkpoint, map-reduce beyond its input limit) and extractive."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tomtat.models.errors import InputError
from tomtat.models.extractive import MAX_WORDS, lead, select_sentences
from tomtat.models.langdetect import detect_language, surely_vietnamese
from tomtat.models.model import Seq2SeqModel
from tomtat.models.registry import SUMMARIZE
from tomtat.models.streaming import Delta, DocumentStream, OnDelta, StopSignal
from tomtat.models.text import latin_share, normalize, pack, split_sentences

_MARKUP = re.compile(r"</?(script|style|html|head|body|div|span|p|br|a|img|iframe|table|ul|li)\b[^>]*>", re.I)
MIN_LATIN_SHARE = 0.5  # below this share of Latin letters a text is not Vietnamese, whatever langdetect says
NOT_VIETNAMESE_CONFIDENCE = 0.90  # below this, langdetect's guess on short or mixed text is too weak to refuse


@dataclass
class Summary:
    """One document's summary and how it was made."""

    summary: str
    engine: str  # "abstractive", "extractive" or "lead"
    model: str
    input_tokens: int = 0
    output_tokens: int = 0  # generated tokens over every pass (0 for the extractive engines)
    chunked: bool = False
    chunks: int = 1
    seconds: float = 0.0


def check_article(
    text: object,
    *,
    field_name: str = "text",
    allow_any_language: bool = False,
    override: str = "allow_any_language",
) -> str:
    """The normalized article, or an ``InputError`` saying why it cannot be summarized."""
    if not isinstance(text, str):
        raise InputError(f"{field_name} must be a string", field=field_name, code="wrong_type")
    clean = normalize(text)
    if not clean:
        raise InputError(f"{field_name} is empty", field=field_name, code="empty_text")
    if not any(ch.isalpha() for ch in clean):
        raise InputError(f"{field_name} has no words to summarize", field=field_name, code="no_words")
    if _MARKUP.search(clean):
        raise InputError(
            f'{field_name} looks like HTML; send it with format "html" (or "auto") to have the article '
            "extracted from the markup",
            field=field_name,
            code="html_not_supported",
        )
    if not allow_any_language and latin_share(clean) < MIN_LATIN_SHARE:
        # Burmese, Khmer, Lao, Ge'ez, CJK…: langdetect has no profile for some and guesses wildly; Vietnamese
        # is written in Latin letters, so the script alone decides (before any rule that counts words)
        raise InputError(
            f"{field_name} is written mostly in a non-Latin script, not Vietnamese; the summarization models "
            f"are Vietnamese-only (set {override} to override)",
            field=field_name,
            code="not_vietnamese",
        )
    if not allow_any_language and not surely_vietnamese(clean):
        detected = detect_language(clean)
        if detected.language != "vi" and detected.probability >= NOT_VIETNAMESE_CONFIDENCE:
            raise InputError(
                f"{field_name} looks like {detected.language!r} (p={detected.probability}), not Vietnamese; "
                f"the summarization models are Vietnamese-only (set {override} to override)",
                field=field_name,
                code="not_vietnamese",
            )
    return clean


class ExtractiveSummarizer:
    """Picks the most central, early sentences; needs no weights."""

    engine = "extractive"
    name = "textrank"

    def __init__(self, max_sentences: int = 3, max_words: int | None = MAX_WORDS) -> None:
        self.max_sentences = max_sentences
        self.max_words = max_words

    def summarize(self, texts: list[str], overrides: Mapping[str, Any] | None = None) -> list[Summary]:
        results = []
        for text in texts:
            started = time.perf_counter()
            chosen, method = select_sentences(normalize(text), self.max_sentences, self.max_words)
            # model says which method chose the sentences: "textrank", or "lead" when too few to rank
            results.append(Summary(" ".join(chosen), self.engine, method, seconds=time.perf_counter() - started))
        return results


class LeadSummarizer:
    """The Lead-k baseline: the first k summary-worthy sentences."""

    engine = "lead"

    def __init__(self, k: int = 3) -> None:
        self.k = k
        self.name = f"lead{k}"

    def summarize(self, texts: list[str], overrides: Mapping[str, Any] | None = None) -> list[Summary]:
        return [Summary(" ".join(lead(normalize(t), self.k)), self.engine, self.name) for t in texts]


class AbstractiveSummarizer:
    """Summarizes with a seq2seq checkpoint; texts beyond its input limit go through map-reduce.

    Map: every chunk of every document is summarized in one flat, length-sorted batch. Reduce: each
    document's partial summaries are joined and summarized again until they fit in one pass.
    """

    engine = "abstractive"

    def __init__(self, model: Seq2SeqModel, max_rounds: int = 4) -> None:
        self.model = model
        self.max_rounds = max_rounds

    @property
    def name(self) -> str:
        return self.model.name

    def _chunks(self, sentences: list[str], budget: int) -> list[str]:
        return pack(sentences, self.model.count_tokens, budget, self.model.split_text)

    def _sentences(self, text: str) -> list[str]:
        return [s for paragraph in normalize(text).split("\n") for s in split_sentences(paragraph)]

    def plan_chunks(self, text: str) -> list[str]:
        """The model inputs a text is cut into for the first (map) pass; one when it fits."""
        return self._chunks(self._sentences(text), self.model.input_budget(SUMMARIZE))

    def summarize(
        self,
        texts: list[str],
        overrides: Mapping[str, Any] | None = None,
        on_delta: OnDelta | None = None,
        stop: StopSignal | None = None,
    ) -> list[Summary]:
        """``on_delta``: text as it is generated (see ``models.streaming``); a document's final pass is
        stage ``final``, its summary; the passes of a chunked article before it say which they are.
        ``stop``: once set, generation ends early and the summaries are partial (see ``Seq2SeqModel.run``)."""
        started = time.perf_counter()
        budget = self.model.input_budget(SUMMARIZE)
        pending = {i: self._sentences(text) for i, text in enumerate(texts)}
        results = [
            Summary("", self.engine, self.name, input_tokens=self.model.count_tokens(" ".join(pending[i])))
            for i in range(len(texts))
        ]
        for round_number in range(1, self.max_rounds + 1):
            jobs = [(i, chunk) for i, sentences in pending.items() for chunk in self._chunks(sentences, budget)]
            if not jobs or (stop is not None and stop.is_set()):
                break
            streams = _pass_streams(jobs, round_number, on_delta) if on_delta else []
            on_text = functools.partial(_to_stream, streams) if streams else None
            outputs = self.model.run(SUMMARIZE, [chunk for _, chunk in jobs], overrides, on_text, stop)
            for stream, output in zip(streams, outputs, strict=False):
                stream.finish(0, output.text)  # what a part's last token did not report (no eos)
            partials: dict[int, list[str]] = {}
            for (i, _), output in zip(jobs, outputs, strict=True):
                partials.setdefault(i, []).append(output.text)
                results[i].output_tokens += output.output_tokens
            pending = {}
            for i, parts in partials.items():
                if round_number == 1:
                    results[i].chunks = len(parts)
                    results[i].chunked = len(parts) > 1
                if len(parts) == 1:
                    results[i].summary = parts[0]
                elif round_number == self.max_rounds:  # partial summaries never fit: give them all, in order
                    results[i].summary = " ".join(parts)
                else:
                    pending[i] = [s for part in parts for s in split_sentences(part) if s]
        seconds = time.perf_counter() - started
        for result in results:
            result.seconds = seconds
        return results


def _pass_streams(jobs: list[tuple[int, str]], round_number: int, on_delta: OnDelta) -> list[DocumentStream]:
    """One stream per model input of a pass: ``final`` when it is its document's only input this round."""
    parts: dict[int, int] = {}
    for i, _ in jobs:
        parts[i] = parts.get(i, 0) + 1
    streams, seen = [], dict.fromkeys(parts, 0)
    for i, _ in jobs:
        seen[i] += 1
        stage = "final" if parts[i] == 1 else f"round {round_number}, part {seen[i]} of {parts[i]}"
        streams.append(DocumentStream([""], functools.partial(_emit, on_delta, i, stage)))
    return streams


def _emit(on_delta: OnDelta, index: int, stage: str, text: str) -> bool | None:
    return on_delta(Delta(index, text, stage))


def _to_stream(streams: list[DocumentStream], index: int, text: str, finished: bool) -> bool:
    return streams[index].finish(0, text) if finished else streams[index].update(0, text)
