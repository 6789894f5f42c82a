"""Numbers and amounts in Vietnamese and English text, as values.

Vietnamese writes ``1.000`` for a thousand and ``3,2`` for three point two; English the other way
round. Multiplier words (``triệu``, ``tỷ``, ``million``) and spelled numbers (``hai``, ``mười``,
``twenty-five``) become values too; currencies and percentages make an amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MULTIPLIERS = {
    "nghìn tỷ": 1e12,
    "ngàn tỷ": 1e12,
    "nghìn tỉ": 1e12,
    "nghìn": 1e3,
    "ngàn": 1e3,
    "triệu": 1e6,
    "tỷ": 1e9,
    "tỉ": 1e9,
    "thousand": 1e3,
    "thousands": 1e3,
    "million": 1e6,
    "millions": 1e6,
    "billion": 1e9,
    "billions": 1e9,
    "trillion": 1e12,
    "bn": 1e9,
    "mln": 1e6,
    "mill": 1e6,
    "k": 1e3,  # "200K", "$30 mill", "€22.8 mln": news and subtitles abbreviate
}
# spelled words: units and tens. "một"/"one" and the ambiguous "năm" (five / year) and "ba" (three /
# father) only support other facts, they are never checked themselves (see SUPPORT_ONLY).
WORDS = {
    "một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8,
    "chín": 9, "mười": 10, "mươi": 10, "trăm": 100, "chục": 10,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12, "a": 1, "an": 1,
}  # fmt: skip
SUPPORT_ONLY = frozenset(
    {"a", "an", "một", "one", "năm", "ba", "tư", "lăm", "mươi", "trăm", "chục", "hundred", "dozen"}
)
CURRENCIES = {
    "đồng": "VND", "vnđ": "VND", "vnd": "VND", "đ": "VND", "dong": "VND",
    "usd": "USD", "đô la": "USD", "đô la mỹ": "USD", "đô": "USD", "dollar": "USD", "dollars": "USD", "$": "USD",
    "us$": "USD", "euro": "EUR", "euros": "EUR", "eur": "EUR", "€": "EUR", "yên": "JPY", "yen": "JPY",
    "nhân dân tệ": "CNY", "yuan": "CNY", "bảng": "GBP", "pounds": "GBP", "£": "GBP",
}  # fmt: skip
PERCENT = {"%": "%", "phần trăm": "%", "percent": "%", "per cent": "%"}


def _alternation(words: object) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))  # type: ignore[call-overload]


_SYMBOLS = frozenset({"$", "us$", "€", "£"})  # written before the number
_MULTIPLIER_WORD = rf"(?:{_alternation(MULTIPLIERS)})"
# "tỷ phú", "triệu phú": a billionaire, a millionaire ("30 tỷ phú": thirty people), no multiplier
_MULTIPLIER = rf"(?:\s*(?P<mult>{_alternation(MULTIPLIERS)})\b(?!\s*phú\b))?"
_UNIT = rf"(?:\s*(?P<unit>{_alternation(PERCENT)}|{_alternation(c for c in CURRENCIES if c not in _SYMBOLS)})(?!\w))?"
_DIGITS = r"(?P<num>\d+(?:[.,]\d+)*)"
NUMERAL = re.compile(
    # a letter may follow the digits only as a multiplier ("50million", "200K"), not as a word ("5G", "B6")
    rf"(?<![\w.,/:])(?P<pre>US\$|\$|€|£)?{_DIGITS}(?![/:]|[.,]\d|(?!{_MULTIPLIER_WORD}\b)\w){_MULTIPLIER}{_UNIT}",
    re.IGNORECASE,
)
_WORD = re.compile(
    rf"\b(?:{_alternation(WORDS)})"
    rf"(?:[\s-]+(?:and\s+)?(?:{_alternation(WORDS)}|(?:thousand|million|billion)(?=[\s-]+\w)))*\b",
    re.IGNORECASE,
)
ORDINAL_WORDS = {
    w: i
    for i, w in enumerate(
        """first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth
        fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth""".split(),
        1,
    )
}
ORDINAL = re.compile(
    rf"\b(?:(?P<digits>\d+)(?:st|nd|rd|th)|(?P<word>{_alternation(ORDINAL_WORDS)}))\b"
    r"|\b(?:thứ|lần thứ|thế kỷ|thế kỉ)\s+(?P<vi>\d+)\b",
    re.IGNORECASE,
)
# measurements: the number and its unit are one fact ("2m", "2 mét", "2 metres"), only backed by the same
# unit; short unit symbols are case-sensitive ("5G" is a network, "2 M" nothing)
MEASURE_UNITS = {
    "km/h": "km/h", "km2": "km2", "km²": "km2", "m2": "m2", "m²": "m2", "m3": "m3", "m³": "m3",
    "km": "km", "cm": "cm", "mm": "mm", "m": "m", "ha": "ha", "kg": "kg", "tấn": "t", "tạ": "100kg",
    "lít": "l", "lit": "l", "MW": "MW", "kW": "kW", "GW": "GW", "kWh": "kWh", "°C": "°C", "độ C": "°C",
    "mét": "m", "ki-lô-mét": "km", "cây số": "km", "héc-ta": "ha", "ki-lô-gam": "kg", "mét vuông": "m2",
    "meter": "m", "meters": "m", "metre": "m", "metres": "m", "kilometer": "km", "kilometers": "km",
    "kilometre": "km", "kilometres": "km", "hectare": "ha", "hectares": "ha", "kilogram": "kg",
    "kilograms": "kg", "kilo": "kg", "kilos": "kg", "ton": "t", "tons": "t", "tonne": "t", "tonnes": "t",
    "liter": "l", "liters": "l",
    "litre": "l", "litres": "l", "square meters": "m2", "square metres": "m2", "degrees Celsius": "°C",
    "kgs": "kg",
    # the units a translation converts to or from ("50m" -> "150 feet"): checked by conversion
    "feet": "ft", "foot": "ft", "ft": "ft", "inch": "inch", "inches": "inch", "mile": "mile", "miles": "mile",
    "mi": "mile",
    "dặm": "mile", "yard": "yd", "yards": "yd", "square miles": "mile2", "square mile": "mile2",
    "dặm vuông": "mile2", "square feet": "ft2", "acre": "acre", "acres": "acre", "mẫu Anh": "acre",
    "pao": "lb", "lb": "lb", "lbs": "lb", "gallon": "gal", "gallons": "gal", "ga-lông": "gal", "°F": "°F",
    "độ F": "°F", "degrees Fahrenheit": "°F", "degrees": "°", "độ": "°",
}  # fmt: skip
# a unit's size in its dimension's base unit, for conversions across languages
UNIT_SIZES: dict[str, tuple[str, float]] = {
    "m": ("length", 1.0), "km": ("length", 1000.0), "cm": ("length", 0.01), "mm": ("length", 0.001),
    "ft": ("length", 0.3048), "inch": ("length", 0.0254), "mile": ("length", 1609.344), "yd": ("length", 0.9144),
    "kg": ("mass", 1.0), "t": ("mass", 1000.0), "100kg": ("mass", 100.0), "lb": ("mass", 0.45359237),
    "m2": ("area", 1.0), "km2": ("area", 1e6), "ha": ("area", 1e4), "mile2": ("area", 2589988.0),
    "ft2": ("area", 0.09290304), "acre": ("area", 4046.8564),
    "l": ("volume", 1.0), "m3": ("volume", 1000.0), "gal": ("volume", 3.785411784),
}  # fmt: skip
CONVERSION_TOLERANCE = 0.1  # translators round what they convert ("50m" -> "150 feet" is 9% short)


def conversions(value: float, unit: str) -> list[tuple[float, str]]:
    """``value`` of ``unit`` in each other unit of its dimension (a bare "degrees" may be either scale)."""
    if unit in ("°C", "°F", "°"):
        celsius = {"°C": [value], "°F": [(value - 32) / 1.8], "°": [value, (value - 32) / 1.8]}[unit]
        out = [(c, "°C") for c in celsius] + [(c * 1.8 + 32, "°F") for c in celsius]
        out += [(v, "°") for v, _ in out]
        return [(v, u) for v, u in out if (v, u) != (value, unit)]
    if unit not in UNIT_SIZES:
        return []
    dimension, size = UNIT_SIZES[unit]
    base = value * size
    return [(base / other, name) for name, (dim, other) in UNIT_SIZES.items() if dim == dimension and name != unit]


# "18-inch", "18 - inch" (a tokenized corpus's hyphen)
MEASURE = re.compile(
    rf"(?<![\w.,/:-])(?P<num>\d+(?:[.,]\d+)*)(?:[\s-]| - )?(?P<unit>{_alternation(MEASURE_UNITS)})(?![\w²³/])"
)
# "kỳ họp thứ 5", "lần thứ 10", "thế kỷ 21", "5th": an ordinal is a fact too; "thứ 2".."thứ 7" after these
# words (or opening a sentence) is a weekday, not an ordinal
ORDINAL_FACT = re.compile(
    r"\b(?:(?P<digits>\d+)(?:st|nd|rd|th)|(?P<lead>lần thứ|thứ|thế kỷ|thế kỉ|khóa|khoá)\s+(?P<vi>\d+))\b",
    re.IGNORECASE,
)
WEEKDAY_LEADS = frozenset("ngay hom vao sang chieu toi trua dem moi cac tu den va hay".split())

WORD_NUMBER = re.compile(rf"(?P<words>{_WORD.pattern}){_MULTIPLIER}{_UNIT}", re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str | None  # "VND", "USD", "%", ... ; None for a plain number
    decimals: int  # digits written after the decimal mark (a rounding of the source is still faithful)
    multiplier: float


# two numbers run together by a comma, no space: a decimal in Vietnamese, or a list ("10,20 hay 30",
# "From these 16,11 of them": a comma that groups no thousands)
LISTED = re.compile(r"(\d+),(\d{1,2})")


def listed_parts(digits: str) -> tuple[Quantity, ...]:
    """The numbers of a bare ``10,20`` read as a list (10 and 20); none for any other numeral."""
    match = LISTED.fullmatch(digits)
    return tuple(Quantity(float(part), None, 0, 1.0) for part in match.groups()) if match else ()


# "những năm 90", "thập niên 1990", "the 1990s", "the '90s": a decade supports 90 and 1990
DECADE = re.compile(r"(?:\b(?:những năm|thập niên|thập kỷ)\s*(?P<vi>\d{2,4})\b)|(?:['’]?(?P<en>\d{2,4})s\b)", re.I)


def readings(digits: str, lang: str) -> list[tuple[float, int]]:
    """Every plausible (value, decimals) of a numeral, the text's own convention first: Vietnamese
    text often carries English-style ``10,000`` (translations, wire copy), and ``2,500`` reads
    both ways."""
    other = "en" if lang == "vi" else "vi"
    found = [r for r in (parse_numeral(digits, lang), parse_numeral(digits, other)) if r is not None]
    return list(dict.fromkeys(found))


def parse_numeral(digits: str, lang: str) -> tuple[float, int] | None:
    """``1.000`` (vi) / ``1,000`` (en) / ``3,2`` (vi) / ``3.2`` (en) as (value, decimals written)."""
    thousands, decimal = (".", ",") if lang == "vi" else (",", ".")
    groups = digits.split(thousands)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and len(groups[0]) <= 3 and decimal not in groups[0]:
        digits = "".join(groups)
    elif thousands in digits:  # "3.2" in Vietnamese text, "3,5" in English: the other mark, read as decimal
        if digits.count(thousands) > 1:
            return None
        digits = digits.replace(thousands, decimal)
    whole, _, fraction = digits.replace(decimal, ".", 1).partition(".")
    if not whole.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return float(f"{whole}.{fraction}" if fraction else whole), len(fraction)


SCALES = {"nghìn": 1000, "ngàn": 1000, "triệu": 10**6, "tỷ": 10**9, "tỉ": 10**9,
          "thousand": 1000, "million": 10**6, "billion": 10**9}  # fmt: skip


def words_value(words: str) -> int | None:
    """``hai mươi lăm`` = 25, ``ba trăm`` = 300, ``twenty-five`` = 25, ``thirty-five thousand eight
    hundred thirty`` = 35,830, ``a million`` = 1,000,000; a lone ``a`` before other words is an article."""
    parts = [w for w in re.split(r"[\s-]+", words.lower()) if w and w != "and"]
    if len(parts) > 1 and parts[0] in ("a", "an") and parts[1] not in SCALES and parts[1] not in ("hundred", "dozen"):
        parts = parts[1:]
    total = current = 0
    for word in parts:
        if word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0
            continue
        value = WORDS.get(word)
        if value is None:
            return None
        if word == "mươi":
            current = (current or 1) * 10
        elif value == 100:
            current = (current or 1) * 100
        else:
            current += value
    return total + current if parts else None


def unit_of(match: re.Match[str]) -> str | None:
    pre = match.groupdict().get("pre")
    if pre:
        return CURRENCIES.get(pre.lower())
    unit = (match.group("unit") or "").lower()
    return PERCENT.get(unit) or CURRENCIES.get(unit)


# words a translation may write for a small number its source writes in digits: "cả 2" -> "both",
# "0 và 1" -> "zeroes and ones", "gấp 4 lần" -> "fourfold", "3 / 4" -> "three-quarter", "in 3 chiều" -> "3D"
# (English only: Vietnamese number words are read as numbers, and their plain forms are other words too)
_SMALL_WORDS = {
    0: "zero zeroes zeros nil none nought",
    2: "two both pair pairs twice double doubled couple twin twins half halved second",
    3: "three third thirds triple tripled thrice 3d",
    4: "four fourth quarter quarters fourfold quadruple quadrupled",
    5: "five fifth fifths fivefold",
    6: "six sixth sixths sixfold",
    7: "seven seventh sevenths",
    8: "eight eighth eighths",
    9: "nine ninth ninths",
    10: "ten tenth tenths tenfold",
    12: "twelve twelfth dozen",
    15: "fifteen quarter",  # "8 giờ kém 15": "a quarter to eight"
    100: "hundred hundreds",
    1000: "thousand thousands grand",
}
SMALL_NUMBER_WORDS = {value: frozenset(words.split()) for value, words in _SMALL_WORDS.items()}
