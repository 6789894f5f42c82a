"""Common English words, from a maintained word list (``english-words``: Webster's Second
International, whose common words are lower case and whose proper names are capitalised).

A name's word that is no common English word ("Holloway", "Watanabe", "Google") is not translated:
a translation between Vietnamese and English writes it as it is, in either direction.
"""

from __future__ import annotations

import functools
import re


@functools.cache
def _words() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False))


# an inflected word -> the forms the word list may have instead ("cities" -> "city", "riflemen" ->
# "rifleman", "managing" -> "manage", "manag"; the list has few inflected forms)
_ENDINGS = (
    ("ies", ("y",)), ("men", ("man",)), ("es", ("", "e")), ("s", ("",)), ("ing", ("", "e")), ("ed", ("", "e")),
    ("ied", ("y",)), ("ier", ("y",)), ("iest", ("y",)), ("er", ("",)), ("est", ("",)),  # "fewer" (not "Crimer": crime)
    # British spellings of the American list's words ("theatre", "colour", "organise", "catalogue")
    ("tre", ("ter",)), ("tres", ("ter",)), ("our", ("or",)), ("ours", ("or",)), ("ise", ("ize",)),
    ("ised", ("ized",)), ("isation", ("ization",)), ("yse", ("yze",)), ("ogue", ("og",)),
)  # fmt: skip


def common_english(word: str) -> bool:
    """``word`` (lower case) or its stem is a common English word: "peace", "slaves", "cities", "managing";
    so is a word the 1934 list is too old for, made of its words ("spokesperson", "cooperation") or
    frequent in today's English ("online", "okay")."""
    plural = len(word) > 6 and word.endswith("s")  # "organisations" (not "Wes": "we")
    return _listed(word) or (plural and _listed(word[:-1])) or _made_of_words(word) or _everyday(word)


# a word this frequent in today's English (pyspellchecker's counts, from subtitles: "okay" 159,920, "online"
# 22,964, "download" 7,612) is a word, whatever the 1934 list lacks; no name but a given name or a
# place's is as frequent ("John" 6,920 is a given name; "Trump" 2,536, "Google" 2,012, "Obama" 244)
EVERYDAY = 5000


def _everyday(word: str) -> bool:
    return _frequencies().get(word, 0) >= EVERYDAY


@functools.cache
def _frequencies() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def _listed(word: str) -> bool:
    words = _words()
    if word in words or word in ("women", "woman"):  # too short for the "men" ending's rule
        return True
    if any(
        word[: -len(ending)] + stem in words
        for ending, stems in _ENDINGS
        if word.endswith(ending) and len(word) > len(ending) + 1
        for stem in stems
        if len(word) - len(ending) + len(stem) >= 3  # "using": use; not "wes": we, "sing": se
    ):
        return True
    # a consonant doubled before the ending ("planning", "stopped", "winners": plan, stop, win)
    doubled = _DOUBLED.fullmatch(word)
    return doubled is not None and doubled.group(1) in words


_DOUBLED = re.compile(r"(\w{2,}?([b-df-hj-np-tv-z]))\2(?:ing|ed|ers?)")


def _made_of_words(word: str) -> bool:
    """A word's "-person" ("chairperson", "spokespersons"), or "co-" before a word that opens with a vowel
    ("cooperation", "coordinators"; not "Coleman": "leman" is a word too)."""
    singular = word[:-1] if word.endswith("s") else word
    if singular.endswith("person") and len(singular) > 9:
        return _listed(singular[:-6]) or _listed(singular[:-7])  # "spokes", "chair"
    return word.startswith("co") and len(word) >= 8 and word[2] in "aeiou" and _listed(word[2:])


# where the given names of English news and films come from (Faker's person data, Latin letters only):
# English-speaking locales, whose names may also be words ("Laura", "Bill"), and others, whose names
# count only where no dictionary has them ("Olivia", "Harun" opening a sentence)
ENGLISH_LOCALES = ("en_US", "en_GB", "en_IE", "en_NZ")
OTHER_LOCALES = tuple(
    "fr_FR de_DE es_ES es_MX it_IT pt_BR pt_PT nl_NL sv_SE da_DK no_NO fi_FI pl_PL cs_CZ hu_HU ro_RO tr_TR".split()
)
# given names that are also titles, forms of address or adjectives ("Earl Kalf", "Your Grace",
# "Christian church"): Vietnamese translates them
_ALSO_TITLES = frozenset("earl dean pastor grace christian angel valentine".split())


@functools.cache
def _given_names(locales: tuple[str, ...]) -> frozenset[str]:
    import importlib

    names: set[str] = set()
    for locale in locales:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            listed = provider.__dict__.get(attribute, ())  # a few locales compute theirs: not lists
            if isinstance(listed, (tuple, list, dict)):
                names.update(n.lower() for n in listed if n.isascii() and n.isalpha())
    return frozenset(names - _ALSO_TITLES)


def english_given_name(word: str) -> bool:
    """``word`` (lower case) is a given name in English-speaking countries ("laura", "bill", "sam")."""
    return word in _given_names(ENGLISH_LOCALES)


def given_name(word: str) -> bool:
    """``word`` (lower case) is a given name of a country English news often names ("olivia", "marcel")."""
    return word in _given_names(ENGLISH_LOCALES) or word in _given_names(OTHER_LOCALES)
