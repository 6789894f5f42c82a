"""One handler per file format, each over a maintained library: the texts to translate, then the same
document with those texts replaced. Paragraphs, slides, cues and the formatting runs inside them are
kept: a paragraph is translated whole and its translation spread over its runs (``spread``)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any, TypeVar

from tomtat.models.markup import spread, translatable_texts, translate_markup

Translate = Callable[[list[str]], list[str]]
R = TypeVar("R")
MAX_INFLATED_BYTES = 50_000_000  # a .docx/.pptx/.odt's parts together, unzipped (news documents: a few MB)


class DocumentTooLarge(ValueError):
    """A zipped document (.docx/.pptx/.odt) that would inflate past ``MAX_INFLATED_BYTES``."""

    def __init__(self) -> None:
        super().__init__(f"the document inflates to more than {MAX_INFLATED_BYTES // 1_000_000} MB")


def check_inflated_size(data: bytes, limit: int | None = None) -> None:
    """Before a library unzips a document whole: the members' declared sizes, then their actual ones
    (read a block at a time, N+1 bytes at most: a zip bomb may lie in its header)."""
    limit = MAX_INFLATED_BYTES if limit is None else limit
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > limit:
            raise DocumentTooLarge
        left = limit
        for member in members:
            with archive.open(member) as handle:
                while block := handle.read(min(1 << 20, left + 1)):
                    left -= len(block)
                    if left < 0:
                        raise DocumentTooLarge


def _worth(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _txt(data: bytes, translate: Translate) -> bytes:
    lines = data.decode("utf-8-sig").split("\n")
    wanted = [i for i, line in enumerate(lines) if _worth(line)]
    for i, translated in zip(wanted, translate([lines[i].strip() for i in wanted]), strict=True):
        ending = "\r" if lines[i].endswith("\r") else ""
        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
        lines[i] = indent + translated + ending
    return "\n".join(lines).encode()


def _html(data: bytes, translate: Translate) -> bytes:
    return translate_markup(data.decode("utf-8-sig"), translate).encode()


def _runs_translated(
    paragraphs: Sequence[Sequence[R]],
    translate: Translate,
    text_of: Callable[[R], str],
    set_text: Callable[[R, str], None],
) -> None:
    """Translate each paragraph (a list of runs) whole, then spread it over its runs."""
    wanted = [runs for runs in paragraphs if _worth("".join(text_of(r) for r in runs))]
    translations = translate([" ".join("".join(text_of(r) for r in runs).split()) for runs in wanted])
    for runs, translation in zip(wanted, translations, strict=True):
        for run, text in zip(runs, spread(translation, [text_of(r) for r in runs]), strict=True):
            set_text(run, text)


def _text_attribute(run: Any) -> str:
    return str(run.text)


def _set_text_attribute(run: Any, text: str) -> None:
    run.text = text


def _set_data(node: Any, text: str) -> None:
    node.data = text


def _docx(data: bytes, translate: Translate) -> bytes:
    import docx

    check_inflated_size(data)
    document = docx.Document(io.BytesIO(data))
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        paragraphs += [p for row in table.rows for cell in row.cells for p in cell.paragraphs]
    for section in document.sections:
        paragraphs += list(section.header.paragraphs) + list(section.footer.paragraphs)
    runs = [list(p.runs) for p in paragraphs if p.runs]
    _runs_translated(runs, translate, _text_attribute, _set_text_attribute)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _pptx(data: bytes, translate: Translate) -> bytes:
    import pptx

    check_inflated_size(data)
    presentation = pptx.Presentation(io.BytesIO(data))
    runs = []
    for slide in presentation.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            runs += [list(p.runs) for frame in frames for p in frame.paragraphs if p.runs]
    _runs_translated(runs, translate, _text_attribute, _set_text_attribute)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _odt(data: bytes, translate: Translate) -> bytes:
    from odf import opendocument, text
    from odf.element import Text
    from odf.namespaces import TEXTNS

    check_inflated_size(data)
    document = opendocument.load(io.BytesIO(data))
    paragraph_names = {(TEXTNS, "p"), (TEXTNS, "h")}

    def leaves(paragraph: object) -> list[object]:
        """The paragraph's text nodes, in order, without those of a paragraph inside it (a note's or a
        frame's: translated as its own paragraph, once): each node is visited once, whatever the nesting."""
        found: list[object] = []
        stack = list(reversed(paragraph.childNodes))  # type: ignore[attr-defined]
        while stack:
            node = stack.pop()
            if isinstance(node, Text):
                found.append(node)
            elif getattr(node, "qname", None) not in paragraph_names:
                stack.extend(reversed(node.childNodes))
        return found

    paragraphs = [leaves(p) for kind in (text.P, text.H) for p in document.getElementsByType(kind)]
    paragraphs = [nodes for nodes in paragraphs if nodes]
    _runs_translated(paragraphs, translate, lambda node: str(getattr(node, "data", "")), _set_data)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _srt(data: bytes, translate: Translate) -> bytes:
    import srt

    cues = list(srt.parse(data.decode("utf-8-sig")))
    wanted = [cue for cue in cues if _worth(cue.content)]
    # a cue's lines are one sentence more often than not: translated together, line breaks kept in count
    for cue, translated in zip(wanted, translate([" ".join(c.content.split()) for c in wanted]), strict=True):
        lines = cue.content.split("\n")
        cue.content = "\n".join(part for part in spread(translated, [line + " " for line in lines]) if part.strip())
    composed: str = srt.compose(cues, reindex=False)
    return composed.encode()


@dataclass(frozen=True)
class Format:
    extension: str
    media_type: str
    translate: Callable[[bytes, Translate], bytes]
    library: str | None = None  # the import it needs (the ``files`` extra)

    @property
    def available(self) -> bool:
        return self.library is None or find_spec(self.library) is not None


FORMATS = {
    f.extension: f
    for f in (
        Format(".txt", "text/plain; charset=utf-8", _txt),
        Format(".html", "text/html; charset=utf-8", _html),
        Format(".htm", "text/html; charset=utf-8", _html),
        Format(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _docx, "docx"),
        Format(".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", _pptx, "pptx"),
        Format(".odt", "application/vnd.oasis.opendocument.text", _odt, "odf"),
        Format(".srt", "application/x-subrip", _srt, "srt"),
    )
}


def supported() -> list[str]:
    """The extensions this installation translates (the ``files`` extra adds .docx/.pptx/.odt/.srt)."""
    return [ext for ext, f in FORMATS.items() if f.available]


__all__ = ["FORMATS", "DocumentTooLarge", "Format", "check_inflated_size", "supported", "translatable_texts"]
