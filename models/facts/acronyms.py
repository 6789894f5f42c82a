"""Acronyms across Vietnamese and English: which a translation must keep, and what keeps one.

Vietnamese writes most international acronyms as they are ("DNA", "GDP", "UNESCO", "DVD"), and so does
English for Vietnamese texts that use them; Vietnam's own acronyms are spelt out in English (``UBND``:
the People's Committee, ``THPT``: high school), and a Roman numeral (``Platin (VI) florua``) is none.
"""

from __future__ import annotations

import re
from dataclasses import replace

from tomtat.models.facts.english import common_english
from tomtat.models.facts.extract import Fact
from tomtat.models.facts.names import equivalents
from tomtat.models.facts.source import Source

# an acronym of a Vietnamese text (``ĐBQH`` too) or of an English one
_ACRONYM = {"vi": re.compile(r"[A-ZĐ]{2,6}"), "en": re.compile(r"[A-Z]{2,5}")}
_ROMAN = re.compile(r"X{0,3}(?:IX|IV|V?I{0,3})")  # "Platin (VI) florua", "Paris XII": a numeral, no acronym

# Vietnam's own acronyms, which an English translation spells out (plain forms): people's committees and
# councils, courts, procuracies, schools, traffic police, cities, the national assembly, club, coach,
# team, insurance, publisher, degrees and titles, companies, the government, ministries, the party, the UN
VIETNAMESE_ACRONYMS = frozenset(
    """ubnd hdnd tand vksnd thpt thcs csgt tp tphcm hcm dbqh clb hlv dt bhxh bhyt nxb dhqg pgs ts gs bs ths
    tnhh ctcp vn hn qd nd cp ttg btc bch qdnd cand gtvt kh cn gd dh cd tw ubmttq mttq dcs dcsvn lhq hs sv
    gv nsnd nsut ktv""".split()
)


def acronym_kept_as_is(fact: Fact, lang: str) -> bool:
    """A name of a ``lang`` text that is an acronym the other language writes as it is: no Roman numeral,
    in Vietnamese none of Vietnam's own, in English no word ("US" is, "OK" is a word)."""
    assert isinstance(fact.value, tuple)
    if not _ACRONYM[lang].fullmatch(fact.text) or _ROMAN.fullmatch(fact.text):
        return False
    letters = fact.value[0]
    return letters not in VIETNAMESE_ACRONYMS if lang == "vi" else not common_english(letters)


def keeps_acronym(output: Source, acronym: Fact) -> bool:
    """The output has the acronym, as it is or in the plural ("GMOs"), a known form of it, or what it
    stands for."""
    assert isinstance(acronym.value, tuple)
    letters = acronym.value[0]
    return (
        output.support.has_word(letters)
        or output.support.has_word(letters + "s")
        or output.has_name(acronym)
        or _spells_out(output, acronym)
    )


def _spells_out(output: Source, acronym: Fact) -> bool:
    """The output names what the acronym abbreviates: a name whose initials open it ("NYU": ``đại học New
    York``), or a known form of its head ("UNHCR": ``Cao Uỷ Tỵ Nạn Liên Hiệp Quốc``)."""
    assert isinstance(acronym.value, tuple)
    letters = acronym.value[0]
    names = [f.value for f in output.facts if isinstance(f.value, tuple) and len(f.value) >= 2]
    if any(letters.startswith("".join(token[0] for token in name)) for name in names):
        return True
    heads = (letters[:n] for n in range(2, len(letters)))
    return any(
        output.supports(replace(acronym, value=(head,), text=head.upper()), across_languages=True)
        for head in heads
        if len(equivalents((head,))) > 1
    )
