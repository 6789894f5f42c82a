"""The form names are compared in: lower case, no diacritics, ``đ`` = ``d`` (how English writes a
Vietnamese name: ``Quảng Nam`` = ``Quang Nam``)."""

from __future__ import annotations

import re
import unicodedata

# every character of U+0300–U+036F is a nonspacing mark (Mn), and the blocks of _PLAIN_BLOCKS (Latin,
# Greek, Cyrillic letters, punctuation, symbols) hold no other: a decomposed text within them loses its
# marks to one regex instead of a category looked up per character (2× faster on an article); anything
# else takes the general path. tests/test_facts.py checks both claims and that the paths agree.
_LATIN_MARKS = re.compile("[\u0300-\u036f]+")
_PLAIN_BLOCKS = "\u0000-\u0482\u048a-\u0590\u1e00-\u1fff\u2000-\u20cf\u2100-\u2bff"
_OUTSIDE = re.compile(f"[^{_PLAIN_BLOCKS}]")


def plain(text: str) -> str:
    """Lower case, no diacritics, ``đ`` = ``d``: the form names are compared in."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    if _OUTSIDE.search(decomposed):
        return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _LATIN_MARKS.sub("", decomposed)
