"""Places known in both languages, from maintained data rather than a hand list: every country and
territory in Vietnamese and English from CLDR (through ``babel``), and Vietnam's provinces and cities —
the 63 before the 2025 merger (ISO 3166-2:VN, through ``pycountry``: the names of most stored news) and
the 34 after it (``vietnam-provinces``). Names are compared without diacritics (``Đ`` -> ``D``), which
is how English writes a Vietnamese name: ``Quảng Nam`` = ``Quang Nam``.
"""

from __future__ import annotations

import functools
import re

from tomtat.models.facts.plain import plain

_CITY = re.compile(r"^(?:thanh pho|tp\.?)\s+")


def _forms(name: str) -> set[str]:
    """``Bà Rịa - Vũng Tàu`` -> {"ba ria vung tau", "ba ria - vung tau" ...}; parentheses dropped, but a
    one-word name's other name kept (``Myanmar (Burma)``), and CLDR's "SAR China" (``Hong Kong``)."""
    other = re.fullmatch(r"(\w+) \((.+)\)", name)
    if other:
        return _forms(other.group(1)) | _forms(other.group(2))
    base = plain(re.sub(r"\s*\(.*?\)|\s+SAR China$", "", name)).replace("&", "and").strip()
    spaced = " ".join(re.split(r"[\s\-.]+", base)).strip()
    return {f for f in (base, spaced, _CITY.sub("", spaced)) if f}


@functools.cache
def _territories() -> dict[str, tuple[str, str]]:
    """CLDR's territories (countries, and regions with numeric codes) that both locales name: code ->
    (Vietnamese name, English name)."""
    from babel import Locale

    vietnamese, english = Locale("vi").territories, Locale("en").territories
    return {code: (vietnamese[code], english[code]) for code in vietnamese if isinstance(code, str) and code in english}


@functools.cache
def country_groups() -> tuple[frozenset[str], ...]:
    """One group per CLDR territory or region (``Châu Phi``: Africa, ``Đông Nam Á``): its Vietnamese and
    English names, as plain forms."""
    return tuple(
        frozenset(_forms(vi) | _forms(en))
        for code, (vi, en) in _territories().items()
        if (len(code) == 2 and code.isalpha()) or (code.isdigit() and code != WORLD)
    )


WORLD = "001"  # CLDR's region of everything ("Thế giới"), a word of every text: the other regions count


@functools.cache
def provinces() -> frozenset[str]:
    """Vietnam's provinces and centrally governed cities, old and merged, as plain forms."""
    import pycountry
    from vietnam_provinces import Province

    names = [s.name for s in pycountry.subdivisions.get(country_code="VN")]  # type: ignore[no-untyped-call]
    names += [p.name for p in Province.iter_all()]
    return frozenset(form for name in names for form in _forms(name))


@functools.cache
def known_places() -> frozenset[str]:
    """Every plain form of a country, territory or province (a name no translator renders freely)."""
    return frozenset(form for group in country_groups() for form in group) | provinces()


@functools.cache
def places_written_alike() -> frozenset[str]:
    """Places Vietnamese and English write alike, marks aside (CLDR: ``Afghanistan``, ``Kenya``; every
    province: ``Quảng Nam``, "Quang Nam"): a translation either way keeps the name as it is."""
    # not CLDR's pseudo-territories (XA "Pseudo-Accents", XB)
    territories = (names for code, names in _territories().items() if not code.startswith("X"))
    alike = {plain(vi) for vi, en in territories if _forms(vi) & _forms(en)}
    return frozenset(alike) | provinces()


@functools.cache
def city_groups() -> tuple[frozenset[str], ...]:
    """One group per city CLDR names a time zone after (``Europe/Berlin``; ``Asia/Shanghai``: ``Thượng
    Hải``): its English name and, where CLDR has one, its Vietnamese name, as plain forms. Not the zones
    of Antarctica's stations nor of US counties ("Casey", "Center")."""
    from babel import Locale
    from babel.core import get_global

    vietnamese, english = Locale("vi").time_zones, Locale("en").time_zones
    groups = []
    for zone in get_global("zone_territories"):
        area, _, city = zone.partition("/")
        if "/" in city or area in ("Etc", "Antarctica"):
            continue
        names = {english.get(zone, {}).get("city") or city.replace("_", " "), vietnamese.get(zone, {}).get("city", "")}
        groups.append(frozenset(form for name in names if name for form in _forms(name)))
    return tuple(groups)


@functools.cache
def known_cities() -> frozenset[str]:
    """Every plain form of a city of ``city_groups`` ("berlin", "new york", "thuong hai")."""
    return frozenset(form for group in city_groups() for form in group)


@functools.cache
def language_countries() -> dict[str, frozenset[str]]:
    """English names of CLDR's languages with a two-letter code, one word each ("finnish", "irish",
    "hebrew"), -> the plain forms of the country each is most likely spoken in (CLDR's likely subtags:
    fi -> Finland, ``Phần Lan``): Vietnamese says a people's adjective by its country (the Finnish:
    ``người Phần Lan``)."""
    from babel import Locale
    from babel.core import get_global

    likely, territories = get_global("likely_subtags"), _territories()
    countries = {}
    for code, name in Locale("en").languages.items():
        territory = likely.get(code, "").split("_")[-1]
        if len(code) == 2 and re.fullmatch(r"\w+", name) and territory in territories:
            vietnamese, english = territories[territory]
            countries[plain(name)] = frozenset(_forms(vietnamese) | _forms(english))
    return countries


@functools.cache
def country_languages() -> dict[str, frozenset[str]]:
    """``language_countries`` the other way: a country's plain form -> its peoples' languages
    ("ireland" -> {"irish"})."""
    languages: dict[str, set[str]] = {}
    for language, forms in language_countries().items():
        for form in forms:
            languages.setdefault(form, set()).add(language)
    return {form: frozenset(names) for form, names in languages.items()}
