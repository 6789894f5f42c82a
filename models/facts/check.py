"""Checks: every fact of an output must be supported by its source; a translation must also keep every
number, date and name of its source. Flags say what and why; the output is never changed."""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any

from tomtat.models.facts.extract import Fact
from tomtat.models.facts.names import unmatchable
from tomtat.models.facts.numbers import SMALL_NUMBER_WORDS, Quantity
from tomtat.models.facts.renderings import (
    dropped_from_english,
    dropped_from_vietnamese,
    has_words,
    keeps_rare_words,
    matchable,
    named_place,
    names_missing,
    names_unsupported,
    put_in_vietnamese,
    renderings_in_vietnamese,
    renderings_possible,
    sino_vietnamese_renderable,
    transliterates,
    written_names_gone,
    written_put_in,
)
from tomtat.models.facts.source import Source
from tomtat.models.facts.written import vocative, written_as_is


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


def _unsupported(output: Source, source: Source, across_languages: bool = False) -> list[Flag]:
    flags = []
    missing: list[Fact] | None = None  # the source's names the output lacks, found on first need

    def source_names_gone() -> list[Fact]:
        nonlocal missing
        if missing is None:
            missing = names_missing(source, output)
        return missing

    written_gone: list[Fact] | None = None  # the source's names written as they are that the output lacks

    def names_written_gone() -> list[Fact]:
        nonlocal written_gone
        if written_gone is None:
            written_gone = written_names_gone(source, output)
        return written_gone

    for fact in output.facts:
        if across_languages and fact.kind == "number" and (_spelled(fact) or _article_one(fact)):
            continue  # "hai tay" -> "both hands", "one official ... another": words are rendered freely
        if source.supports(fact, across_languages, output.text):
            continue
        if across_languages and isinstance(fact.value, tuple):
            if source.has_place_of_people(fact.value):
                continue  # "South Sudanese" for ``người Nam Sudan``
            # a name that shares nothing with the source's names is a rendering (Áp Lục -> "Amrok
            # River"); one that keeps a word of a source name and changes another is misspelt or swapped
            changed_from = source.changed_name(fact.value, unmatchable(fact.text, fact.value, output.lang))
            if changed_from is not None and not keeps_rare_words(fact, output, source):
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", changed_from))
            elif (altered_from := source.place_altered(fact.value)) is not None:
                # a source place with one word changed ("Bắc Triều Bảo" for North Korea, "Quang Nom")
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", altered_from))
            elif named_place(fact, output):
                # a place name is named, not rendered ("Da Nang" for Hà Nội); in Vietnamese one of one
                # syllable or that is a word too is not checked ("Hòa Bình": peace, "Đức tin": faith); its
                # people or adjective in the source back it ("Phần Lan" for "Finnish")
                if not source.has_demonym(fact.value) and not transliterates(source, fact, output):
                    near = source.nearest_place()
                    reason = "changed" if near else "unsupported"
                    flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, reason, near.text if near else None))
            elif matchable(fact, output, source) and not keeps_rare_words(fact, output, source) and source_names_gone():
                # a name the source lacks where a name of the source is gone from the output: swapped
                # ("Margaret Holloway" for Obama); a source that names nothing the output lacks may have
                # been rendered freely ("here" -> "in North Korea"), so that alone is not flagged
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", source_names_gone()[0].text))
            elif written_put_in(fact, output, source) and names_written_gone():
                # a name written as it is that the source lacks, where one of the source's is gone: swapped,
                # also in a call to the listener ("I'm sorry, Kevin." for "I'm sorry, Cami.")
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "changed", names_written_gone()[0].text))
            elif (
                output.lang == "en"
                and not has_words(source, kept := written_as_is(fact, output.text))
                and kept
                and not vocative(output.text, fact)
            ):
                # a word no dictionary has ("Holloway", "Watanabe") is written as it is in both languages:
                # one the source lacks was put in, unless a name the source writes in Vietnamese is gone
                # (it may be rendered so: "Luân Đôn" -> "London") or the source transliterates ("Anh-xtanh")
                if not renderings_possible(source, source_names_gone()):
                    flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "unsupported"))
            elif output.lang == "vi" and put_in_vietnamese(fact, output, source):
                # the same in a Vietnamese output: a Vietnamese person's name, or a name in a foreign
                # spelling, that the English source lacks; where a name of the source is gone, swapped
                gone = source_names_gone()
                reason, match = ("changed", gone[0].text) if gone else ("unsupported", None)
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, reason, match))
            continue
        near = source.nearest(fact)
        reason, match = ("changed", near.text) if near else ("unsupported", None)
        flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, reason, match))
    return flags


# what a translation must keep: names are often rendered freely (Bắc Triều Tiên -> "my country"), and a
# spelled number may become a word ("hai tay" -> "both hands"): only written numbers, amounts and dates
OMISSION_KINDS = frozenset({"number", "amount", "date"})


def _spelled(fact: Fact) -> bool:
    return not any(ch.isdigit() for ch in fact.text)


@functools.lru_cache(maxsize=4)
def _article(text: str, lang: str) -> Source:
    """An article read once for the checks of its summary and of that summary's translation, which come
    one after the other (reading is most of a check's time); a few kept, as they may be long."""
    return Source(text, lang)


def check_summary(article: str, summary: str, lang: str = "vi", summary_lang: str | None = None) -> list[Flag]:
    """Facts of ``summary`` that ``article`` does not support (a summary may leave facts out)."""
    output_lang = summary_lang or lang
    # an English summary of a Vietnamese article is checked with the translation's cross-language rules
    return _unsupported(Source(summary, output_lang), _article(article, lang), across_languages=output_lang != lang)


def check_translation(source: str, translation: str, source_lang: str, target_lang: str) -> list[Flag]:
    """Facts of ``translation`` the source does not support, then numbers, dates and names of the
    source that the translation leaves out (``missing``, positions in the source)."""
    source_side, output = Source(source, source_lang), Source(translation, target_lang)  # each read once
    flags = _unsupported(output, source_side, across_languages=True)
    gone = _names_gone(source_side, output)
    for fact in source_side.facts:
        if isinstance(fact.value, tuple):
            if fact in gone:
                flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "missing"))
            continue
        if fact.ordinal or fact.kind not in OMISSION_KINDS or _spelled(fact) or _article_one(fact):
            continue
        if not output.supports(fact, across_languages=True, strict_units=False) and not _said_in_words(fact, output):
            flags.append(Flag(fact.kind, fact.text, fact.start, fact.end, "missing"))
    return flags


def _names_gone(source: Source, output: Source) -> list[Fact]:
    """The source's names a translation must keep and lacks. Into Vietnamese, each name the translation
    writes in Vietnamese that the source does not explain may render one of them (``Luân Đôn`` for
    "London"): they are missing only when more are gone than such names can render."""
    names = [f for f in source.facts if isinstance(f.value, tuple)]
    if source.lang == "vi":
        return [f for f in names if dropped_from_english(f, output, source)]
    gone = [f for f in names if dropped_from_vietnamese(f, output, source) and not transliterates(output, f, source)]
    renderable = [f for f in gone if sino_vietnamese_renderable(f)]
    if renderable and len(renderable) <= renderings_in_vietnamese(names_unsupported(output, source)):
        return [f for f in gone if f not in renderable]
    return gone


def _said_in_words(fact: Fact, output: Source) -> bool:
    """A small number of the source that the translation says in a word ("cả 2" -> "both", "0 và 1" ->
    "zeroes and ones", "gấp 4 lần" -> "fourfold")."""
    if not isinstance(fact.value, Quantity) or fact.value.unit is not None or fact.value.decimals:
        return False
    words = SMALL_NUMBER_WORDS.get(int(fact.value.value), frozenset())
    return fact.value.value.is_integer() and any(output.support.has_word(word) for word in words)


def _article_one(fact: Fact) -> bool:
    """A bare "1": Vietnamese writes it for the article ("1 lò gạch": "a brick kiln", "the brick kilns")."""
    return fact.text == "1"


def check_pair(source: str, output: str, source_lang: str, output_lang: str) -> list[Flag]:
    """A summary check when both texts are in one language, else a translation check."""
    if source_lang == output_lang:
        return check_summary(source, output, source_lang)
    return check_translation(source, output, source_lang, output_lang)
