"""An article's text out of the files newsrooms keep: plain text, saved web pages, Word documents.

Web pages go through trafilatura (main text, title and date; menus, related-article lists, comments
and footers left out). A ``.docx`` is a zip of XML: its paragraphs are read with the standard library.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree

import trafilatura

WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SUFFIXES = (".txt", ".html", ".htm", ".docx")
# what trafilatura finds on a page with no story is a menu label or a caption: a few words
MIN_PAGE_WORDS = 10


class ArticleFormatError(ValueError):
    """The file is not one we read, or holds no article text; ``code`` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Article:
    text: str
    title: str | None = None
    date: str | None = None  # ISO 8601, when the page says


def from_html(html: str | bytes, url: str | None = None) -> Article | None:
    """The page's main article, or ``None`` when it has none (an index page, a page of links, an
    empty page: fewer than ``MIN_PAGE_WORDS`` words of main text)."""
    # precision over recall, and no fallback extractors: on an index page or a page of links the
    # fallbacks return the link texts as if they were a story
    found = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, favor_precision=True, fast=True
    )
    document: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    body, title = (document.get("text") or "").strip(), (document.get("title") or "").strip() or None
    lines = body.splitlines()
    if title and lines and lines[0].strip() == title:  # the headline is the title, not the body's first line
        lines = lines[1:]
    text = "\n".join(lines).strip()
    return Article(text, title, document.get("date")) if len(text.split()) >= MIN_PAGE_WORDS else None


def from_docx(data: bytes) -> Article:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError):
        raise ArticleFormatError("invalid_file", "the file is not a readable Word (.docx) document") from None
    paragraphs = ["".join(node.text or "" for node in p.iter(f"{WORD}t")) for p in root.iter(f"{WORD}p")]
    return Article("\n".join(p.strip() for p in paragraphs if p.strip()))


def from_file(name: str, data: bytes) -> Article:
    """The article in a named file's bytes; raises ``ArticleFormatError`` (``unsupported_media_type``,
    ``invalid_file``, ``no_article``)."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleFormatError("unsupported_media_type", f"open a {', '.join(SUFFIXES)} file")
    if suffix == ".docx":
        article: Article | None = from_docx(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ArticleFormatError("invalid_file", "the file is not UTF-8 text") from None
        article = Article(text.strip()) if suffix == ".txt" else from_html(text)
    if article is None or not article.text:
        raise ArticleFormatError("no_article", "no article text was found in the file")
    return article
