"""A held-out check of the faithfulness flags (``scripts/faithfulness_heldout.py``): text the checker was
not built on, altered in ways unlike ``faithfulness_eval``'s (which changes a number's leading digit).

Text: articles of the Vietnews *train* split (ThanhChinhBK/vietnews, brought with ``fetch``; the checker
was tuned on the test split in ``../shared/data``), summarized by the extractive engine (verbatim
sentences: faithful by construction), and PhoMT test pairs (human vi->en translations). Alterations, one
per pair and kind where the output allows it: a number replaced by a random other value, an ordinal
changed, a measurement's number changed, a date or time made impossible, a province swapped for another,
a province dropped from a translation; and, on PhoMT pairs whose translation names someone or something
(both directions), a name replaced whole by a name of another PhoMT translation, or dropped. A pair
counts as detected when the altered output raises a flag the faithful one did not.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tomtat.models.evaluation import detokenize
from tomtat.models.facts import Fact, check_pair, extract_facts
from tomtat.models.facts.plain import plain
from tomtat.models.summarizer import ExtractiveSummarizer
from tomtat_tools.faithfulness_eval import Pair

# the 63 provinces and cities before the 2025 merger (ISO 3166-2:VN, as the articles name them)
PROVINCES = """An Giang|Bà Rịa - Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|Bình Dương|Bình Định|
Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|Cần Thơ|Đà Nẵng|Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|
Hà Giang|Hà Nam|Hà Nội|Hà Tĩnh|Hải Dương|Hải Phòng|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|
Lai Châu|Lạng Sơn|Lào Cai|Lâm Đồng|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|
Quảng Nam|Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|
Thừa Thiên Huế|Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái""".replace("\n", "").split("|")


@dataclass
class Outcome:
    faithful: int = 0
    faithful_flagged: int = 0
    altered: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)

    def row(self, name: str) -> dict[str, object]:
        return {
            "set": name,
            "pairs": self.faithful,
            "faithful_flag_rate": self.faithful_flagged / max(1, self.faithful),
            "recall": {k: (self.detected[k], self.altered[k]) for k in sorted(self.altered)},
            "check_ms_median": 1000 * statistics.median(self.seconds) if self.seconds else 0.0,
        }


def _other_value(number: int, rng: random.Random) -> int:
    """A value no rounding of ``number`` gives: at least 20% (and 1) away."""
    while True:
        candidate = rng.randint(1, max(20, number * 3))
        if abs(candidate - number) >= max(1, 0.2 * number):
            return candidate


def random_value(pair: Pair, rng: random.Random) -> str | None:
    facts = [f for f in extract_facts(pair.output, pair.output_lang) if f.kind in ("number", "amount")]
    runs = [(f, m) for f in facts for m in re.finditer(r"\d+", f.text) if len(m.group()) <= 4]
    if not runs:
        return None
    fact, run = rng.choice(runs)
    start = fact.start + run.start()
    return pair.output[:start] + str(_other_value(int(run.group()), rng)) + pair.output[fact.start + run.end() :]


def _replace_group(pair: Pair, pattern: str, rng: random.Random, new: Callable[[re.Match[str]], str]) -> str | None:
    matches = [m for m in re.finditer(pattern, pair.output, re.IGNORECASE) if m.group("n")]
    if not matches:
        return None
    match = rng.choice(matches)
    return pair.output[: match.start("n")] + new(match) + pair.output[match.end("n") :]


def ordinal(pair: Pair, rng: random.Random) -> str | None:
    pattern = r"(?:lần thứ|kỳ họp thứ|khóa|thế kỷ|(?<!\w)(?:vòng|số|phần|tập|mùa|giải|hạng|lần) thứ)\s+(?P<n>\d+)"
    return _replace_group(pair, pattern, rng, lambda m: str(int(m.group("n")) + rng.randint(1, 15)))


def unit_number(pair: Pair, rng: random.Random) -> str | None:
    pattern = r"(?<![\d.,])(?P<n>\d+)(?:[.,]\d+)?\s?(?:km/h|km|cm|mm|m2|m3|m|ha|kg|tấn|lít|MW|°C|độ C)(?!\w)"
    return _replace_group(pair, pattern, rng, lambda m: str(_other_value(int(m.group("n")), rng)))


def impossible_date(pair: Pair, rng: random.Random) -> str | None:
    day = _replace_group(pair, r"(?<![\d/.,])(?P<n>\d{1,2})/\d{1,2}(?![\d/])", rng, lambda m: str(rng.randint(32, 39)))
    if day is not None and rng.random() < 0.5:
        return day
    hour = _replace_group(pair, r"(?<![\d.,:])(?P<n>\d{1,2})h\d{0,2}(?!\w)", rng, lambda m: str(rng.randint(25, 29)))
    return hour or day


def _provinces_in(text: str) -> list[re.Match[str]]:
    return [m for p in PROVINCES for m in re.finditer(rf"(?<!\w){re.escape(p)}(?!\w)", text)]


def province_swapped(pair: Pair, rng: random.Random) -> str | None:
    found = _provinces_in(pair.output) if pair.output_lang == "vi" else []
    if not found:
        return None
    match = rng.choice(found)
    other = rng.choice([p for p in PROVINCES if p != match.group() and p not in pair.source])
    return pair.output[: match.start()] + other + pair.output[match.end() :]


def province_dropped(pair: Pair, rng: random.Random) -> str | None:
    """A translation that leaves out a province its source names (written in English without diacritics)."""
    names = [p for p in PROVINCES if p in pair.source]
    spelled = [
        m
        for p in names
        for m in re.finditer(rf"(?<!\w){re.escape(plain(p).title())}(?: [Pp]rovince)?(?!\w)", pair.output)
    ]
    if not spelled:
        return None
    match = rng.choice(spelled)
    return re.sub(r"\s{2,}", " ", pair.output[: match.start()] + pair.output[match.end() :])


OTHER_PLACES = ["Japan", "France", "Thailand", "Canada", "Brazil", "Germany", "Laos", "India", "Quang Ngai", "Ca Mau"]


def place_swapped_in_english(pair: Pair, rng: random.Random) -> str | None:
    """A translation naming another country or province than its source (``Quảng Nam`` -> "Quang Ngai")."""
    from tomtat.models.facts.places import known_places

    places = known_places()
    facts = [f for f in extract_facts(pair.output, pair.output_lang) if f.kind == "name" and plain(f.text) in places]
    if not facts:
        return None
    fact = rng.choice(facts)
    other = rng.choice([p for p in OTHER_PLACES if p not in pair.output and plain(p) not in plain(pair.source)])
    return pair.output[: fact.start] + other + pair.output[fact.end :]


SUMMARY_ALTERATIONS = {
    "number: random value": random_value,
    "ordinal changed": ordinal,
    "measurement changed": unit_number,
    "impossible date or time": impossible_date,
    "province swapped": province_swapped,
}
TRANSLATION_ALTERATIONS = {
    "number: random value": random_value,
    "place swapped": place_swapped_in_english,
    "province dropped": province_dropped,
}


def _names(text: str, lang: str) -> list[Fact]:
    """Names that are not countries or provinces (those have kinds of their own above)."""
    from tomtat.models.facts.places import known_places

    places = known_places()
    return [f for f in extract_facts(text, lang) if f.kind == "name" and plain(f.text) not in places]


def name_swapper(pool: list[str]) -> Callable[[Pair, random.Random], str | None]:
    """Replaces one name of the translation by a name of another translation (``pool``)."""

    def name_swapped(pair: Pair, rng: random.Random) -> str | None:
        facts = _names(pair.output, pair.output_lang)
        if not facts:
            return None
        fact = rng.choice(facts)
        other = rng.choice([n for n in pool if plain(n) not in plain(pair.source) and n not in pair.output])
        return pair.output[: fact.start] + other + pair.output[fact.end :]

    return name_swapped


def name_dropped(pair: Pair, rng: random.Random) -> str | None:
    facts = _names(pair.output, pair.output_lang)
    if not facts:
        return None
    fact = rng.choice(facts)
    return re.sub(r"\s{2,}", " ", pair.output[: fact.start] + pair.output[fact.end :])


def evaluate(pairs: list[Pair], alterations: dict[str, Callable[[Pair, random.Random], str | None]]) -> Outcome:
    rng = random.Random(2026)
    outcome = Outcome()
    for pair in pairs:
        started = time.perf_counter()
        flags = check_pair(pair.source, pair.output, pair.source_lang, pair.output_lang)
        outcome.seconds.append(time.perf_counter() - started)
        outcome.faithful += 1
        outcome.faithful_flagged += bool(flags)
        before = Counter((f.kind, f.reason, f.text) for f in flags)
        for name, alter in alterations.items():
            altered = alter(pair, rng)
            if altered is None or altered == pair.output:
                continue
            outcome.altered[name] += 1
            after = Counter(
                (f.kind, f.reason, f.text) for f in check_pair(pair.source, altered, pair.source_lang, pair.output_lang)
            )
            outcome.detected[name] += bool(after - before)
    return outcome


def vietnews_train(git_dir: Path, count: int) -> list[str]:
    """``count`` articles of the train split (every 300th file: spread over the split), detokenized."""
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "--name-only", "HEAD", "data/train_tokenized/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    chosen = listing[:: max(1, len(listing) // count)][:count]
    batch = "".join(f"HEAD:{name}\n" for name in chosen)
    out = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"], input=batch.encode(), capture_output=True, check=True
    ).stdout
    articles, offset = [], 0
    while offset < len(out):
        header_end = out.index(b"\n", offset)
        size = int(out[offset:header_end].split()[2])
        body = out[header_end + 1 : header_end + 1 + size].decode("utf-8")
        offset = header_end + 1 + size + 1
        parts = [p for p in body.split("\n\n") if p.strip()]
        if len(parts) >= 3:  # title, summary, article
            articles.append(detokenize(parts[2].replace("\n", " ").replace("_", " ")))  # word-segmented: joined
    return articles


def phomt_pairs(data: Path, count: int) -> list[Pair]:
    vi = (data / "phomt-test" / "vi.txt").read_text(encoding="utf-8").splitlines()
    en = (data / "phomt-test" / "en.txt").read_text(encoding="utf-8").splitlines()
    pairs = [Pair(v, e, "vi", "en") for v, e in zip(vi, en, strict=True) if _provinces_in(v) or re.search(r"\d", v)]
    return pairs[:count]


# where the second held-out slice of PhoMT test starts: past the lines the first slice's pairs take
# (14,363-15,492), measured first on 2026-12-04 once that day's rules were frozen (the first slice had
# become a development set: its flags were read and rules ablated on it that day)
SECOND_SLICE = 16_000


def phomt_name_pairs(
    data: Path, count: int, source_lang: str, start: int | None = None
) -> tuple[list[Pair], list[str]]:
    """``count`` PhoMT pairs from the file's last quarter (or from line ``start``) whose translation has
    a name, and the names of the other translations there (what a swapped name is drawn from). The name
    rules were tuned on IWSLT and on the file's first three quarters."""
    vi = (data / "phomt-test" / "vi.txt").read_text(encoding="utf-8").splitlines()
    en = (data / "phomt-test" / "en.txt").read_text(encoding="utf-8").splitlines()
    first = 3 * len(vi) // 4 if start is None else start
    pairs: list[Pair] = []
    pool: list[str] = []
    for v, e in zip(vi[first:], en[first:], strict=True):
        pair = Pair(v, e, "vi", "en") if source_lang == "vi" else Pair(e, v, "en", "vi")
        names = _names(pair.output, pair.output_lang)
        if names and len(pairs) < count:
            pairs.append(pair)
        elif names:
            pool.extend(f.text for f in names)
        if len(pairs) >= count and len(pool) >= 500:
            break
    return pairs, sorted(set(pool))


def run(vietnews_git: Path, data: Path, count: int) -> list[dict[str, object]]:
    articles = vietnews_train(vietnews_git, count)
    summaries = ExtractiveSummarizer().summarize(articles)
    summary_pairs = [Pair(a, s.summary, "vi", "vi") for a, s in zip(articles, summaries, strict=True)]
    rows = [evaluate(summary_pairs, SUMMARY_ALTERATIONS).row("Vietnews train: extractive summaries")]
    if (data / "phomt-test").is_dir():
        rows.append(evaluate(phomt_pairs(data, count * 4), TRANSLATION_ALTERATIONS).row("PhoMT test vi->en"))
        for start, label in ((None, "translations with a name"), (SECOND_SLICE, "second slice (lines 16,000+)")):
            for source_lang, name in (("vi", "vi->en"), ("en", "en->vi")):
                pairs, pool = phomt_name_pairs(data, count * 2, source_lang, start)
                kinds = {"name swapped": name_swapper(pool), "name dropped": name_dropped}
                rows.append(evaluate(pairs, kinds).row(f"PhoMT test {name}, {label}"))
    return rows
