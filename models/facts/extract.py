"""Facts of one text: what is checked (``extract_facts``) and what can support a fact (``Support``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from tomtat.models.facts.dates import MONTHS, DateMatch, DateValue, find_dates
from tomtat.models.facts.names import find_names, name_tokens
from tomtat.models.facts.numbers import (
    DECADE,
    MEASURE,
    MEASURE_UNITS,
    MULTIPLIERS,
    NUMERAL,
    ORDINAL,
    ORDINAL_FACT,
    ORDINAL_WORDS,
    SUPPORT_ONLY,
    WEEKDAY_LEADS,
    WORD_NUMBER,
    Quantity,
    listed_parts,
    readings,
    unit_of,
    words_value,
)
from tomtat.models.facts.plain import plain


@dataclass(frozen=True)
class Fact:
    kind: str  # "number" | "amount" | "date" | "name"
    text: str
    start: int
    end: int
    value: Quantity | DateValue | tuple[str, ...]
    other_readings: tuple[Quantity, ...] = ()  # "10,000" in Vietnamese text: ten, or ten thousand
    ordinal: bool = False  # "thứ 24", "thế kỷ 19": checked where written, free to be rendered ("1800s")


@dataclass
class Support:
    """Everything in a source that can back a fact of an output, loosely read (spelled "một"/"năm"
    included, every number a date is made of, every window of words for names)."""

    quantities: list[Quantity] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    names: list[tuple[str, ...]] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # the plain words of the whole text, in order
    # the words beside each small number written in the text: "6 người" is not backed by a "6" elsewhere
    neighbours: dict[float, set[str]] = field(default_factory=dict)


SMALL = 100  # below this a number is checked with a word beside it (small numbers are everywhere)


def neighbour_words(text: str, start: int, end: int) -> set[str]:
    before = re.findall(r"\w+", plain(text[max(0, start - 24) : start]))
    after = re.findall(r"\w+", plain(text[end : end + 24]))
    return {w for w in (before[-1:] + after[:1]) if not w.isdigit()}


def _quantity(match: re.Match[str], value: float, decimals: int) -> Quantity:
    multiplier = MULTIPLIERS.get((match.group("mult") or "").lower(), 1.0)
    return Quantity(value * multiplier, unit_of(match), decimals, multiplier)


class _Taken:
    """The characters already read as a fact, one flag each: a check costs its span, not every fact."""

    def __init__(self, length: int) -> None:
        self._flags = bytearray(length)

    def add(self, start: int, end: int) -> None:
        self._flags[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self._flags.find(1, start, end) != -1


_MONTH_NAME = "|".join(sorted((name.capitalize() for name in MONTHS), key=len, reverse=True))
_MONTH_BEFORE = re.compile(rf"\b(?:{_MONTH_NAME})\.?\s+(?:the\s+)?$")  # "May the 13th", "Dec. 1st"
_MONTH_AFTER = re.compile(rf"\s+(?:of\s+)?(?:{_MONTH_NAME})\b")  # "the 13th of May"


def _as_weight(match: re.Match[str], quantities: list[Quantity]) -> list[Quantity]:
    """ "a thousand pounds" is money or a weight: the weight reading too (a translation of "500kg")."""
    return [replace(q, unit="lb") for q in quantities] if (match.group("unit") or "").lower() == "pounds" else []


def _in_date(text: str, ordinal: re.Match[str]) -> bool:
    """``13th`` in "May the 13th" is a date's day: read with its date, not as an ordinal."""
    start, end = ordinal.span()
    return bool(_MONTH_BEFORE.search(text[max(0, start - 16) : start]) or _MONTH_AFTER.match(text, end))


def _is_weekday(text: str, ordinal: re.Match[str], rank: int) -> bool:
    """``thứ 5`` after ``ngày``/``vào``/``sáng``… or opening a sentence is Thursday, not a fifth."""
    if (ordinal.group("lead") or "").lower() != "thứ" or not 2 <= rank <= 7:
        return False
    before = re.findall(r"\w+", plain(text[max(0, ordinal.start() - 16) : ordinal.start()]))
    return not before or before[-1] in WEEKDAY_LEADS or bool(re.search(r"[.!?:\n]\s*$", text[: ordinal.start()]))


# a number after a slash, which the numeral reading leaves out ("24/7", "9 /11"): it supports
_AFTER_SLASH = re.compile(r"/\s?(\d{1,4})(?!\d)")
# a model's or a flight's number ("M16", "VN1547"), or one glued to a unit it has no reading for ("300AU")
_GLUED_DIGITS = re.compile(r"(?<=[A-Za-z])\d{1,4}(?!\d)|(?<![\w.,])\d{1,6}(?=[A-Za-z])")
_MONTH_ALONE = re.compile(rf"\b(?:{_MONTH_NAME})\b")


# a hyphen after a word or number ("Covid-19", "12-24"), or a dash after a word, spaced or not ("Covid -
# 19": a tokenized text spaces its hyphens); a spaced one after a number is a range ("12 - 48": the end is
# checked), one after no word a sign or a list's mark ("-5", "- 5")
_JOINING_DASH = re.compile(r"(?:\w-|[^\W\d] ?- ?)$")


# a range of days around a date ("7-13 tháng 8": from the 7th; "August 7 - 13, 2016": to the 13th)
_DAY_BEFORE = re.compile(r"(?<![\d/.,])(\d{1,2}) ?[-–] ?$")
_DAY_AFTER = re.compile(r" ?[-–] ?(\d{1,2})(?![\d/.,:]\d|\d)(?:,? (\d{4})\b)?")


def _range_ends(text: str, date: DateMatch) -> list[DateValue]:
    """The range's other day, a date of the source too: the other text may write the range either way."""
    value = date.value
    if value.day is None or value.month is None:
        return []
    ends = []
    if before := _DAY_BEFORE.search(text, max(0, date.start - 6), date.start):
        ends.append(replace(value, day=int(before.group(1))))
    if after := _DAY_AFTER.match(text, date.end):
        year = int(after.group(2)) if after.group(2) else value.year
        ends.append(replace(value, day=int(after.group(1)), year=year))
    return [end for end in ends if end.valid()]


def read(text: str, lang: str) -> tuple[list[Fact], Support]:
    """The checked facts of ``text`` and the support it offers."""
    facts: list[Fact] = []
    support = Support(words=[w for w in re.split(r"[^\w]+", plain(text)) if w])
    taken = _Taken(len(text))
    for after_slash in _AFTER_SLASH.finditer(text):  # "9 /11" is the "11 / 9" of the other text
        support.quantities.append(Quantity(float(after_slash.group(1)), None, 0, 1.0))
    for glued in _GLUED_DIGITS.finditer(text):  # "M16", "300AU" are the "M 16", "300 AU" of the other text
        support.quantities.append(Quantity(float(glued.group()), None, 0, 1.0))
    for month in _MONTH_ALONE.finditer(text):  # "in March and June 1998": March is a date's month
        support.dates.append(DateValue(month=MONTHS[month.group().lower()]))
    for decade in DECADE.finditer(text):
        number = int(decade.group("vi") or decade.group("en"))
        for value in {number, number % 100, 1900 + number % 100 if number < 100 else number}:
            support.quantities.append(Quantity(float(value), None, 0, 1.0))
        support.dates.append(DateValue(year=1900 + number % 100 if number < 100 else number))
        taken.add(*decade.span())
    for ordinal in ORDINAL.finditer(text):  # "thế kỷ 21" = "21st century", "lần thứ 3" = "third"
        digits = ordinal.group("digits") or ordinal.group("vi")
        rank = int(digits) if digits else ORDINAL_WORDS[ordinal.group("word").lower()]
        support.quantities.append(Quantity(float(rank), None, 0, 1.0))
        support.neighbours.setdefault(float(rank), set()).update(neighbour_words(text, *ordinal.span()))
    for ordinal in ORDINAL_FACT.finditer(text):  # written ordinals are checked like any number
        start, end = ordinal.span()
        rank = int(ordinal.group("digits") or ordinal.group("vi"))
        if ordinal.group("digits") and _in_date(text, ordinal):
            continue
        if _is_weekday(text, ordinal, rank):
            taken.add(start, end)
            continue
        facts.append(Fact("number", ordinal.group(), start, end, Quantity(float(rank), None, 0, 1.0), ordinal=True))
        taken.add(start, end)
    for measure in MEASURE.finditer(text):
        start, end = measure.span()
        found = readings(measure.group("num"), lang)
        if not found or taken.overlaps(start, end):
            continue
        unit = MEASURE_UNITS[measure.group("unit")]
        quantities = [Quantity(value, unit, decimals, 1.0) for value, decimals in found]
        facts.append(Fact("number", measure.group(), start, end, quantities[0], tuple(quantities[1:])))
        support.quantities.extend(quantities)
        support.quantities.extend(Quantity(value, None, decimals, 1.0) for value, decimals in found)  # "2" alone
        taken.add(start, end)
    for date in find_dates(text, lang):
        if taken.overlaps(date.start, date.end):
            continue
        facts.append(Fact("date", text[date.start : date.end], date.start, date.end, date.value))
        support.dates.append(date.value)
        support.dates.extend(_range_ends(text, date))
        for part in date.value.parts().values():
            support.quantities.append(Quantity(float(part), None, 0, 1.0))
        taken.add(date.start, date.end)
    for match in NUMERAL.finditer(text):
        start, end = match.span()
        found = readings(match.group("num"), lang)
        joined = bool(_JOINING_DASH.search(text, max(0, start - 4), start))
        if not found or taken.overlaps(start, end) or (text[start - 1 : start] == "-" and not joined):
            continue  # "-5": a sign or a dash, not read
        quantities = [_quantity(match, *reading) for reading in found]
        if joined:
            # joined by a dash ("Covid-19", "12-24", "2018-19", "8-7"): the other text may write it apart
            # ("Covid 19", "12 to 24"), so it supports; as a fact it is a date's part or a range's end
            support.quantities.extend(quantities)
            continue
        quantities += _as_weight(match, quantities)
        support.quantities.extend(listed_parts(match.group("num")))  # "16,11 of them" may be 16 and 11
        quantity = quantities[0]
        kind = "amount" if quantity.unit else "number"
        end = match.end() if (match.group("mult") or match.group("unit")) else match.end("num")
        facts.append(Fact(kind, text[start:end].strip(), start, end, quantity, tuple(quantities[1:])))
        support.quantities.extend(quantities)
        if quantity.value < SMALL:
            support.neighbours.setdefault(quantity.value, set()).update(neighbour_words(text, start, end))
        if quantity.multiplier != 1.0:  # "3,2 tỷ" also supports a bare "3,2"
            support.quantities.extend(Quantity(value, None, decimals, 1.0) for value, decimals in found)
        taken.add(start, end)
    for match in WORD_NUMBER.finditer(text):
        start, end = match.span()
        spelled = words_value(match.group("words"))
        if spelled is None or taken.overlaps(start, end):
            continue
        quantity = _quantity(match, float(spelled), 0)
        weights = _as_weight(match, [quantity])
        support.quantities += [quantity, *weights]
        if quantity.value < SMALL:
            support.neighbours.setdefault(quantity.value, set()).update(neighbour_words(text, start, end))
        words = match.group("words").lower()
        after_ordinal = re.search(r"\b(?:thứ|lần)\s*$", text[max(0, start - 5) : start], re.IGNORECASE)
        if (words in SUPPORT_ONLY and not (match.group("mult") or match.group("unit"))) or after_ordinal:
            continue
        kind = "amount" if quantity.unit else "number"
        end = match.end() if (match.group("mult") or match.group("unit")) else match.end("words")
        facts.append(Fact(kind, text[start:end].strip(), start, end, quantity, tuple(weights)))
        taken.add(start, end)
    for name in find_names(text, lang):
        if taken.overlaps(name.start, name.end) or not name.tokens:
            continue
        facts.append(Fact("name", text[name.start : name.end], name.start, name.end, name.tokens))
        support.names.append(name.tokens)
    facts.sort(key=lambda f: f.start)
    return facts, support


def extract_facts(text: str, lang: str) -> list[Fact]:
    """The numbers, amounts, dates and names of ``text`` (``lang``: "vi" or "en"), in order."""
    return read(text, lang)[0]


__all__ = ["Fact", "Support", "extract_facts", "name_tokens", "read"]
