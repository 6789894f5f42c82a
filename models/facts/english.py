"""Common English words, from a maintained word list (``english-words``: Webster's Second
International, whose common words are lower case and whose proper names are capitalised).

A name's word that is no common English word ("Holloway", "Watanabe", "Google") is not translated:
a translation between Vietnamese and English writes it as it is, in either direction.
"""

from __future__ import annotations

import functools


@functools.cache
def _words() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=False))


# an inflected word -> the forms the word list may have instead ("cities" -> "city", "riflemen" ->
# "rifleman", "managing" -> "manage", "manag"; the list has few inflected forms)
_ENDINGS = (("ies", ("y",)), ("men", ("man",)), ("es", ("", "e")), ("s", ("",)), ("ing", ("", "e")), ("ed", ("", "e")))


def common_english(word: str) -> bool:
    """``word`` (lower case) or its stem is a common English word: "peace", "slaves", "cities", "managing"."""
    words = _words()
    if word in words:
        return True
    return any(
        word[: -len(ending)] + stem in words
        for ending, stems in _ENDINGS
        if word.endswith(ending) and len(word) > len(ending) + 2
        for stem in stems
    )
