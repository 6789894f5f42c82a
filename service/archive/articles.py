"""An article's text out of what newsrooms keep: plain text, full web pages, CMS body fragments, Word files.

One step for every input (the API, ``tomtat batch``, jobs, SQL and Ray all call ``article_of``):

- a **full page** (``<html>``/``<body>``/a doctype) goes through trafilatura: main text, title and date;
  menus, related-article lists, comments and footers left out. Precision first; when precision mode
  finds no story, recall mode is tried (a short story or a listicle), and its answer is refused when it
  is only the page's link texts (an index page). The date comes from the page's metadata
  (``article:published_time``, JSON-LD ``datePublished``, ``<time datetime>``…), never from an image path.
- a **CMS body fragment** (what WordPress, Drupal and Joomla store: ``<p>``, block comments,
  shortcodes, entities) goes through ``from_fragment``: block comments and ``<!--more-->`` dropped,
  shortcodes (``[caption]`` kept apart as a caption, ``[embed]``/``[gallery]``/… dropped), scripts,
  styles and iframes dropped, entities decoded, one paragraph per block element.
- **plain text** stays as it is.

A ``.docx`` is a zip of XML: its paragraphs are read with the standard library.
"""

from __future__ import annotations

import html as html_lib
import io
import json
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal
from xml.etree import ElementTree

import lxml.html
import trafilatura
from lxml import etree

from tomtat.models.text import count_words, drop_control_characters

Format = Literal["text", "html", "auto"]
FORMATS: tuple[Format, ...] = ("text", "html", "auto")
WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SUFFIXES = (".txt", ".html", ".htm", ".docx")
# what trafilatura finds on a page with no story is a menu label or a caption: a few words
MIN_PAGE_WORDS = 10
RECALL_GAIN = 2.0  # recall mode's answer replaces precision mode's when it has this many times the words
LINK_TEXT_SHARE = 0.5  # a recall-mode "story" whose lines are mostly the page's link texts is an index page
MAX_DOCX_XML_BYTES = 50_000_000  # a Word file's document.xml as inflated: a 300-page report is ~5 MB

_TAGS = (
    "p|div|br|span|a|b|i|u|em|strong|small|sub|sup|img|figure|figcaption|h[1-6]|ul|ol|li|dl|dt|dd|blockquote|q|"
    "table|thead|tbody|tr|td|th|caption|section|article|header|footer|aside|nav|main|hr|pre|code|iframe|script|"
    "style|noscript|video|audio|source|picture|embed|object|html|head|body|title|meta|link|font|center|cite|mark|"
    "time|abbr|drupal-media"
)
_MARKUP_TAG = re.compile(rf"</?(?:{_TAGS})\b[^<>]*>", re.I)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,30});", re.I)
_PAGE_START = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b|head\b|body\b)", re.I | re.S
)
_PAGE_TAG = re.compile(r"<(?:html|body)\b", re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
# WordPress shortcodes whose content is not the story (an embedded URL, a gallery, a player)
_DROPPED_SHORTCODES = "embed|video|audio|playlist|gallery|youtube|vimeo|soundcloud|contact-form-7|ads?|adsense"
_DROPPED_ENCLOSING = re.compile(rf"\[({_DROPPED_SHORTCODES})\b[^\]]*\].*?\[/\1\]", re.I | re.S)
_CAPTION = re.compile(r"\[(caption|wp_caption)\b[^\]]*\](.*?)\[/\1\]", re.I | re.S)
_SHORTCODE_TAG = re.compile(r"\[/?([a-z][a-z0-9_-]*)(?:\s[^\]]*)?/?\]", re.I)
_KNOWN_SHORTCODES = frozenset(
    f"{_DROPPED_SHORTCODES}|caption|wp_caption|audio|video|gallery|embed|button|column|row|quote|pullquote|"
    "tweet|instagram|facebook|fb|ngg|vc_row|vc_column|vc_column_text|et_pb_section|et_pb_row|et_pb_column|"
    "et_pb_text|fusion_builder_container|fusion_text".split("|")
)
# Joomla content plugins and its read-more marker
_JOOMLA_PLUGIN = re.compile(r"\{(?:loadposition|loadmodule|loadmoduleid|emailcloak)[^{}]*\}", re.I)
_DROPPED_ELEMENTS = (
    "script|style|iframe|noscript|object|embed|form|button|svg|video|audio|template|select|input|drupal-media"
).split("|")
_BLOCK_ELEMENTS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li dt dd blockquote pre table tr section article header footer aside main "
    "figure ul ol dl hr br address details summary".split()
)
_META_DATES = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
# (favor_precision, favor_recall, fast), tried in turn: precision without the fallback extractors;
# precision with them (a short story trafilatura's own pass misses); recall (a listicle whose items
# precision mode takes for boilerplate)
_MODES: tuple[tuple[bool, bool, bool], ...] = ((True, False, True), (True, False, False), (False, True, False))
LEGACY_ENCODINGS = frozenset({"cp1258", "cp1252", "latin_1", "iso8859_15", "utf_16", "utf_16_le", "utf_16_be"})
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


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
    captions: tuple[str, ...] = ()  # image captions of a CMS body, kept apart from its text
    markup: bool = False  # read from HTML (a page or a fragment), not plain text

    @property
    def words(self) -> int:
        return count_words(self.text)


def looks_like_markup(text: str) -> bool:
    """Whether a field holds HTML (a tag of HTML's own, a comment, an entity) rather than plain text."""
    head = text[:200_000]
    return bool(_MARKUP_TAG.search(head) or "<!--" in head or _ENTITY.search(head) or _CAPTION.search(head))


def is_full_page(text: str) -> bool:
    """A whole saved page (doctype, ``<html>``, ``<body>``) rather than a body fragment."""
    return bool(_PAGE_START.match(text[:4096]) or _PAGE_TAG.search(text[:20_000]))


def article_of(text: str, fmt: Format = "auto", url: str | None = None) -> Article:
    """The article in a field, a request's text or a page, read as ``fmt`` says (``auto``: as HTML when
    it looks like markup); raises ``ArticleFormatError`` (``no_article``) for a page with no story."""
    if fmt == "text" or (fmt == "auto" and not looks_like_markup(text)):
        return Article(text)
    text = drop_control_characters(text)  # the HTML parser refuses them; no page means them
    if is_full_page(text):
        found = from_html(text, url)
        if found is None:
            raise ArticleFormatError("no_article", "no article text was found on the page")
        return found
    return from_fragment(text)


def from_fragment(fragment: str) -> Article:
    """A CMS body (WordPress, Drupal, Joomla) as plain paragraphs, its image captions apart."""
    captions: list[str] = []

    def caption(match: re.Match[str]) -> str:
        text = _plain_text(match.group(2))
        if text:
            captions.append(text)
        return "\n"

    source = _COMMENT.sub("\n", fragment)  # block comments (<!-- wp:paragraph -->) and <!--more-->
    source = _DROPPED_ENCLOSING.sub("\n", source)
    source = _CAPTION.sub(caption, source)
    source = _SHORTCODE_TAG.sub(lambda m: "" if m.group(1).lower() in _KNOWN_SHORTCODES else m.group(0), source)
    source = _JOOMLA_PLUGIN.sub("", source)
    if not source.strip():
        return Article("", captions=tuple(captions), markup=True)
    try:
        root = lxml.html.fragment_fromstring(source, create_parent="div")
    except (etree.ParserError, ValueError):  # nothing an HTML parser can read: no article text
        return Article("", captions=tuple(captions), markup=True)
    for figcaption in root.iter("figcaption"):
        text = _squash(figcaption.text_content())
        if text:
            captions.append(text)
    for embed in root.xpath("//*[contains(concat(' ', @class, ' '), ' wp-block-embed ')]"):
        embed.drop_tree()  # a block-editor embed: the embedded URL, not the story
    etree.strip_elements(root, "figcaption", *_DROPPED_ELEMENTS, with_tail=False)
    classic = not any(element.tag in _BLOCK_ELEMENTS and element.tag != "br" for element in root.iterdescendants())
    paragraphs = _paragraphs(root, keep_newlines=classic)
    return Article("\n".join(paragraphs), captions=tuple(captions), markup=True)


def _paragraphs(root: Any, keep_newlines: bool) -> list[str]:
    """Text of ``root`` cut at block elements (and, in a classic WordPress body with no block elements,
    at its line breaks, which ``wpautop`` turns into paragraphs)."""
    parts: list[str] = []

    def add(text: str | None) -> None:
        if text:
            parts.append(text if keep_newlines else re.sub(r"\s+", " ", text))

    def walk(element: Any) -> None:
        block = isinstance(element.tag, str) and element.tag in _BLOCK_ELEMENTS
        if block:
            parts.append("\n")
        add(element.text)
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            add(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return [_squash(line) for line in "".join(parts).split("\n") if _squash(line)]


def _squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _plain_text(fragment: str) -> str:
    """The text of a small fragment (a caption), tags dropped and entities decoded."""
    stripped = re.sub(r"<[^<>]*>", " ", fragment)
    return _squash(html_lib.unescape(stripped))


def from_html(page: str | bytes, url: str | None = None) -> Article | None:
    """The page's main article, or ``None`` when it has none (an index page, a page of links, an
    empty page: fewer than ``MIN_PAGE_WORDS`` words of main text)."""
    tree = trafilatura.utils.load_html(page)
    if tree is None:
        return None
    date = _metadata_date(tree)
    links = {_squash(a.text_content()) for a in tree.iter("a")}
    # precision first: on an index page or a page of links the fallback extractors and recall mode
    # return the link texts, so their answers are taken only when they are not mostly links
    article = None
    for attempt, (precision, recall, fast) in enumerate(_MODES):
        article = _extract(page, url, precision, recall, fast)
        if article is not None and attempt and _mostly_links(article.text, links):
            article = None
        if article is not None:
            break
    if article is not None and attempt == 0:
        # a listicle or a story in several blocks: precision mode keeps the headings only; recall mode's
        # answer is taken when it holds far more words and is not the page's links
        wider = _extract(page, url, False, True, False)
        if wider is not None and wider.words > RECALL_GAIN * article.words and not _mostly_links(wider.text, links):
            article = wider
    if article is None:
        return None
    return Article(article.text, article.title, date or _safe_date(article.date, tree), markup=True)


def _extract(page: str | bytes, url: str | None, precision: bool, recall: bool, fast: bool) -> Article | None:
    found = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
        favor_precision=precision,
        favor_recall=recall,
        fast=fast,
    )
    document: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    # NFC: a windows-1258 page writes its tones as combining marks
    body = unicodedata.normalize("NFC", (document.get("text") or "").strip())
    title = unicodedata.normalize("NFC", (document.get("title") or "").strip()) or None
    lines = body.splitlines()
    if title and lines and lines[0].strip() == title:  # the headline is the title, not the body's first line
        lines = lines[1:]
    text = "\n".join(lines).strip()
    return Article(text, title, document.get("date"), markup=True) if count_words(text) >= MIN_PAGE_WORDS else None


def _mostly_links(text: str, links: set[str]) -> bool:
    lines = [_squash(line) for line in text.splitlines() if line.strip()]
    return bool(lines) and sum(line in links for line in lines) / len(lines) > LINK_TEXT_SHARE


def _metadata_date(tree: Any) -> str | None:
    """The publication date the page states in its metadata, as YYYY-MM-DD."""
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if name in _META_DATES and (found := _iso_date(meta.get("content") or "")):
            return found
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            if found := _json_ld_date(script.text):
                return found
    for element in tree.iter("time"):
        if element.get("itemprop", "").lower() == "datepublished" or element.get("pubdate") is not None:
            if found := _iso_date(element.get("datetime") or ""):
                return found
    return None


def _json_ld_date(data: str) -> str | None:
    try:
        parsed = json.loads(data)
    except ValueError:
        return None
    stack = [parsed]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and (found := _iso_date(value)):
                return found
            stack.extend(v for v in item.values() if isinstance(v, list | dict))
    return None


def _iso_date(value: str) -> str | None:
    match = _ISO_DATE.search(value)
    return "-".join(match.groups()) if match else None


def _safe_date(date: str | None, tree: Any) -> str | None:
    """trafilatura's date, unless it was read from a file path (an image's ``/2021/12/04/`` folders)."""
    if not date:
        return None
    year, month, day = date[:4], date[5:7], date[8:10]
    shapes = (f"{year}/{month}/{day}", f"{year}-{month}-{day}", f"{year}{month}{day}", f"{year}/{month}")
    for attribute in ("src", "data-src", "srcset", "href"):
        for value in tree.xpath(f"//@{attribute}"):
            if any(shape in str(value) for shape in shapes):
                return None
    return date


def from_docx(data: bytes) -> Article:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            member = archive.getinfo("word/document.xml")
            if member.file_size > MAX_DOCX_XML_BYTES:  # a zip bomb says so in its header, or lies: read N+1
                raise _docx_too_large(member.file_size)
            with archive.open(member) as handle:
                xml = handle.read(MAX_DOCX_XML_BYTES + 1)
            if len(xml) > MAX_DOCX_XML_BYTES:
                raise _docx_too_large(len(xml))
            paragraphs = _docx_paragraphs(xml)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, zlib.error, EOFError):
        raise ArticleFormatError("invalid_file", "the file is not a readable Word (.docx) document") from None
    return Article("\n".join(p.strip() for p in paragraphs if p.strip()))


def _docx_paragraphs(xml: bytes) -> list[str]:
    """Each paragraph's text in one pass over the XML: a run's text belongs to its innermost paragraph
    (a text box's paragraphs sit inside another's), so nested paragraphs cost their size, not its square
    (100k nested ``<w:p>`` were minutes of CPU and each text counted once per enclosing paragraph)."""
    paragraphs: list[list[str]] = []
    open_paragraphs: list[int] = []
    for event, node in ElementTree.iterparse(io.BytesIO(xml), events=("start", "end")):
        if node.tag == f"{WORD}p":
            if event == "start":
                open_paragraphs.append(len(paragraphs))
                paragraphs.append([])
            else:
                open_paragraphs.pop()
                node.clear()  # read: its children are not needed again
        elif node.tag == f"{WORD}t" and event == "end" and open_paragraphs:
            paragraphs[open_paragraphs[-1]].append(node.text or "")
    return ["".join(parts) for parts in paragraphs]


def _docx_too_large(size: int) -> ArticleFormatError:
    limit = MAX_DOCX_XML_BYTES // 1_000_000
    return ArticleFormatError(
        "too_large", f"the document's text inflates to {size:,} bytes or more; at most {limit} MB"
    )


def decode_text(data: bytes) -> str:
    """A text file's bytes: UTF-8 (with or without BOM), else the encoding charset detection finds
    (windows-1258, VNI-era files): the same as the batch path's pages, which trafilatura decodes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # best first; only the code pages Vietnamese and English text was kept in, and only where the decoded
    # text reads as some language (a few stray bytes decode as Latin-1 "letters" too)
    for match in from_bytes(data):
        if match.encoding in LEGACY_ENCODINGS and match.coherence > 0:
            return unicodedata.normalize("NFC", str(match))  # windows-1258 writes tones as combining marks
    raise ArticleFormatError("invalid_file", "the file is neither UTF-8 nor a recognised legacy encoding")


def from_file(name: str, data: bytes) -> Article:
    """The article in a named file's bytes; raises ``ArticleFormatError`` (``unsupported_media_type``,
    ``invalid_file``, ``no_article``)."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ArticleFormatError("unsupported_media_type", f"open a {', '.join(SUFFIXES)} file")
    article: Article | None
    if suffix == ".docx":
        article = from_docx(data)
    elif suffix == ".txt":
        article = Article(decode_text(data).strip())
    else:  # trafilatura decodes a page's bytes itself: the charset its headers or <meta> name, else detection
        article = from_html(data)
    if article is None or not article.text:
        raise ArticleFormatError("no_article", "no article text was found in the file")
    return article
