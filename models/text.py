"""Text handling: normalization, a Vietnamese-aware sentence splitter, and token-budget chunking."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

# zero-width and BOM characters that pasted news text carries and models never saw in training
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[^\S\n]+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PARAGRAPH_BREAK = re.compile(r"\s*\n\s*")
# Unicode category Cc except tab and newline (a regex: a per-character category test cost ~1 ms per article)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Abbreviations after which a period does not end a sentence (compared case-sensitively, without the dot).
ABBREVIATIONS = frozenset(
    "TP Tp tp TT Q P H X GS PGS TS ThS BS KS CN NXB Th Mr Mrs Ms Dr St No vs etc Co Ltd Inc Jr Sr Prof".split()
)
_OPENERS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_SENTENCE_END = ".!?…"
_TRAILING = "\"'”’»)]}"
# the characters split_sentences acts on: it jumps between them instead of visiting every character
_SPLIT_MARKS = re.compile("[" + re.escape("".join(_OPENERS) + "".join(_CLOSERS) + '"' + _SENTENCE_END) + "]")


def clean_surrogates(text: str) -> str:
    """Replace lone UTF-16 surrogates (valid in JSON escapes, invalid in UTF-8) with U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace") if _SURROGATE.search(text) else text


def normalize(text: str) -> str:
    """NFC, drop control and zero-width characters, collapse spaces; paragraph breaks become one newline."""
    text = unicodedata.normalize("NFC", clean_surrogates(text)).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    return _PARAGRAPH_BREAK.sub("\n", text).strip()


def drop_control_characters(text: str) -> str:
    """The text without C0/C1 control characters other than tab and newline (XML parsers refuse them)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of normalized text (any line break separates paragraphs in pasted news)."""
    return [p for p in normalize(text).split("\n") if p]


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """Whether the period at ``dot`` closes an abbreviation (``TP.``, ``PGS.TS.``) or a name initial."""
    start = dot
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot]
    last = word.split(".")[-1]
    if last in ABBREVIATIONS or word in ABBREVIATIONS:
        return True
    # a single capital (with optional lowercase "h" as in "Th."): name initials like "Nguyễn Văn A."
    return len(last) == 1 and last.isupper()


def split_sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences.

    A sentence ends at ``.!?…`` (plus closing quotes/brackets) followed by a space and an upper-case
    letter, digit, quote or bracket, outside any open quote or bracket, and not after an abbreviation.
    Periods inside tokens (``TP.HCM``, ``27/12/2022``, ``1.000``) never end a sentence.
    """
    sentences: list[str] = []
    depth: list[str] = []
    straight_quote_open = False
    start = 0
    i = 0
    n = len(paragraph)
    while i < n:
        ch = paragraph[i]
        if ch in _OPENERS:
            depth.append(ch)
        elif ch in _CLOSERS and depth and depth[-1] == _CLOSERS[ch]:
            depth.pop()
        elif ch == '"':
            straight_quote_open = not straight_quote_open
        if ch in _SENTENCE_END:
            end = i + 1
            while end < n and paragraph[end] in _SENTENCE_END:
                end += 1
            while end < n and paragraph[end] in _TRAILING:
                closer = paragraph[end]
                if closer in _CLOSERS and depth and depth[-1] == _CLOSERS[closer]:
                    depth.pop()
                elif closer == '"':
                    straight_quote_open = not straight_quote_open
                end += 1
            boundary = (
                end < n
                and paragraph[end] == " "
                and end + 1 < n
                and (
                    paragraph[end + 1].isupper()
                    or paragraph[end + 1].isdigit()
                    or paragraph[end + 1] in _OPENERS
                    or paragraph[end + 1] in "\"'-–"
                )
                and not depth
                and not straight_quote_open
                and not (ch == "." and end == i + 1 and _ends_with_abbreviation(paragraph, i))
            )
            if boundary:
                sentences.append(paragraph[start:end].strip())
                start = end + 1
            i = end
            continue
        mark = _SPLIT_MARKS.search(paragraph, i + 1)
        i = mark.start() if mark else n
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def sentences_by_paragraph(text: str) -> list[list[str]]:
    """Normalized text as paragraphs of sentences."""
    return [split_sentences(p) for p in split_paragraphs(text)]


def split_long_sentence(pieces: Sequence[str], budget: int) -> list[list[str]]:
    """Split a sentence's pieces into runs of at most ``budget`` pieces, at word starts (``▁``) when possible."""
    runs: list[list[str]] = []
    rest = list(pieces)
    while len(rest) > budget:
        cut = max((k for k in range(1, budget + 1) if k < len(rest) and rest[k].startswith("▁")), default=budget)
        runs.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        runs.append(rest)
    return runs


def pack(
    sentences: Sequence[str],
    count_tokens: Callable[[str], int],
    budget: int,
    split: Callable[[str, int], list[str]],
) -> list[str]:
    """Greedily pack sentences, in order, into chunks of at most ``budget`` tokens.

    A sentence longer than the budget is split on token boundaries by ``split`` (never dropped).
    Pieces do not span spaces in sentencepiece, so a chunk's tokens are the sum of its sentences'.
    """
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence in sentences:
        tokens = count_tokens(sentence)
        if tokens > budget:
            parts = split(sentence, budget)
        else:
            parts = [sentence]
        for part in parts:
            size = count_tokens(part) if len(parts) > 1 else tokens
            if current and used + size > budget:
                chunks.append(" ".join(current))
                current, used = [], 0
            current.append(part)
            used += size
    if current:
        chunks.append(" ".join(current))
    return chunks


# Scripts written without spaces between words: a word is about two characters there (CJK, kana) or a
# syllable cluster (Thai, Lao, Khmer, Myanmar), so counting by spaces would call a whole story one word.
UNSPACED_SCRIPTS = frozenset({"CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN"})
CHARACTERS_PER_UNSPACED_WORD = 2


def script_of(character: str) -> str:
    """The script of a letter as Unicode names it (``LATIN``, ``CJK``, ``MYANMAR``, ``ETHIOPIC``, …)."""
    name = unicodedata.name(character, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def letters_by_script(text: str, limit: int) -> dict[str, int]:
    """How many letters of each script the first ``limit`` characters hold."""
    counts: dict[str, int] = {}
    for character in text[:limit]:
        if character.isalpha():
            script = script_of(character)
            counts[script] = counts.get(script, 0) + 1
    return counts


# a letter outside the Latin blocks (ASCII, Latin-1, Latin Extended-A/B, Latin Extended Additional, which
# hold only Latin letters: tests/test_model_layer.py checks each code point); a text with none is all Latin,
# known by one regex instead of a Unicode name looked up per letter
_NON_LATIN_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]")
SCRIPT_SAMPLE = 4000  # the characters whose letters decide a text's script


def latin_share(text: str) -> float:
    """The share of letters that are Latin (Vietnamese is written in Latin letters); 1.0 with no letters."""
    if not _NON_LATIN_LETTER.search(text, 0, SCRIPT_SAMPLE):
        return 1.0
    counts = letters_by_script(text, SCRIPT_SAMPLE)
    total = sum(counts.values())
    return counts.get("LATIN", 0) / total if total else 1.0


# every block holding a letter of UNSPACED_SCRIPTS (tests/test_text.py checks each code point): a text
# with none is counted by a regex, 20 times faster than letter by letter
UNSPACED_BLOCKS = re.compile(
    "[\u0e00-\u109f\u1780-\u17ff\u19e0-\u19ff\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\ua9e0-\ua9ff\uaa60-\uaa7f\uf900-\ufaff\U0001aff0-\U0001b16f\U00020000-\U0003ffff]"
)
SPACED_WORD = re.compile(r"\S*[^\W_]\S*")  # a run without spaces holding a letter or digit


def count_words(text: str) -> int:
    """Words in any script: space-separated words, plus about one word per two characters of the scripts
    written without spaces (a Japanese or Khmer story is not "one word")."""
    if not UNSPACED_BLOCKS.search(text):
        return sum(1 for _ in SPACED_WORD.finditer(text))
    spaced = 0
    unspaced_characters = 0
    for token in text.split():
        unspaced = sum(1 for c in token if c.isalpha() and script_of(c) in UNSPACED_SCRIPTS)
        unspaced_characters += unspaced
        if unspaced < len(token) and any(c.isalnum() for c in token if script_of(c) not in UNSPACED_SCRIPTS):
            spaced += 1
    return spaced + -(-unspaced_characters // CHARACTERS_PER_UNSPACED_WORD)
