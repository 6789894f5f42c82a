"""How well the faithfulness checker separates faithful outputs from altered ones (``scripts/faithfulness.py``).

Faithful pairs: IWSLT'15 tst2013 human translations (both directions) and the extractive engine's
Vietnews summaries (verbatim sentences of the article). Altered pairs: the same outputs with one
number changed, one date shifted, one name altered or dropped (a fixed seed). A pair is *flagged* when
the checker raises a flag, an alteration *detected* when the altered pair raises a flag the faithful
one did not.
"""

from __future__ import annotations

import json
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tomtat.models.evaluation import detokenize
from tomtat.models.facts import Flag, check_pair, extract_facts
from tomtat.models.facts.dates import DateValue
from tomtat.models.summarizer import ExtractiveSummarizer

VI_NAMES = ["Trần Minh Khôi", "Phạm Quốc Bảo", "Đặng Thu Hà", "Vũ Hoàng Long", "Bùi Thanh Tâm"]
EN_NAMES = ["Margaret Holloway", "Kenji Watanabe", "Lucas Fernandez", "Ingrid Solberg", "Tomasz Wrobel"]
VI_WORDS = {"hai": "bảy", "bốn": "chín", "sáu": "tám", "bảy": "hai", "tám": "sáu", "chín": "bốn", "mười": "sáu"}
EN_WORDS = {"two": "seven", "three": "eight", "four": "nine", "five": "six", "six": "five", "seven": "two",
            "eight": "three", "nine": "four", "ten": "six", "twelve": "nine", "twenty": "sixty"}  # fmt: skip


@dataclass
class Pair:
    source: str
    output: str
    source_lang: str
    output_lang: str


@dataclass
class Outcome:
    faithful: int = 0
    faithful_with_facts: int = 0
    faithful_flagged: int = 0
    flags_by_kind: Counter[str] = field(default_factory=Counter)
    altered: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    examples: list[dict] = field(default_factory=list)

    def line(self, name: str) -> dict:
        rate = self.faithful_flagged / max(1, self.faithful_with_facts)
        detected = {k: self.detected[k] / self.altered[k] for k in sorted(self.altered)}
        tp = sum(self.detected.values())
        return {
            "set": name,
            "pairs": self.faithful,
            "pairs_with_facts": self.faithful_with_facts,
            "faithful_flagged": self.faithful_flagged,
            "faithful_flag_rate": rate,
            "flags_on_faithful_by_kind": dict(self.flags_by_kind),
            "altered": dict(self.altered),
            "detection_rate": detected,
            "precision": tp / max(1, tp + self.faithful_flagged),
            "recall": tp / max(1, sum(self.altered.values())),
            "check_ms_median": 1000 * statistics.median(self.seconds) if self.seconds else 0.0,
            "check_ms_p95": 1000 * sorted(self.seconds)[int(0.95 * (len(self.seconds) - 1))] if self.seconds else 0.0,
        }


def _replace(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


def change_number(pair: Pair, rng: random.Random) -> str | None:
    facts = [f for f in extract_facts(pair.output, pair.output_lang) if f.kind in ("number", "amount")]
    if pair.source_lang != pair.output_lang:  # translations are checked on numbers written in digits
        facts = [f for f in facts if any(ch.isdigit() for ch in f.text)]
    if not facts:
        return None
    fact = rng.choice(facts)
    words = VI_WORDS if pair.output_lang == "vi" else EN_WORDS
    if fact.text.lower() in words:
        return _replace(pair.output, fact.start, fact.end, words[fact.text.lower()])
    digits = list(re.finditer(r"\d", fact.text))
    if not digits:
        return None
    digit = digits[0]  # the leading digit: the change is never a rounding
    new_digit = str((int(digit.group()) + rng.randint(1, 8)) % 10)
    if new_digit == "0" and digit.start() == 0:
        new_digit = "9"
    new_text = fact.text[: digit.start()] + new_digit + fact.text[digit.end() :]
    return _replace(pair.output, fact.start, fact.end, new_text)


def shift_date(pair: Pair, rng: random.Random) -> str | None:
    facts = [f for f in extract_facts(pair.output, pair.output_lang) if f.kind == "date"]
    if not facts:
        return None
    fact = rng.choice(facts)
    assert isinstance(fact.value, DateValue)
    parts = fact.value.parts()
    for part, number in parts.items():
        if part == "minute" and parts.get("hour") is not None:
            continue
        run = next((m for m in re.finditer(r"\d+", fact.text) if int(m.group()) == number), None)
        if run is None:
            continue
        limit = {"month": 12, "day": 28, "hour": 23}.get(part)
        shifted = number + 1 if limit is None or number < limit else number - 1
        width = len(run.group())
        new_text = fact.text[: run.start()] + str(shifted).zfill(width) + fact.text[run.end() :]
        return _replace(pair.output, fact.start, fact.end, new_text)
    return None


def alter_name(pair: Pair, rng: random.Random) -> str | None:
    """A misspelt or swapped name: one word of a longer name replaced (Lê Trí Thanh -> Lê Trí Hùng),
    a one-word name replaced by a whole other name."""
    facts = [f for f in extract_facts(pair.output, pair.output_lang) if f.kind == "name"]
    if not facts:
        return None
    fact = rng.choice(facts)
    pool = VI_NAMES if pair.output_lang == "vi" else EN_NAMES
    words = fact.text.split()
    if len(words) > 1:
        replacement = rng.choice([w for name in pool for w in name.split() if w not in words])
        words[rng.randrange(len(words))] = replacement
        return _replace(pair.output, fact.start, fact.end, " ".join(words))
    return _replace(pair.output, fact.start, fact.end, rng.choice(pool))


def drop_name(pair: Pair, rng: random.Random) -> str | None:
    facts = [f for f in extract_facts(pair.output, pair.output_lang) if f.kind == "name"]
    if not facts:
        return None
    fact = rng.choice(facts)
    return _replace(pair.output, fact.start, fact.end, "").replace("  ", " ")


ALTERATIONS: dict[str, Callable[[Pair, random.Random], str | None]] = {
    "number changed": change_number,
    "date shifted": shift_date,
    "name altered": alter_name,
    "name dropped": drop_name,
}


def _key(flags: list[Flag]) -> Counter[tuple[str, str, str]]:
    return Counter((f.kind, f.reason, f.text) for f in flags)


def evaluate(pairs: list[Pair], alterations: list[str], seed: int = 0, keep_examples: int = 0) -> Outcome:
    rng = random.Random(seed)
    outcome = Outcome()
    for pair in pairs:
        started = time.perf_counter()
        flags = check_pair(pair.source, pair.output, pair.source_lang, pair.output_lang)
        outcome.seconds.append(time.perf_counter() - started)
        outcome.faithful += 1
        has_facts = bool(extract_facts(pair.source, pair.source_lang) or extract_facts(pair.output, pair.output_lang))
        outcome.faithful_with_facts += has_facts
        if flags:
            outcome.faithful_flagged += 1
            outcome.flags_by_kind.update(f"{f.kind} {f.reason}" for f in flags)
            if len(outcome.examples) < keep_examples:
                outcome.examples.append(
                    {"source": pair.source, "output": pair.output, "flags": [f.as_dict() for f in flags]}
                )
        before = _key(flags)
        for name in alterations:
            altered = ALTERATIONS[name](pair, rng)
            if altered is None or altered == pair.output:
                continue
            outcome.altered[name] += 1
            after = _key(check_pair(pair.source, altered, pair.source_lang, pair.output_lang))
            if after - before:
                outcome.detected[name] += 1
    return outcome


def iwslt_pairs(data: Path, source_lang: str) -> list[Pair]:
    folder = data / "iwslt15-tst2013"
    vi = (folder / "vi.txt").read_text(encoding="utf-8").splitlines()
    en = (folder / "en.txt").read_text(encoding="utf-8").splitlines()
    if source_lang == "vi":
        return [Pair(v, e, "vi", "en") for v, e in zip(vi, en, strict=True) if v.strip() and e.strip()]
    return [Pair(e, v, "en", "vi") for v, e in zip(vi, en, strict=True) if v.strip() and e.strip()]


def vietnews_rows(data: Path) -> list[dict]:
    with (data / "vietnews-test" / "articles.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def extractive_pairs(rows: list[dict]) -> list[Pair]:
    articles = [detokenize(row["text"]) for row in rows]
    summaries = ExtractiveSummarizer().summarize(articles)
    return [Pair(a, s.summary, "vi", "vi") for a, s in zip(articles, summaries, strict=True)]


def reference_pairs(rows: list[dict]) -> list[Pair]:
    return [Pair(detokenize(row["text"]), detokenize(row["summary"]), "vi", "vi") for row in rows]


def run(data: Path, seed: int = 0, examples: int = 0) -> list[dict]:
    rows = vietnews_rows(data)
    all_kinds = list(ALTERATIONS)
    summary_kinds = ["number changed", "date shifted", "name altered"]  # a summary may drop a name
    sets = [
        ("IWSLT'15 tst2013 vi->en (human reference)", iwslt_pairs(data, "vi"), all_kinds),
        ("IWSLT'15 tst2013 en->vi (human reference)", iwslt_pairs(data, "en"), all_kinds),
        ("Vietnews test: extractive summaries", extractive_pairs(rows), summary_kinds),
        ("Vietnews test: reference summaries (information)", reference_pairs(rows), []),
    ]
    results = []
    for name, pairs, kinds in sets:
        outcome = evaluate(pairs, kinds, seed, examples)
        line = outcome.line(name)
        if examples:
            line["examples"] = outcome.examples
        results.append(line)
    return results
