"""Translate the text of an HTML document and keep its markup.

A real HTML parser (the standard library's tokenizer) splits the document into tags and text. Text
between block boundaries (``<p>``, ``<li>``, ``<br>``, ...) is one unit, so a sentence that runs
through inline tags (``<b>``, ``<a>``) is translated as one sentence; the inline tags are then put back
at the same relative places of the translation (snapped to word boundaries), so every tag, attribute
and comment comes out as it went in. ``<script>``, ``<style>``, ``<code>``, ``<pre>`` and the like are
left untouched.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

BLOCKS = frozenset(
    """address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html li main nav ol option p section summary
    table tbody td tfoot th thead title tr ul""".split()
)
UNTOUCHED = frozenset("script style code pre textarea noscript template svg math kbd samp var".split())


@dataclass
class _Piece:
    raw: str  # exactly as written (a tag, a comment, text with its entities)
    text: str | None = None  # decoded text of a text piece that is translated; None for markup


@dataclass
class _Block:
    pieces: list[_Piece] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.pieces if p.text is not None)


class _Splitter(HTMLParser):
    """Tags and text in document order, text grouped into blocks (untouched elements kept raw)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[_Piece | _Block] = []
        self.block = _Block()
        self.untouched = 0

    def _markup(self, raw: str, tag: str | None = None) -> None:
        if tag in BLOCKS and not self.untouched:
            self.flush()
            self.out.append(_Piece(raw))
        else:
            self.block.pieces.append(_Piece(raw))

    def _text(self, raw: str) -> None:
        if self.untouched:
            self.block.pieces.append(_Piece(raw))
        else:
            self.block.pieces.append(_Piece(raw, html.unescape(raw)))

    def flush(self) -> None:
        if self.block.pieces:
            self.out.append(self.block)
        self.block = _Block()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._markup(self.get_starttag_text() or f"<{tag}>", tag)
        if tag in UNTOUCHED:
            self.untouched += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._markup(self.get_starttag_text() or f"<{tag}/>", tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in UNTOUCHED and self.untouched:
            self.untouched -= 1
        self._markup(f"</{tag}>", tag)

    def handle_data(self, data: str) -> None:
        self._text(data)

    def handle_entityref(self, name: str) -> None:
        self._text(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._text(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self._markup(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self._markup(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self._markup(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self._markup(f"<![{data}]>")


def split_markup(document: str) -> list[_Piece | _Block]:
    parser = _Splitter()
    parser.feed(document)
    parser.close()
    parser.flush()
    return parser.out


class Markup:
    """A document parsed once: the texts to translate, then the document rebuilt around their
    translations (for callers that translate elsewhere, e.g. through the server's batch workers)."""

    def __init__(self, document: str) -> None:
        self.parts = split_markup(document)
        self.blocks = [p for p in self.parts if isinstance(p, _Block) and _worth(p.text)]

    @property
    def texts(self) -> list[str]:
        """The text of each block worth translating (it has letters), in document order."""
        return [_core(b.text) for b in self.blocks]

    def rebuilt(self, translations: list[str]) -> str:
        """The document with each of ``texts`` replaced by its translation, markup unchanged."""
        by_block = dict(zip(map(id, self.blocks), translations, strict=True))
        out = []
        for part in self.parts:
            if isinstance(part, _Block):
                translated = by_block.get(id(part))
                out.append(
                    _rebuilt(part, translated) if translated is not None else "".join(p.raw for p in part.pieces)
                )
            else:
                out.append(part.raw)
        return "".join(out)


def translatable_texts(document: str) -> list[str]:
    """The text of each block worth translating (it has letters), in document order."""
    return Markup(document).texts


def translate_markup(document: str, translate: Callable[[list[str]], list[str]]) -> str:
    """``document`` with the text of each block replaced by its translation (``translate`` gets every
    block text at once, in document order), markup unchanged."""
    markup = Markup(document)
    return markup.rebuilt(translate(markup.texts) if markup.blocks else [])


def _worth(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _core(text: str) -> str:
    return " ".join(text.split())


def _rebuilt(block: _Block, translation: str) -> str:
    """The block's markup with ``translation`` spread over its text pieces."""
    texts = [p.text for p in block.pieces if p.text is not None]
    spans = iter(spread(translation, texts))
    return "".join(piece.raw if piece.text is None else html.escape(next(spans), quote=False) for piece in block.pieces)


def spread(translation: str, originals: list[str]) -> list[str]:
    """``translation`` cut into one part per original piece (a run of a .docx paragraph, a text piece
    between inline tags) at the same relative places, on word boundaries; the whitespace at the edges
    of each piece stays where the original had it."""
    if not originals:
        return []
    whole = "".join(originals)
    total = len(whole) or 1
    lead = whole[: len(whole) - len(whole.lstrip())]
    trail = whole[len(whole.rstrip()) :] if whole.strip() else ""
    cuts, seen = [], 0
    for piece in originals[:-1]:
        seen += len(piece)
        cuts.append(_word_boundary(translation, round(len(translation) * seen / total)))
    cuts = [max(cuts[i - 1] if i else 0, c) for i, c in enumerate(cuts)]  # never backwards
    bounds = [0, *cuts, len(translation)]
    spans = [translation[bounds[i] : bounds[i + 1]].strip() for i in range(len(originals))]
    before = [lead] + [""] * (len(originals) - 1)
    after = [""] * (len(originals) - 1) + [trail]
    for i, cut in enumerate(cuts):  # the translation's space at a cut goes where the original had one
        if cut < len(translation) and translation[cut] == " " and spans[i] and spans[i + 1]:
            ends, starts = originals[i][-1:].isspace(), originals[i + 1][:1].isspace()
            after[i] = " " if ends else ""
            before[i + 1] = " " if starts or not ends else ""
    return [b + span + a for b, span, a in zip(before, spans, after, strict=True)]


def _word_boundary(text: str, at: int) -> int:
    """The space nearest ``at`` (a piece boundary never cuts a word)."""
    if at <= 0 or at >= len(text):
        return max(0, min(at, len(text)))
    for offset in range(len(text)):
        for position in (at - offset, at + offset):
            if 0 < position < len(text) and text[position] == " ":
                return position
    return at
