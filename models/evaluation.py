"""Evaluation: ROUGE two ways (paper-comparable and Vietnamese-aware) with bootstrap intervals, sacreBLEU.

The ViT5 paper's ROUGE used rouge-score's default tokenizer, which lowercases and keeps only
``[a-z0-9]``: every Vietnamese syllable with a diacritic is cut into pieces or dropped. tomtat
reports that figure (to compare with the paper) and a Vietnamese-aware one (syllables kept whole).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")
_WORD = re.compile(r"\w+", re.UNICODE)

# the Vietnews files keep the word segmenter's spaces around punctuation: "25/2 , TAND ( SN 1994 ) ."
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%…)\]”’»])")
_SPACE_AFTER = re.compile(r"([(\[“‘«])\s+")
_STRAIGHT_QUOTES = re.compile(r'"\s*([^"]*?)\s*"')


def detokenize(text: str) -> str:
    """Undo tokenizer spacing around punctuation (``"a , b ( c )"`` -> ``"a, b (c)"``)."""
    text = _SPACE_BEFORE.sub(r"\1", text)
    text = _SPACE_AFTER.sub(r"\1", text)
    return _STRAIGHT_QUOTES.sub(r'"\1"', text)


class VietnameseTokenizer:
    """NFC, lowercase, whole syllables with their diacritics; punctuation dropped."""

    def tokenize(self, text: str) -> list[str]:
        return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def _scorer(kind: str) -> Any:
    from rouge_score import rouge_scorer

    tokenizer = VietnameseTokenizer() if kind == "vietnamese" else None
    return rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=False, tokenizer=tokenizer)


def rouge_f1(predictions: Sequence[str], references: Sequence[str], kind: str) -> list[dict[str, float]]:
    """Per-document ROUGE-1/2/L F1 (``kind``: ``paper`` = rouge-score default, or ``vietnamese``)."""
    scorer = _scorer(kind)
    return [
        {name: score.fmeasure for name, score in scorer.score(ref, pred).items()}
        for pred, ref in zip(predictions, references, strict=True)
    ]


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{100 * self.mean:.2f} [{100 * self.low:.2f}, {100 * self.high:.2f}]"


def bootstrap(values: Sequence[float], samples: int = 1000, seed: int = 0) -> Interval:
    """Mean with a percentile-bootstrap 95% interval over documents."""
    rng = random.Random(seed)
    n = len(values)
    if n == 0:
        return Interval(0.0, 0.0, 0.0)
    means = sorted(sum(values[rng.randrange(n)] for _ in range(n)) / n for _ in range(samples))
    return Interval(sum(values) / n, means[int(0.025 * samples)], means[int(0.975 * samples) - 1])


def summarize_scores(per_doc: list[dict[str, float]]) -> dict[str, Interval]:
    return {name: bootstrap([d[name] for d in per_doc]) for name in ROUGE_TYPES}


def translation_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, str | float]:
    """Corpus BLEU and chrF with sacreBLEU's signatures (so figures are comparable elsewhere)."""
    from sacrebleu.metrics.bleu import BLEU
    from sacrebleu.metrics.chrf import CHRF

    bleu, chrf = BLEU(), CHRF()
    bleu_score = bleu.corpus_score(list(hypotheses), [list(references)])
    chrf_score = chrf.corpus_score(list(hypotheses), [list(references)])
    return {
        "bleu": round(bleu_score.score, 2),
        "chrf": round(chrf_score.score, 2),
        "bleu_signature": str(bleu.get_signature()),
        "chrf_signature": str(chrf.get_signature()),
    }
