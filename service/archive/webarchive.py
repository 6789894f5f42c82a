"""Archives as the web keeps them: saved pages (``.html``/``.htm``) and crawls (``.warc``, ``.warc.gz``,
``.arc``, ``.arc.gz``: what national libraries and Common Crawl store), read with warcio, each page's
article extracted by ``articles.from_html``.

A crawl keeps every capture. A capture is a URL at a time (``WARC-Date``) in a record
(``WARC-Record-ID``): the same URL captured twice (a corrected story) is two captures, and by default
the **latest** one is the URL's record (id: the URL), the earlier ones counted as superseded; with
``every_capture`` each capture is its own record (id: ``URL@WARC-Date``). A ``revisit`` record (the
crawler saw the same payload again) stands for the capture it refers to. So a crawl is read twice:
once for its captures' headers, once for the pages that win.

What is not a page (an image, CSS, a script, a redirect, a 404, ``robots.txt``) is *skipped*: counted,
never a failed record. A file cut off or corrupt ends with an ``unreadable`` record naming the byte
offset where reading stopped. An index page (no article) is a ``no_article`` record.
"""

from __future__ import annotations

import io
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from tomtat.service.archive.articles import Article, from_html
from tomtat.service.archive.input_record import InputRecord

PAGE_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
PAGE_RECORDS = ("response", "resource")  # the WARC record types that hold a page
# a page as read (a capture's inflated): real news pages are well under 2 MB; extraction costs about 6 s
# and 50 MB of memory per MB of page (scripts/attacks.py: 9 MB of HTML took 52 s and +441 MB)
MAX_PAGE_BYTES = 4_000_000
# what a cut-off or corrupt file raises while warcio reads it (zlib.error and warcio's parse errors too)
READ_ERRORS = (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error)

Opener = Callable[[], IO[bytes]]


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def is_page(path: Path) -> bool:
    return path.suffix.lower() in PAGE_SUFFIXES


def page_record(record_id: str, html: bytes | str, url: str | None = None) -> InputRecord:
    """One saved page as a record: its article, or ``no_article``."""
    article = from_html(html, url)
    if article is None:
        return InputRecord(record_id, None, ("no_article", "no article text was found on the page"), _meta(url, None))
    return InputRecord(record_id, article.text, None, _meta(url, article))


def read_page(path: Path, root: Path) -> InputRecord:
    record_id = path.relative_to(root).as_posix()
    try:
        with path.open("rb") as handle:
            page = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as error:
        return InputRecord(record_id, None, ("unreadable", str(error)))
    if len(page) > MAX_PAGE_BYTES:
        return InputRecord(record_id, None, _too_large())
    return page_record(record_id, page)


def _too_large() -> tuple[str, str]:
    return "too_large", f"the page is larger than {MAX_PAGE_BYTES // 1_000_000} MB; news pages are well under 2 MB"


@dataclass(frozen=True)
class Capture:
    """Where a capture's page is (its own record, or for a revisit the record it refers to)."""

    source: str  # the file's name
    offset: int  # of the record holding the payload
    date: str
    order: int  # position in the whole input, which breaks ties between equal dates


@dataclass
class CaptureIndex:
    """The first pass: every page capture's URL, time and place, and where each file stopped reading."""

    every_capture: bool = False
    latest: dict[str, Capture] = field(default_factory=dict)  # per URL, the capture that wins
    counts: dict[str, int] = field(default_factory=dict)  # page captures per URL
    by_digest: dict[str, tuple[str, int]] = field(default_factory=dict)  # payload digest -> (source, offset)
    by_capture: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)  # (url, date) -> place
    revisits: dict[tuple[str, int], tuple[str, int] | None] = field(default_factory=dict)  # revisit -> original
    broken: dict[str, tuple[int, str]] = field(default_factory=dict)  # source -> (offset, why)
    offsets: dict[str, array[int]] = field(default_factory=dict)  # source -> each whole record's offset
    order: int = 0

    def scan(self, source: str, open_stream: Opener) -> None:
        try:
            with open_stream() as stream:
                for offset, record in _records(
                    stream, source, self.offsets.setdefault(source, array("q")), self.broken
                ):
                    self._add(source, offset, record)
        except READ_ERRORS as error:
            self.broken.setdefault(source, (0, f"not a readable WARC/ARC file: {error}"))

    def _add(self, source: str, offset: int, record: Any) -> None:
        url = _url(record)
        date = record.rec_headers.get_header("WARC-Date") or ""
        if record.rec_type == "revisit":
            refers = (record.rec_headers.get_header("WARC-Refers-To-Target-URI") or url,
                      record.rec_headers.get_header("WARC-Refers-To-Date") or "")  # fmt: skip
            digest = record.rec_headers.get_header("WARC-Payload-Digest") or ""
            original = self.by_capture.get(refers) or self.by_digest.get(digest)
            self.revisits[(source, offset)] = original
            if original is None:
                return
            place = original
        elif record.rec_type in PAGE_RECORDS and _skip_reason(record) is None:
            place = (source, offset)
            self.by_capture[(url, date)] = place
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            if digest:
                self.by_digest[digest] = place
        else:
            return
        self.order += 1
        capture = Capture(place[0], place[1], date, self.order)
        self.counts[url] = self.counts.get(url, 0) + 1
        best = self.latest.get(url)
        if best is None or (capture.date, capture.order) >= (best.date, best.order):
            self.latest[url] = capture

    def records(self, source: str, open_stream: Opener, openers: dict[str, Opener]) -> Iterator[InputRecord]:
        """The second pass over one file: its winning pages as records, the rest as skips."""
        try:
            with open_stream() as stream:
                for offset, record in _records(stream, source, self.offsets.get(source, array("q")), None):
                    if record.rec_type in PAGE_RECORDS or record.rec_type == "revisit":
                        yield self._record(source, offset, record, openers)
        except READ_ERRORS:
            pass  # said once, below, from the first pass
        if source in self.broken:
            offset, why = self.broken[source]
            yield InputRecord(f"{source}#unreadable@{offset}", None, ("unreadable", f"{source}: {why}"))

    def _record(self, source: str, offset: int, record: Any, openers: dict[str, Opener]) -> InputRecord:
        url = _url(record)
        if record.rec_type == "revisit":
            original = self.revisits.get((source, offset))
            if original is None:
                return _skipped(url, "revisit_unresolved")
            place = original
        else:
            reason = _skip_reason(record)
            if reason is not None:
                return _skipped(url, reason)
            place = (source, offset)
        date = record.rec_headers.get_header("WARC-Date") or ""
        meta: dict[str, Any] = {"url": url, "capture_date": date}
        meta["warc_record_id"] = record.rec_headers.get_header("WARC-Record-ID")
        if self.every_capture:
            record_id = f"{url}@{date}"
        else:
            best = self.latest.get(url)
            if best is None or (best.source, best.offset, best.date) != (place[0], place[1], date):
                return _skipped(url, "superseded")
            record_id = url
            meta["captures"] = self.counts.get(url, 1)
        if place == (source, offset):
            payload = record.content_stream().read(MAX_PAGE_BYTES + 1)
        else:
            payload = _payload_at(openers[place[0]], place[1])
        if len(payload) > MAX_PAGE_BYTES:  # inflated beyond any news page: never held whole
            return InputRecord(record_id, None, _too_large(), meta)
        found = page_record(record_id, payload, url)
        return InputRecord(found.id, found.text, found.error, {**meta, **(found.meta or {})})


def read_warcs(files: list[tuple[str, Opener]], every_capture: bool = False) -> Iterator[InputRecord]:
    """The pages of WARC/ARC files (named, each opened by its opener), the latest capture of each URL
    across all of them (or every capture)."""
    index = CaptureIndex(every_capture)
    for name, opener in files:
        index.scan(name, opener)
    openers = dict(files)
    for name, opener in files:
        yield from index.records(name, opener, openers)


def read_warc(path: Path, every_capture: bool = False) -> Iterator[InputRecord]:
    return read_warcs([(path.name, lambda: path.open("rb"))], every_capture)


def warc_records(data: bytes, name: str = "crawl") -> Iterator[InputRecord]:
    """The pages of a WARC/ARC file's bytes (an upload, a Ray binary file)."""
    return read_warcs([(name, lambda: io.BytesIO(data))])


def _records(
    stream: IO[bytes], source: str, offsets: array[int], broken: dict[str, tuple[int, str]] | None
) -> Iterator[tuple[int, Any]]:
    """(offset, record) of every record. With ``broken`` (the first pass), each record is read to its end
    before it is given (its headers are what counts then), its offset appended to ``offsets``, and the
    first one cut off or corrupt ends the file: where reading stopped goes into ``broken``. Without it
    (the second pass) each record is given unread, so that its page can be read, with its offset from
    the first pass (warcio learns a record's offset only by reading it), up to where that pass stopped."""
    iterator = ArchiveIterator(stream, arc2warc=True)
    offset = end = 0
    try:
        for seq, record in enumerate(iterator):
            if broken is None:
                if seq >= len(offsets):
                    return
                yield offsets[seq], record
                continue
            iterator.read_to_end(record)
            offset = iterator.get_record_offset()
            if getattr(record.raw_stream, "limit", 0):  # fewer bytes than its Content-Length: cut off
                broken[source] = (offset, f"the record at byte {offset} is cut off (the file ends inside it)")
                return
            end = offset + iterator.get_record_length()
            offsets.append(offset)
            yield offset, record
    except READ_ERRORS as error:
        if broken is not None:
            broken[source] = (end, f"reading stopped at byte {end}: {error.__class__.__name__}: {error}")
        return
    if broken is not None:
        stream.seek(end)
        if stream.read(1 << 16).strip(b"\r\n\x00 "):  # bytes after the last whole record: a member cut short
            broken[source] = (end, f"the file is cut off or corrupt after byte {end} (an incomplete record)")


def _payload_at(opener: Opener, offset: int) -> bytes:
    with opener() as stream:
        stream.seek(offset)
        for record in ArchiveIterator(stream, arc2warc=True):
            return bytes(record.content_stream().read(MAX_PAGE_BYTES + 1))
    return b""


def _url(record: Any) -> str:
    headers = record.rec_headers
    return str(headers.get_header("WARC-Target-URI") or headers.get_header("WARC-Record-ID") or "")


def _skip_reason(record: Any) -> str | None:
    """Why a response or resource capture is not a page, or None for an HTML page answered 200.
    (Request, metadata and warcinfo records describe a capture: they are passed over, not skipped.)"""
    content_type = record.rec_headers.get_header("Content-Type") or ""
    if record.http_headers is not None:
        status = record.http_headers.get_statuscode() or ""
        if status.startswith("3"):
            return "redirect"
        if status != "200":
            return "http_status"
        content_type = record.http_headers.get_header("Content-Type") or ""
    if _url(record).lower().rstrip("/").endswith("/robots.txt"):
        return "robots_txt"
    if "html" not in content_type.lower():
        return "not_html"
    return None


def _skipped(url: str, reason: str) -> InputRecord:
    return InputRecord(url, None, None, {"url": url}, skipped=reason)


def _meta(url: str | None, article: Article | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"url": url} if url else {}
    if article is not None:
        meta.update({"title": article.title, "date": article.date})
    return meta
