"""The record core: one way from a record to its result line, for ``tomtat batch`` (local and Ray),
``tomtat eval`` and the server's jobs alike.

read (the readers give ``InputRecord``) -> article (``articles.article_of``: HTML pages and CMS bodies
to plain paragraphs) -> check (empty, no words, not Vietnamese) -> summarize and translate (a gateway:
the server's batch workers or models loaded in this process) -> flags -> result. Every record gets its
own result or error: a batch that fails is retried record by record, so one bad record never fails
the others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tomtat.models.errors import InputError
from tomtat.models.summarizer import check_article
from tomtat.service.archive.articles import Article, ArticleFormatError, Format, article_of, looks_like_markup
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.runtime.gateway import Gateway, SummaryResult, run_sync
from tomtat.service.runtime.keys import SummaryPlan

# how much bigger than its article a record's HTML may be (markup, scripts, menus) before it is refused unread
MARKUP_PER_CHARACTER = 20


@dataclass(frozen=True)
class RecordOptions:
    """How records are turned into results (the same for every executor)."""

    plan: SummaryPlan
    translate_to: str | None = None
    allow_any_language: bool = False
    check_facts: bool = True  # faithfulness flags on each result (--no-flags: ~9 ms of CPU per article saved)
    text_format: Format = "auto"  # how a record's text is read: plain text, HTML, or HTML when it looks like it
    keep_text: bool = False  # the extracted text (and captions) in each result line, to audit what was read
    max_chars: int | None = None  # characters per article, as the server's limit for one text (None: none)


@dataclass(frozen=True)
class Prepared:
    """A record ready for the model: its place in the batch, its checked text and the article behind it."""

    index: int
    text: str
    article: Article


def too_long(length: int, limit: int) -> tuple[str, str]:
    return "text_too_long", f"the record has {length:,} characters; at most {limit:,}"


def bounded_records(
    records: Iterable[InputRecord], max_chars: int | None, text_format: Format = "auto"
) -> Iterator[InputRecord]:
    """Records whose text could never be processed become error records before they are stored
    anywhere: plain text over the limit, HTML over ``MARKUP_PER_CHARACTER`` times it (its markup is
    taken off later). A few kB of dictionary-encoded Parquet cannot become gigabytes of job store."""
    for record in records:
        text = record.text
        if max_chars is None or text is None or len(text) <= max_chars:
            yield record
        elif len(text) > max_chars * MARKUP_PER_CHARACTER or not _may_be_markup(text, text_format):
            yield InputRecord(record.id, None, too_long(len(text), max_chars), record.meta)
        else:
            yield record


def _may_be_markup(text: str, text_format: Format) -> bool:
    return text_format == "html" or (text_format == "auto" and looks_like_markup(text))


def error_result(record_id: str, code: str, message: str) -> dict[str, Any]:
    return {"id": record_id, "error": {"code": code, "message": message}}


def with_meta(result: dict[str, Any], record: InputRecord) -> dict[str, Any]:
    """The result line with the record's own ``meta`` (a web page's url, title, date) after its id: a
    repeated story's line carries its own page, not the first copy's."""
    if not record.meta:
        return result
    rest = {key: value for key, value in result.items() if key != "id" and key not in record.meta}
    return {"id": result["id"], **record.meta, **rest}


def _article_fields(article: Article, options: RecordOptions) -> dict[str, Any]:
    """What a result line says of the article read: its word count, a page's title and date (a field
    that held a whole page), and with ``keep_text`` the text and captions themselves."""
    fields: dict[str, Any] = {"words": article.words}
    if article.title:
        fields["title"] = article.title
    if article.date:
        fields["date"] = article.date
    if options.keep_text:
        fields["text"] = article.text
        if article.captions:
            fields["captions"] = list(article.captions)
    return fields


def prepare_records(
    records: list[InputRecord], options: RecordOptions
) -> tuple[list[dict[str, Any] | None], list[Prepared]]:
    """Error results for records that cannot be summarized, and the others ready for the model (CPU
    work: page extraction and language detection)."""
    results: list[dict[str, Any] | None] = [None] * len(records)
    ready: list[Prepared] = []
    for index, record in enumerate(records):
        if record.error:
            results[index] = error_result(record.id, *record.error)
            continue
        article = None
        try:
            limit = options.max_chars
            raw = record.text or ""
            if limit is not None and len(raw) > limit * MARKUP_PER_CHARACTER:  # never parsed, whatever it is
                raise InputError(too_long(len(raw), limit)[1], code="text_too_long")
            article = article_of(raw, options.text_format, (record.meta or {}).get("url"))
            if limit is not None and len(article.text) > limit:
                message = f"the article has {len(article.text):,} characters; at most {limit:,}"
                raise InputError(message, code="text_too_long")
            if article.markup and not article.text.strip():
                raise ArticleFormatError("no_article", "the HTML holds no article text")
            text = check_article(article.text, allow_any_language=options.allow_any_language)
        except (ArticleFormatError, InputError) as error:
            results[index] = error_result(record.id, error.code, str(error))
            if article is not None:
                results[index] = {**results[index], **_article_fields(article, options)}  # type: ignore[dict-item]
            continue
        ready.append(Prepared(index, text, article))
    return results, ready


def summary_result(
    record_id: str, result: SummaryResult, seconds: float, translate: bool, check_facts: bool = True
) -> dict[str, Any]:
    summary = result.summary
    output: dict[str, Any] = {
        "id": record_id,
        "summary": summary.summary,
        "engine": summary.engine,
        "model": summary.model,
        "input_tokens": summary.input_tokens,
        "chunked": summary.chunked,
        "batch_seconds": round(seconds, 4),
    }
    if check_facts:
        output["flags"] = [flag.as_dict() for flag in result.flags]
    if translate:
        output["summary_en"] = result.summary_en
        if check_facts:
            output["flags_en"] = [flag.as_dict() for flag in result.flags_en or ()]
    if result.cached:
        output["cached"] = True
    return output


async def process_records(
    records: list[InputRecord], gateway: Gateway, options: RecordOptions, priority: int = 0
) -> list[dict[str, Any]]:
    """One result per record, in order (with the record's ``meta``); never raises for a record's sake."""
    results, ready = await gateway.cpu.run(prepare_records, records, options)
    if ready:

        async def summarize(items: list[Prepared]) -> None:
            started = time.perf_counter()
            texts = [item.text for item in items]
            outputs = await gateway.summarize(
                texts, options.plan, options.translate_to, priority, check_facts=options.check_facts
            )
            seconds = time.perf_counter() - started
            for item, output in zip(items, outputs, strict=True):
                record_id = records[item.index].id
                line = summary_result(record_id, output, seconds, bool(options.translate_to), options.check_facts)
                results[item.index] = {**line, **_article_fields(item.article, options)}

        await _isolated(ready, summarize, lambda item, error: _model_error(records, results, item, error))
    return [with_meta(result, record) for result, record in zip(results, records, strict=True) if result is not None]


def _model_error(
    records: list[InputRecord], results: list[dict[str, Any] | None], item: Prepared, error: Exception
) -> None:
    results[item.index] = error_result(records[item.index].id, "model_error", str(error))


async def _isolated(
    items: list[Prepared],
    run: Callable[[list[Prepared]], Awaitable[None]],
    failed: Callable[[Prepared, Exception], None],
) -> None:
    """Run the batch; if it fails, run its records one by one so only the failing one is an error."""
    try:
        await run(items)
        return
    except asyncio.CancelledError:
        raise
    except Exception as error:  # noqa: BLE001 - one record must not fail its batch: retried one by one below
        if len(items) == 1:
            failed(items[0], error)
            return
    for item in items:
        try:
            await run([item])
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - recorded as that record's error
            failed(item, error)


@dataclass
class RecordProcessor:
    """The record core over a gateway in this process (``tomtat batch``, a Ray actor, ``tomtat eval``)."""

    gateway: Gateway
    options: RecordOptions

    def process(self, records: list[InputRecord]) -> list[dict[str, Any]]:
        return run_sync(process_records(records, self.gateway, self.options))
