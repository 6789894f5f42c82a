"""A text read once for the checks (``Source``): its facts, and the indexes that tell whether it
supports a fact of another text (a number rounded or converted, a date's parts, a name by its words,
its forms in the other language, its initials)."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from tomtat.models.facts.dates import DateValue
from tomtat.models.facts.extract import SMALL, Fact, neighbour_words, read
from tomtat.models.facts.index import SupportIndex
from tomtat.models.facts.names import equivalents, is_known_place, unmatchable, variant_of
from tomtat.models.facts.numbers import CONVERSION_TOLERANCE, MEASURE_UNITS, Quantity, conversions, listed_parts
from tomtat.models.facts.places import country_languages, language_countries

MEASURED = frozenset(MEASURE_UNITS.values())
_ACRONYM = re.compile(r"\b[A-Z]{2,6}\b")


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
    if value.hour is not None and 0 < value.hour < 24 and value.hour != 12:
        # a 12-hour clock's hour: the evening may be said elsewhere ("Mỗi tối, vào lúc 8 giờ": 8 p.m.)
        other = replace(value, hour=(value.hour + 12) % 24)
        return _date_parts_supported(value, support) or _date_parts_supported(other, support)
    return _date_parts_supported(value, support)


def _date_parts_supported(value: DateValue, support: SupportIndex) -> bool:
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


class Source:
    """A source read once, with the indexes name lookups need built on first use."""

    def __init__(self, text: str, lang: str) -> None:
        self.text, self.lang = text, lang
        self.facts, support = read(text, lang)
        self.support = SupportIndex(support)
        self._windows: set[str] | None = None

    @functools.cached_property
    def name_words(self) -> set[str]:
        """The words of the text's names, and their known forms in either language ("thổ nhĩ kỳ" -> "turkey")."""
        words: set[str] = set()
        for fact in self.facts:
            if isinstance(fact.value, tuple):
                words.update(fact.value)
                words.update(form.replace(" ", "") for form in equivalents(fact.value))
        return words

    @functools.cached_property
    def _expanded_names(self) -> list[tuple[Fact, set[str]]]:
        """Each name with the words of its known forms: once per source, as each output name is compared."""
        return [(f, _expanded(f.value)) for f in self.facts if isinstance(f.value, tuple)]

    @functools.cached_property
    def _expanded_words(self) -> set[str]:
        """The words of all the source's names and of their known forms."""
        return set().union(*(theirs for _, theirs in self._expanded_names))

    @functools.cached_property
    def acronyms(self) -> frozenset[str]:
        """The text's words written in capitals ("NYU", "BBC")."""
        return frozenset(_ACRONYM.findall(self.text))

    def has_acronym_of(self, tokens: tuple[str, ...]) -> bool:
        """The text abbreviates the name of two words or more ("NYU" for "New York", "New York University")."""
        initials = "".join(token[0] for token in tokens).upper()
        return len(tokens) >= 2 and any(acronym.startswith(initials) for acronym in self.acronyms)

    @property
    def windows(self) -> set[str]:
        if self._windows is None:
            self._windows = _joined_windows(self.support.words)
        return self._windows

    def supports(self, fact: Fact, across_languages: bool = False, output: str = "", strict_units: bool = True) -> bool:
        if isinstance(fact.value, Quantity):
            readings = (fact.value, *fact.other_readings)
            if not any(_quantity_supported(q, self.support, strict_units, across_languages) for q in readings):
                listed = listed_parts(fact.text) if across_languages else ()
                if not listed or not all(
                    _quantity_supported(q, self.support, strict_units, across_languages) for q in listed
                ):
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
        if all({t, t.rstrip("s")} & self._expanded_words for t in _own_words(tokens)):
            return None  # the source's names, their words translated ("Googles Ấn Độ": Indian Googles)
        for fact, theirs in self._expanded_names:
            assert isinstance(fact.value, tuple)
            # a direction shared is no name shared ("Đông Âu", Eastern Europe: "Eastern Partnership"),
            # unless the name is one ("Nam Trung" for "South Central")
            shared = mine & theirs
            if not shared or (shared <= DIRECTIONS and not set(fact.value) <= DIRECTIONS):
                continue
            if body and unmatchable(fact.text, fact.value, self.lang):
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

    def has_name(self, fact: Fact) -> bool:
        """The text has another text's name, in any of its forms or as a variant ("Zambians")."""
        assert isinstance(fact.value, tuple)
        return self.supports(fact, across_languages=True) or variant_of(fact.value, self.name_words)

    def has_demonym(self, tokens: tuple[str, ...]) -> bool:
        """The source has the place's adjective or people ("Libyan", "người Kenya" -> "Kenyan"), or its
        language's ("Irishman" for Ireland)."""
        places = equivalents(tokens)
        forms = [_stem(f) for f in places if len(f) >= 4 and " " not in f]
        forms += [language for f in places for language in country_languages().get(f, ())]
        if any(self.support.has_prefix(form) for form in forms):
            return True
        # a place of two words or more: its last word's stem after the others ("South Sudanese")
        phrases = [f.split() for f in places if " " in f]
        return any(self.support.phrase_then_prefix(tuple(words[:-1]), _stem(words[-1])) for words in phrases)

    def has_place_of_people(self, tokens: tuple[str, ...]) -> bool:
        """An output name that is the people or adjective of one of the source's places ("South
        Sudanese" for ``Nam Sudan``, "Finnish" for ``Phần Lan``)."""
        for fact in self.facts:
            if not isinstance(fact.value, tuple) or not is_known_place(fact.value):
                continue
            for form in equivalents(fact.value):
                words = form.split()
                if (
                    len(words) == len(tokens)
                    and tokens[:-1] == tuple(words[:-1])
                    and tokens[-1].startswith(_stem(words[-1]))
                ):
                    return True
                if len(tokens) == 1 and form in language_countries().get(tokens[0], ()):
                    return True
        return False

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


def _stem(place_word: str) -> str:
    """What a place's people and adjective start with: "turkey" -> "turk" (Turkish), "korea" -> "kore"
    (Koreans), "sudan" -> "suda" (Sudanese)."""
    return place_word[: max(4, len(place_word) - 2)]


def _own_words(tokens: tuple[str, ...]) -> list[str]:
    """A name's words but the generic ones a translation adds ("Thủ Tướng Hy Lạp" -> hy, lap)."""
    joined = f" {' '.join(tokens)} "
    for phrase in GENERIC_PHRASES_VI:
        joined = joined.replace(f" {phrase} ", " ")
    return [t for t in joined.split() if t not in GENERIC_NAME_WORDS]


# what Vietnamese writes for a name's generic words, capitalised with it (``Thủ Tướng Hy Lạp``: the
# Greek Prime Minister, ``Thung Lũng Silicon``: Silicon Valley, ``Bệnh viện Đa khoa``: General Hospital)
GENERIC_PHRASES_VI = ("thu tuong", "tong thong", "da khoa", "thung lung", "thuong mai", "noi cac", "nha may")
GENERIC_NAME_WORDS = frozenset(
    """college university school city river street magazine company province district county state lake
    mountain island bay sea ocean oblast voivodeship prefecture hospital museum park airport station bridge
    road avenue square church
    temple news group party league center centre institute foundation bank court ministry department
    truong thanh pho song tinh quan huyen tap chi cong ty dai hoc vien benh hoi dao nui ho bao
    thap xa cang nuoc""".split()
)  # the Vietnamese: trường, thành phố, sông ... tháp (tower), xã (commune), cảng (port), nước
# (country, water); none a given or family name once its marks are gone (not "khoa": Khoa, "duong":
# Dương, "ngai": Ngãi)
DIRECTIONS = frozenset("bac nam dong tay trung north south east west central northern southern eastern western".split())
