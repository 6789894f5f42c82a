"""The form names are compared in: lower case, no diacritics, ``đ`` = ``d`` (how English writes a
Vietnamese name: ``Quảng Nam`` = ``Quang Nam``)."""

from __future__ import annotations

import unicodedata


def plain(text: str) -> str:
    """Lower case, no diacritics, ``đ`` = ``d``: the form names are compared in."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
