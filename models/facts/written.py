"""Which words of a name a translation between Vietnamese and English writes as they are.

A Vietnamese text writes a foreign name in its own spelling (``Chris Anderson``, ``Ghana``: words no
Vietnamese syllable is), and English writes a Vietnamese one without its marks (``Quang Nam``); a word
no English dictionary has ("Holloway", "Watanabe") is not translated either. Such words must be found
in the other text: a translation that lacks them dropped the name, one that has them where its source
does not put them in. Other words of names are translated (``Giải phóng Nô lệ``: "Free the Slaves").
"""

from __future__ import annotations

import functools
import re

from tomtat.models.facts.english import common_english, english_given_name, given_name
from tomtat.models.facts.extract import Fact
from tomtat.models.facts.names import place_words, run_together, vietnamese_syllable
from tomtat.models.facts.plain import plain

_ACRONYM = re.compile(r"[A-Z]{2,}s?")  # translated like words: "MPs", "NGO", "TAND" ("court")
_WORD_BREAK = re.compile(r"[\s.\-'’]+")


def written_foreign(fact: Fact) -> list[str]:
    """The words of a Vietnamese text's name that are no Vietnamese syllable (``Bang Iowa``: iowa)."""
    foreign = []
    for token in fact.text.split():
        if _ACRONYM.fullmatch(token.replace(".", "")):
            continue
        for word in _WORD_BREAK.split(token):
            # syllables run together are still Vietnamese ("BắcTriều" is Bắc Triều); "McVeigh" is one word
            parts = run_together(word)
            if len(parts) > 1 and all(vietnamese_syllable(plain(part)) for part in parts):
                continue
            if word and not vietnamese_syllable(plain(word)):
                foreign.append(plain(word))
    return foreign


def written_as_is(fact: Fact, text: str) -> list[str]:
    """The words of an English name that no dictionary has: of three letters or more, no common English
    word, no place's nor derived from one ("Kenyan"), no acronym (but every syllable of a Vietnamese name:
    "Van Binh", and a name after a title, whatever the dictionary has: "Mr. Hardy", "Sir Francis"); none
    of an abbreviation with dots ("Ph.D"). ``text``: the text the fact is of, where its title may be."""
    assert isinstance(fact.value, tuple)
    if "." in fact.text:
        return []
    words = [plain(word) for word in _WORD_BREAK.split(fact.text) if word and not _ACRONYM.fullmatch(word)]
    if len(words) > 1 and all(map(vietnamese_syllable, words)):
        # a Vietnamese name without its marks ("Van Binh"): its syllables are kept, whatever English has
        return [word for word in words if len(word) > 2]
    titled = [
        words[i - 1] in TITLES if i else bool(_TITLE_END.search(text, max(0, fact.start - 16), fact.start))
        for i in range(len(words))
    ]
    return [
        word
        for i, word in enumerate(words)
        if len(word) > 2
        and word not in TITLES
        # a name after a title is written as it is ("Mr. Hardy": "ông Hardy"; "Sir Francis"), and so is a
        # given name though a dictionary has it ("Laura", "Bill Masters", "Marcel")
        and (titled[i] or (not _from_place(word) and (not common_english(word) or (i == 0 and _given(word)))))
    ]


def _given(word: str) -> bool:
    """A given name of English-speaking countries, or of five letters or more of others' ("Marcel"; a
    shorter one may be an English word too: "Gun" is Swedish)."""
    return english_given_name(word) or (len(word) > 4 and given_name(word))


# titles and forms of address before an English name (the name after one is a name, not a word)
TITLES = frozenset(
    """mr mrs ms miss mx dr sir dame lady lord master prof professor captain capt colonel col lieutenant
    sergeant sgt officer detective inspector judge senator president king queen prince princess
    uncle aunt""".split()
)
_TITLE_END = re.compile(rf"\b(?:{'|'.join(TITLES)})\.?\s+$", re.IGNORECASE)


# what English adds to a place's stem for its people or adjective ("kenyan", "zambians", "portuguese",
# "englishman"); any other rest is another word that merely starts like a place ("francesca": fran-ce)
_DEMONYM_REST = re.compile(r"[a-z]{0,3}?(an|ans|nes?|ians?|eans?|ese|ish|ishm[ae]n|m[ae]n|ic|is?|ers?|ites?|ines?|ois)")


@functools.lru_cache(maxsize=4096)
def _from_place(word: str) -> bool:
    """A place's word or one derived from it ("zambians", "italian": all but its last three letters,
    then a people's or adjective's ending)."""
    stems = _place_stems()
    return word in place_words() or any(
        word[:k] in stems and _DEMONYM_REST.fullmatch(word[k:]) for k in range(4, len(word))
    )


@functools.cache
def _place_stems() -> frozenset[str]:
    return frozenset(word[: max(4, len(word) - 3)] for word in place_words())


# a greeting before a call ("Chào Nate, ...", "Hi Sean."): the name is set off as after a comma
_GREETING = re.compile(r"(?:^|[\s,.!?\"“])(?:chào|xin chào|hey|hi|hello|này)$", re.IGNORECASE)


def vocative(text: str, fact: Fact) -> bool:
    """A one-word name set off by commas, a call to the listener ("Hey, Nate, I made cupcakes", "You
    said so, Sean."): a Vietnamese line leaves it out or says "anh", "cô"."""
    assert isinstance(fact.value, tuple)
    before = text[: fact.start].rstrip()
    after = text[fact.end :].lstrip()
    set_off = (not before or before[-1] in ',.!?:;"“' or bool(_GREETING.search(before))) and (
        not after or after[0] in ",.!?"
    )
    return len(fact.value) == 1 and set_off
