"""Checks: every fact of an output must be supported by its source; a translation must also keep every
number, date and name of its source. Flags say what and why; the output is never changed."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

from tomtat.models.facts.dates import DateValue
from tomtat.models.facts.extract import SMALL, Fact, neighbour_words, read
from tomtat.models.facts.index import SupportIndex
from tomtat.models.facts.names import (
    equivalents,
    is_known_place,
    is_province,
    is_word_too,
    is_written_alike,
    unmatchable,
    variant_of,
    vietnamese_person,
    vietnamese_syllable,
)
from tomtat.models.facts.numbers import CONVERSION_TOLERANCE, MEASURE_UNITS, SMALL_NUMBER_WORDS, Quantity, conversions
from tomtat.models.facts.written import vocative, written_as_is, written_foreign

MEASURED = frozenset(MEASURE_UNITS.values())


@dataclass(frozen=True)
class Flag:
    """``unsupported``: the source has nothing like it; ``changed``: the source has a fact of the same
    kind with another value (``source_match``); ``missing``: a fact of the source absent from the
    translation (``start``/``end`` are then positions in the source)."""

    kind: str
    text: str
    start: int
    end: int
    reason: str
    source_match: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rounds_to(output: Quantity, source: Quantity) -> bool:
    """``3,2 tỷ`` is faithful to 3,24 tỷ: the output may round the source to the digits it writes."""
    tolerance = 0.5 * 10.0 ** (-output.decimals) * output.multiplier
    return abs(output.value - source.value) <= tolerance + 1e-9 * abs(source.value)


def _compatible_units(a: Quantity, b: Quantity) -> bool:
    """A currency or percentage may be left unwritten ("3,2 tỷ" for 3,2 tỷ đồng); a measurement is
    backed only by the same unit ("9m" is not "9 người")."""
    if a.unit in MEASURED:
        return a.unit == b.unit
    return a.unit is None or b.unit is None or a.unit == b.unit


def _quantity_supported(
    value: Quantity, support: SupportIndex, strict_units: bool = True, converted: bool = False
) -> bool:
    """``strict_units`` off: a source measurement kept by a translation in any unit or in words ("2mm" ->
    "two-millimeter"): only the number must be there. ``converted``: a measurement may also be the
    source's in another unit, rounded (a translation: "50m" -> "150 feet", "54 độ C" -> "130 degrees")."""
    tolerance = 0.5 * 10.0 ** (-value.decimals) * value.multiplier
    if any(
        (_compatible_units(value, s) or not strict_units) and _rounds_to(value, s)
        for s in support.quantities_near(value.value, tolerance)
    ):
        return True
    if not converted or value.unit is None:
        return False
    return any(
        s.unit == unit
        for amount, unit in conversions(value.value, value.unit)
        # within CONVERSION_TOLERANCE of each other, whichever is the larger
        for s in support.quantities_near(amount, CONVERSION_TOLERANCE / (1 - CONVERSION_TOLERANCE) * abs(amount))
    )


def _date_supported(value: DateValue, support: SupportIndex) -> bool:
    years = support.years
    mine = value.parts()
    if set(mine) == {"year"} and value.year in years:  # "2000 dặm" = "2,000 miles"
        return True
    if set(mine) <= {"hour", "minute"} and not mine.get("minute") and value.hour in years:  # "5 giờ" = "five"
        return True
    return any(
        all(
            theirs.get(part) == number or (part not in theirs and part == "year" and number in years)
            for part, number in mine.items()
        )
        for theirs in support.date_candidates(value)
    )


def _expanded(tokens: tuple[str, ...]) -> set[str]:
    """A name's words with the words of every known equivalent, of the whole and of each word."""
    words = set(tokens)
    for form in equivalents(tokens) | {f for t in tokens for f in equivalents((t,))}:
        words.update(form.replace(".", " ").split())
    return words | {w.rstrip("s") for w in words}


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    remaining = iter(long)
    return all(token in remaining for token in short)


def _joined_windows(words: list[str], longest: int = 5) -> set[str]:
    return {"".join(words[i : i + n]) for n in range(2, longest + 1) for i in range(len(words) - n + 1)}


class _Source:
    """A source read once, with the indexes name lookups need built on first use."""

    def __init__(self, text: str, lang: str) -> None:
        self.text, self.lang = text, lang
        self.facts, support = read(text, lang)
        self.support = SupportIndex(support)
        self._windows: set[str] | None = None
        self._expanded_names: list[tuple[Fact, set[str]]] | None = None

    @functools.cached_property
    def name_words(self) -> set[str]:
        """The words of the text's names, and their known forms in either language ("thổ nhĩ kỳ" -> "turkey")."""
        words: set[str] = set()
        for fact in self.facts:
            if isinstance(fact.value, tuple):
                words.update(fact.value)
                words.update(form.replace(" ", "") for form in equivalents(fact.value))
        return words

    @property
    def windows(self) -> set[str]:
        if self._windows is None:
            self._windows = _joined_windows(self.support.words)
        return self._windows

    def supports(self, fact: Fact, across_languages: bool = False, output: str = "", strict_units: bool = True) -> bool:
        if isinstance(fact.value, Quantity):
            readings = (fact.value, *fact.other_readings)
            if not any(_quantity_supported(q, self.support, strict_units, across_languages) for q in readings):
                return False
            if across_languages or fact.value.unit or fact.value.value >= SMALL or not output:
                return True
            # in one language a small number must also keep a word beside it ("6 người" -> "6 người")
            return bool(
                neighbour_words(output, fact.start, fact.end) & self.support.neighbours.get(fact.value.value, set())
            )
        if isinstance(fact.value, DateValue):
            return _date_supported(fact.value, self.support)
        return self._name_supported(fact.value, fact.text, across_languages)

    def _name_supported(self, tokens: tuple[str, ...], text: str, across_languages: bool) -> bool:
        for form in equivalents(tokens):
            parts = tuple(form.replace(".", " ").split())
            if self.support.contains(parts) or "".join(parts) in self.windows:
                return True
        if tokens and any(_is_subsequence(tokens, name) for name in self.support.names_with(tokens[0])):
            return True
        if across_languages and all(self._word_known(token) for token in tokens):  # "Vogue Pháp" = "French Vogue"
            return True
        # across languages a name gains generic words ("Cao đẳng Harvard" -> "Harvard College")
        core = tuple(t for t in tokens if t not in GENERIC_NAME_WORDS)
        if across_languages and core != tokens and core and (self.support.contains(core) or self._known_name(core)):
            return True
        letters = "".join(tokens)
        return text.replace(".", "").replace(" ", "").isupper() and len(letters) >= 2 and self.support.initials(letters)

    def _word_known(self, token: str) -> bool:
        return self.support.has_word(token) or any(
            self.support.has_word(form) if " " not in form else self.support.contains(tuple(form.split()))
            for form in equivalents((token,))
            if form != token
        )

    def _known_name(self, tokens: tuple[str, ...]) -> bool:
        return any(self.support.contains(tuple(form.split())) for form in equivalents(tokens))

    def changed_name(self, tokens: tuple[str, ...], body: bool = False) -> str | None:
        """The source name an output name (in the other language) was changed from: they share a word
        (directly or as a known equivalent), and each has a word the other lacks. Two bodies' names are
        not compared: their words are translated ("Liên Bang Nga" = "Russian Federation")."""
        mine = _expanded(tokens)
        if self._expanded_names is None:  # once per source: equivalents are looked up for each name
            self._expanded_names = [(f, _expanded(f.value)) for f in self.facts if isinstance(f.value, tuple)]
        for fact, theirs in self._expanded_names:
            assert isinstance(fact.value, tuple)
            if not (mine & theirs) or (body and unmatchable(fact.text, fact.value, self.lang)):
                continue
            # a word spelt a letter apart is the same word ("Jennifer Egan" for "Jenifer Egan")
            lacks_theirs = any(not ({t, t.rstrip("s")} & mine) and not variant_of((t,), mine) for t in fact.value)
            adds = any(
                not ({t, t.rstrip("s")} & theirs) and not variant_of((t,), theirs)
                for t in tokens
                if t not in GENERIC_NAME_WORDS
            )
            if lacks_theirs and adds:
                return fact.text
        return None

    def place_altered(self, tokens: tuple[str, ...]) -> str | None:
        """The source's place that an output name (no place itself) is with one word changed ("Bắc Triều
        Bảo": Bắc Triều Tiên, North Korea's Vietnamese form)."""
        if len(tokens) < 2 or is_known_place(tokens):
            return None
        for fact in self.facts:
            if not isinstance(fact.value, tuple) or not is_known_place(fact.value):
                continue
            for form in equivalents(fact.value):
                words = form.split()
                if len(words) == len(tokens) and sum(a != b for a, b in zip(words, tokens, strict=True)) == 1:
                    return fact.text
        return None

    def has_demonym(self, tokens: tuple[str, ...]) -> bool:
        """The source has the place's adjective or people ("Libyan", "người Kenya" -> "Kenyan")."""
        # the form's stem: "turkey" -> "turk" (Turkish), "korea" -> "kore" (Koreans)
        forms = [f[: max(4, len(f) - 2)] for f in equivalents(tokens) if len(f) >= 4 and " " not in f]
        return any(self.support.has_prefix(form) for form in forms)

    def nearest_place(self) -> Fact | None:
        """The source's first known place, which an unsupported place of the output may have replaced."""
        return next((f for f in self.facts if isinstance(f.value, tuple) and is_known_place(f.value)), None)

    def nearest(self, fact: Fact) -> Fact | None:
        """A source fact of the same kind the output fact may have been made from (for ``changed``)."""
        for candidate in self.facts:
            if candidate.kind != fact.kind:
                continue
            if isinstance(fact.value, Quantity) and isinstance(candidate.value, Quantity):
                if fact.value.unit and fact.value.unit == candidate.value.unit:
                    return candidate
            elif isinstance(fact.value, DateValue) and isinstance(candidate.value, DateValue):
                mine, theirs = fact.value.parts(), candidate.value.parts()
                if set(mine) == set(theirs) and sum(mine[k] == theirs[k] for k in mine) >= len(mine) - 1:
                    return candidate
            elif isinstance(fact.value, tuple) and isinstance(candidate.value, tuple):
                if set(fact.value) & set(candidate.value):
                    return candidate
        return None


def _matchable(fact: Fact, output: _Source, source: _Source) -> bool:
    """An output name that can be told from a rendering of a source name: in English a place, or a name
    of two words or more that is no body's and no variant of a source name (one-word names are too
    often words: "Mom", "Peace"); in Vietnamese only a Vietnamese person's name ("Trần Minh Khôi"), as
    Vietnamese renders other names too freely to tell (transliterated, translated: checking every name
    flagged held-out PhoMT en->vi pairs 4.3% -> 8.3% for a quarter of swaps found)."""
    assert isinstance(fact.value, tuple)
    if output.lang == "vi":
        return vietnamese_person(fact.value)
    if len(fact.value) < 2 and not is_known_place(fact.value):
        return False
    return not (unmatchable(fact.text, fact.value, output.lang) or variant_of(fact.value, source.name_words))


def _named_place(fact: Fact, output: _Source) -> bool:
    """A country or province that an output names: any in English, in Vietnamese one of two syllables
    or more that is no common word (``Quảng Ngãi``, ``Trung Quốc``; not ``Đức``: virtue)."""
    assert isinstance(fact.value, tuple)
    if not is_known_place(fact.value):
        return False
    return output.lang == "en" or (len(fact.value) > 1 and not is_word_too(fact.value))


def _keeps_rare_words(fact: Fact, output: _Source, source: _Source) -> bool:
    """An English name (no place) whose words no dictionary has are all in the Vietnamese source, the
    other words translated ("Saint Paul" for ``Thánh Paul``, "Team Rocket" for ``Đội Rocket``): a
    rendering of a source name, not another name."""
    assert isinstance(fact.value, tuple)
    return output.lang == "en" and not is_known_place(fact.value) and _has_words(source, written_as_is(fact))


def _names_missing(source: _Source, output: _Source) -> list[Fact]:
    """The source's names that the output (in the other language) neither has nor renders as a variant."""
    words = output.name_words
    return [
        fact
        for fact in source.facts
        if isinstance(fact.value, tuple)
        and not output.supports(fact, across_languages=True)
        and not unmatchable(fact.text, fact.value, source.lang)
        and not variant_of(fact.value, words)
    ]


def _unsupported(output: _Source, source: _Source, across_languages: bool = False) -> list[Flag]:
    flags = []
    missing: list[Fact] | None = None  # the source's names the output lacks, found on first need

    def names_missing() -> list[Fact]:
        nonlocal missing
        if missing is None:
            missing = _names_missing(source, output)
        return missing

    written_gone: list[Fact] | None = None  # the source's names written as they are that the output lacks

    def names_written_gone() -> list[Fact]:
        nonlocal written_gone
        if written_gone is None:
            written_gone = _written_names_gone(source, output)
        return written_gone

    for fact in output.facts:
        if across_languages and fact.kind == "number" and (_spelled(fact) or _article_one(fact)):
            continue  # "hai tay" -> "both hands", "one official ... another": words are rendered freely
        if source.supports(fact, across_languages, output.text):
            continue
        if across_languages and isinstance(fact.value, tuple):
            # a name that shares nothing with the source's names is a rendering (Áp Lục -> "Amrok
            # River"); one that keeps a word of a source name and changes another is misspelt or swapped
            changed_from = source.changed_name(fact.value, unmatchable(fact.text, fact.value, output.lang))
            if changed_from is not None and not _keeps_rare_words(fact, output, source):
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", changed_from))
            elif (altered_from := source.place_altered(fact.value)) is not None:
                # a source place with one word changed ("Bắc Triều Bảo" for North Korea, "Quang Nom")
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", altered_from))
            elif _named_place(fact, output) and not source.has_demonym(fact.value):
                # a place name is named, not rendered ("Da Nang" for Hà Nội); in Vietnamese one of one
                # syllable or that is a word too is not checked ("Hòa Bình": peace, "Đức tin": faith)
                near = source.nearest_place()
                reason = "changed" if near else "unsupported"
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, reason, near.text if near else None))
            elif _matchable(fact, output, source) and not _keeps_rare_words(fact, output, source) and names_missing():
                # a name the source lacks where a name of the source is gone from the output: swapped
                # ("Margaret Holloway" for Obama); a source that names nothing the output lacks may have
                # been rendered freely ("here" -> "in North Korea"), so that alone is not flagged
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", names_missing()[0].text))
            elif _written_put_in(fact, output, source) and names_written_gone():
                # a name written as it is that the source lacks, where one of the source's is gone: swapped,
                # also in a call to the listener ("I'm sorry, Kevin." for "I'm sorry, Cami.")
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", names_written_gone()[0].text))
            elif (
                output.lang == "en"
                and not _has_words(source, kept := written_as_is(fact))
                and kept
                and not vocative(output.text, fact)
            ):
                # a word no dictionary has ("Holloway", "Watanabe") is written as it is in both languages:
                # one the source lacks was put in, unless a name the source writes in Vietnamese is gone
                # (it may be rendered so: "Luân Đôn" -> "London") or the source transliterates ("Anh-xtanh")
                if not _renderings_possible(source, names_missing()):
                    flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "unsupported"))
            elif output.lang == "vi" and _put_in_vietnamese(fact, output, source) and not names_missing():
                # the same in a Vietnamese output: a Vietnamese person's name, or a name in a foreign
                # spelling, that the English source lacks while it names nothing the output lacks
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "unsupported"))
            continue
        near = source.nearest(fact)
        reason, match = ("changed", near.text) if near else ("unsupported", None)
        flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, reason, match))
    return flags


GENERIC_NAME_WORDS = frozenset(
    """college university school city river street magazine company province district county state lake
    mountain island bay sea ocean hospital museum park airport station bridge road avenue square church
    temple news group party league center centre institute foundation bank court ministry department
    truong thanh pho song tinh quan huyen tap chi cong ty dai hoc vien benh hoi dao nui ho bao""".split()
)


# what a translation must keep: names are often rendered freely (Bắc Triều Tiên -> "my country"), and a
# spelled number may become a word ("hai tay" -> "both hands"): only written numbers, amounts and dates
OMISSION_KINDS = frozenset({"number", "amount", "date"})


def _spelled(fact: Fact) -> bool:
    return not any(ch.isdigit() for ch in fact.text)


@functools.lru_cache(maxsize=4)
def _article(text: str, lang: str) -> _Source:
    """An article read once for the checks of its summary and of that summary's translation, which come
    one after the other (reading is most of a check's time); a few kept, as they may be long."""
    return _Source(text, lang)


def check_summary(article: str, summary: str, lang: str = "vi", summary_lang: str | None = None) -> list[Flag]:
    """Facts of ``summary`` that ``article`` does not support (a summary may leave facts out)."""
    output_lang = summary_lang or lang
    # an English summary of a Vietnamese article is checked with the translation's cross-language rules
    return _unsupported(_Source(summary, output_lang), _article(article, lang), across_languages=output_lang != lang)


def check_translation(source: str, translation: str, source_lang: str, target_lang: str) -> list[Flag]:
    """Facts of ``translation`` the source does not support, then numbers, dates and names of the
    source that the translation leaves out (``missing``, positions in the source)."""
    source_side, output = _Source(source, source_lang), _Source(translation, target_lang)  # each read once
    flags = _unsupported(output, source_side, across_languages=True)
    renderings: bool | None = None  # the output may render the source's names: found on first need
    for fact in source_side.facts:
        if isinstance(fact.value, tuple):
            if source_lang == "vi" and _dropped_from_english(fact, output):
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "missing"))
            elif source_lang == "en" and _dropped_from_vietnamese(fact, output, source):
                if renderings is None:
                    renderings = _renderings_possible(output, _names_unsupported(output, source_side))
                if not renderings:
                    flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "missing"))
            continue
        if fact.ordinal or fact.kind not in OMISSION_KINDS or _spelled(fact) or _article_one(fact):
            continue
        if not output.supports(fact, across_languages=True, strict_units=False) and not _said_in_words(fact, output):
            flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "missing"))
    return flags


def _dropped_from_english(fact: Fact, output: _Source) -> bool:
    """A name of a Vietnamese source that an English translation must keep and lacks: one written in a
    foreign spelling, a province of Vietnam (English writes it without diacritics: ``Quang Nam``), or a
    country of two syllables or more (``Trung Quốc``; one syllable is often a word: ``Đức``, virtue),
    unless the English has its people or adjective (``người Triều Tiên``: "North Koreans")."""
    assert isinstance(fact.value, tuple)
    if is_province(fact.value) or (is_known_place(fact.value) and len(fact.value) > 1 and not is_word_too(fact.value)):
        named = output.supports(fact, across_languages=True) or variant_of(fact.value, output.name_words)
        return not (named or output.has_demonym(fact.value))
    kept = written_foreign(fact)
    return bool(kept) and not unmatchable(fact.text, fact.value, "vi") and not _renders(output, fact, kept)


def _put_in_vietnamese(fact: Fact, output: _Source, source: _Source) -> bool:
    """A name of a Vietnamese translation that its English source cannot explain: a Vietnamese person's
    ("Trần Minh Khôi"), or one whose foreign words the source lacks ("Kenji Watanabe")."""
    assert isinstance(fact.value, tuple)
    if vocative(output.text, fact) or unmatchable(fact.text, fact.value, "vi"):
        return False
    foreign = written_foreign(fact)
    return vietnamese_person(fact.value) or (bool(foreign) and not _has_words(source, foreign))


def _dropped_from_vietnamese(fact: Fact, output: _Source, source: str) -> bool:
    """A name of an English source whose words no dictionary has ("Chris Anderson") and that a
    Vietnamese translation lacks: Vietnamese writes such names as they are (a call to the listener
    aside: "Hey, Nate, ...")."""
    assert isinstance(fact.value, tuple)
    if is_written_alike(fact.value) or is_known_place(fact.value):
        return not (output.supports(fact, across_languages=True) or variant_of(fact.value, output.name_words))
    kept = written_as_is(fact)
    return bool(kept) and not vocative(source, fact) and not _renders(output, fact, kept)


def _written_put_in(fact: Fact, output: _Source, source: _Source) -> bool:
    """An output name with a word written as it is (no Vietnamese syllable in a Vietnamese output, no
    dictionary word in an English one) that the source lacks."""
    assert isinstance(fact.value, tuple)
    if unmatchable(fact.text, fact.value, output.lang):
        return False
    kept = written_foreign(fact) if output.lang == "vi" else written_as_is(fact)
    return bool(kept) and not _has_words(source, kept)


def _written_names_gone(source: _Source, output: _Source) -> list[Fact]:
    """The source's names written as they are in the other language (foreign spellings of a Vietnamese
    text, an English text's words no dictionary has), a call to the listener included, that the output
    does not render."""
    gone = []
    for fact in source.facts:
        if not isinstance(fact.value, tuple) or unmatchable(fact.text, fact.value, source.lang):
            continue
        kept = written_foreign(fact) if source.lang == "vi" else written_as_is(fact)
        if kept and not _renders(output, fact, kept):
            gone.append(fact)
    return gone


def _names_unsupported(output: _Source, source: _Source) -> list[Fact]:
    """The output's names the source (in the other language) does not support."""
    return [f for f in output.facts if isinstance(f.value, tuple) and not source.supports(f, across_languages=True)]


def _renderings_possible(side: _Source, unexplained: list[Fact]) -> bool:
    """``side`` may hold renderings of the other text's names: a transliteration (``Anh-xtanh``), or a
    name written in Vietnamese that the other text does not explain (``Luân Đôn`` for "London",
    ``Tập Cận Bình`` for "Xi Jinping")."""
    if any("-" in f.text for f in side.facts if isinstance(f.value, tuple)):
        return True
    return any(
        f.value and all(map(vietnamese_syllable, f.value)) and not unmatchable(f.text, f.value, "vi")
        for f in unexplained
        if isinstance(f.value, tuple)
    )


def _said_in_words(fact: Fact, output: _Source) -> bool:
    """A small number of the source that the translation says in a word ("cả 2" -> "both", "0 và 1" ->
    "zeroes and ones", "gấp 4 lần" -> "fourfold")."""
    if not isinstance(fact.value, Quantity) or fact.value.unit is not None or fact.value.decimals:
        return False
    words = SMALL_NUMBER_WORDS.get(int(fact.value.value), frozenset())
    return fact.value.value.is_integer() and any(output.support.has_word(word) for word in words)


def _article_one(fact: Fact) -> bool:
    """A bare "1": Vietnamese writes it for the article ("1 lò gạch": "a brick kiln", "the brick kilns")."""
    return fact.text == "1"


def _renders(other: _Source, fact: Fact, foreign: list[str]) -> bool:
    """The other text has the name, a variant of it, or each of its ``foreign`` words, or a word made
    from one ("Tweeter" -> "tweet", "Magellan Lớn" -> "Large Magellanic Cloud")."""
    assert isinstance(fact.value, tuple)
    if other.supports(fact, across_languages=True) or variant_of(fact.value, other.name_words):
        return True
    return _has_words(other, foreign)


def _has_words(text: _Source, words: list[str]) -> bool:
    """Each of ``words`` is a word of ``text``, or a word made from one of them or one of them from it
    ("tweet", "Tweeter"), or, for a word no Vietnamese syllable is, one spelt alike ("Connor", "Conor";
    "Kafl", "Kalf": a Vietnamese name written in English keeps its letters, and "Binh" is not "Minh")."""
    support = text.support
    return all(
        support.has_word(word)
        or (
            len(word) >= 4
            and (support.has_prefix(word) or any(support.has_word(word[:k]) for k in range(4, len(word))))
        )
        or (
            not vietnamese_syllable(word)
            and (variant_of((word,), text.name_words) or support.spelt_alike(word, unlike=vietnamese_syllable))
        )
        for word in words
    )


def check_pair(source: str, output: str, source_lang: str, output_lang: str) -> list[Flag]:
    """A summary check when both texts are in one language, else a translation check."""
    if source_lang == output_lang:
        return check_summary(source, output, source_lang)
    return check_translation(source, output, source_lang, output_lang)
