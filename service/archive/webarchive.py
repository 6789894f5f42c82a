"""Archives as the web keeps them: saved pages (``.html``/``.htm``) and crawls (``.warc``/``.warc.gz``,
what national libraries and Common Crawl store), read with warcio, each page's article extracted by
trafilatura (``articles.from_html``).

Every page becomes one record: its id is the URL (WARC) or the path under the input folder, its
``meta`` the URL, title and publication date. What is not an article is a record with an error code,
never the end of the run: ``not_html`` (an image, a PDF, a script), ``http_status`` (a 404, a
redirect), ``no_article`` (an index page, a page of links). WARC request, metadata and warcinfo
records describe a capture rather than hold a page, and are passed over.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from tomtat.service.archive.articles import Article, from_html
from tomtat.service.archive.records import InputRecord

PAGE_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc", ".warc.gz")
PAGE_RECORDS = ("response", "resource")  # the WARC record types that hold a page


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
        return page_record(record_id, path.read_bytes())
    except OSError as error:
        return InputRecord(record_id, None, ("unreadable", str(error)))


def read_warc(path: Path) -> Iterator[InputRecord]:
    """The pages of a WARC file, streamed (gzip per record or not); an unreadable file is one error record."""
    try:
        with path.open("rb") as handle:
            yield from warc_records(handle)
    except (ArchiveLoadFailed, OSError) as error:
        yield InputRecord(f"{path.name}#unreadable", None, ("unreadable", f"not a readable WARC file: {error}"))


def warc_records(stream: IO[bytes]) -> Iterator[InputRecord]:
    for record in ArchiveIterator(stream):
        if record.rec_type not in PAGE_RECORDS:
            continue
        url = record.rec_headers.get_header("WARC-Target-URI") or record.rec_headers.get_header("WARC-Record-ID")
        content_type = record.rec_headers.get_header("Content-Type") or ""
        if record.http_headers is not None:
            status = record.http_headers.get_statuscode()
            if status != "200":
                message = f"the capture is an HTTP {record.http_headers.get_statuscode()} answer, not a page"
                yield InputRecord(url, None, ("http_status", message), {"url": url})
                continue
            content_type = record.http_headers.get_header("Content-Type") or ""
        if "html" not in content_type.lower():
            message = f"the capture is {content_type.split(';')[0] or 'of no stated type'}, not an HTML page"
            yield InputRecord(url, None, ("not_html", message), {"url": url})
            continue
        yield page_record(url, record.content_stream().read(), url)


def _meta(url: str | None, article: Article | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"url": url} if url else {}
    if article is not None:
        meta.update({"title": article.title, "date": article.date})
    return meta
