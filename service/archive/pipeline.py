"""Archive summarization: records in, one result line per id out, resumable, never stopped by a bad record.

The records of each window go through the record core (``core.RecordProcessor``), shared with Ray,
``tomtat eval`` and the jobs API.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tomtat.models.text import normalize
from tomtat.service.archive.core import RecordProcessor, with_meta
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.archive.records import ResultWriter, count_records, read_records
from tomtat.service.archive.sql import SqlResultWriter, is_url, query_id_is_integer, read_sql


@dataclass
class ArchiveReport:
    seen: int = 0
    skipped_done: int = 0
    summarized: int = 0
    errors: int = 0
    duplicates: list[str] = field(default_factory=list)
    repaired_bytes: int = 0
    retried: int = 0  # errors of an earlier run done again
    kept_errors: int = 0  # errors of an earlier run kept (not retryable without --retry-errors)
    same_text: int = 0  # records whose text an earlier record of this run had: its result given, not recomputed
    skipped: dict[str, int] = field(default_factory=dict)  # a crawl's captures that are not pages, by reason
    kept_existing: int = 0  # --only-empty: rows whose column already held text, left as they were
    seconds: float = 0.0

    def line(self) -> str:
        rate = self.summarized / self.seconds if self.seconds else 0.0
        parts = [
            f"{self.seen} records read",
            f"{self.summarized} summarized",
            f"{self.errors} errors",
            f"{self.skipped_done} already done",
            f"{len(self.duplicates)} duplicate ids skipped",
        ]
        if self.skipped:
            reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
            parts.append(f"{sum(self.skipped.values())} crawl captures skipped ({reasons})")
        if self.kept_existing:
            parts.append(f"{self.kept_existing} rows kept as they were (--only-empty: the column had text)")
        if self.same_text:
            parts.append(f"{self.same_text} repeated texts (marked duplicate_of)")
        if self.retried:
            parts.append(f"{self.retried} earlier errors retried")
        if self.kept_errors:
            parts.append(f"{self.kept_errors} earlier errors kept (--retry-errors retries them)")
        if self.repaired_bytes:
            parts.append(f"a torn last line ({self.repaired_bytes} bytes) repaired")
        return f"done: {', '.join(parts)} in {self.seconds:.1f} s ({rate:.2f} docs/s)"


def pending_records(records: Iterable[InputRecord], done: set[str], report: ArchiveReport) -> Iterator[InputRecord]:
    """Records not yet in the output; a repeated id is reported and skipped, never merged."""
    seen: set[str] = set()
    for record in records:
        if record.skipped is not None:  # not a page (or an earlier capture): counted, never a record
            report.skipped[record.skipped] = report.skipped.get(record.skipped, 0) + 1
            continue
        report.seen += 1
        if record.id in seen:
            report.duplicates.append(record.id)
            continue
        seen.add(record.id)
        if record.id in done:
            report.skipped_done += 1
            continue
        yield record


def windows(records: Iterable[InputRecord], window: int) -> Iterator[list[InputRecord]]:
    current: list[InputRecord] = []
    for record in records:
        current.append(record)
        if len(current) >= window:
            yield current
            current = []
    if current:
        yield current


class SameText:
    """Records whose normalised text an earlier record of the run had (syndicated stories): each gets
    the first copy's result, with ``duplicate_of``, instead of being summarized again.

    Every text's hash is remembered (16 bytes, ~100 with Python's dict around it); the results
    themselves, as compact JSON, only for the most recent ``keep`` texts, so memory stays bounded on
    an archive of millions: a copy further away than that is summarized again (still marked
    ``duplicate_of``)."""

    def __init__(self, keep: int = 10_000) -> None:
        self.first_id: dict[bytes, str] = {}
        self.results: OrderedDict[bytes, bytes] = OrderedDict()
        self.keep = keep

    @staticmethod
    def key(text: str) -> bytes:
        return hashlib.blake2b(" ".join(normalize(text).split()).casefold().encode(), digest_size=16).digest()

    def split(self, chunk: list[InputRecord]) -> tuple[list[InputRecord], dict[str, bytes], dict[str, bytes]]:
        """The records to summarize, each repeated record's text key, and the text key of every first
        copy (all keyed by record id)."""
        todo, repeats, firsts = [], {}, {}
        firsts_here: set[bytes] = set()
        for record in chunk:
            key = self.key(record.text) if record.text and record.error is None else None
            if key is not None and key in self.first_id:
                repeats[record.id] = key
                if key in self.results or key in firsts_here:
                    continue  # its first copy's result is kept, or comes with this window
            elif key is not None:
                self.first_id[key] = record.id
                firsts_here.add(key)
                firsts[record.id] = key
            todo.append(record)
        return todo, repeats, firsts

    def remember(self, key: bytes, result: dict[str, Any]) -> None:
        """Keep a first copy's result (not an error: a repeat of a failed text is tried again)."""
        if "error" in result:
            return
        self.results[key] = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
        self.results.move_to_end(key)
        while len(self.results) > self.keep:
            self.results.popitem(last=False)

    def result_for(self, record_id: str, key: bytes, window: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """The repeated record's line: the first copy's result (kept, or of this window, an error
        included), else its own, computed again because the first was too far back."""
        first_id = self.first_id[key]
        kept = self.results.get(key)
        first = json.loads(kept) if kept is not None else window.get(first_id) or window[record_id]
        return {**first, "id": record_id, "duplicate_of": first_id}


class WindowResults:
    """A window's results, written in input order as soon as its head is complete: a crash loses only
    the records not written yet, never what the progress bar already counted."""

    def __init__(self, chunk: list[InputRecord], repeats: dict[str, bytes], same_text: SameText) -> None:
        self.chunk, self.repeats, self.same_text = chunk, repeats, same_text
        self.by_id: dict[str, dict[str, Any]] = {}
        self.written = 0

    def _ready(self, record: InputRecord) -> bool:
        key = self.repeats.get(record.id)
        if key is None:
            return record.id in self.by_id
        return key in self.same_text.results or self.same_text.first_id[key] in self.by_id or record.id in self.by_id

    def _line(self, record: InputRecord) -> dict[str, Any]:
        key = self.repeats.get(record.id)
        result = self.by_id[record.id] if key is None else self.same_text.result_for(record.id, key, self.by_id)
        return with_meta(result, record)

    def write_head(self, writer: ResultWriter | SqlResultWriter) -> int:
        """Write the complete records at the head of the window (one fsynced write); how many."""
        head = self.written
        while self.written < len(self.chunk) and self._ready(self.chunk[self.written]):
            self.written += 1
        if self.written > head:
            writer.write([self._line(record) for record in self.chunk[head : self.written]])
        return self.written - head


# batches in flight at once: while one is in the model (CTranslate2 and torch release the GIL), the
# next one's preparation (HTML, sentence split, token counts) and the last one's flags run on the CPU
PIPELINE_DEPTH = 2


def _overlapped(
    processor: RecordProcessor, batches: list[list[InputRecord]], pool: ThreadPoolExecutor
) -> Iterator[tuple[list[InputRecord], list[dict[str, Any]]]]:
    """Each batch with its results, in order, up to ``PIPELINE_DEPTH`` of them processed at once."""
    pending: deque[tuple[list[InputRecord], Future[list[dict[str, Any]]]]] = deque()
    for batch in batches:
        pending.append((batch, pool.submit(processor.process, batch)))
        if len(pending) >= PIPELINE_DEPTH:
            done, future = pending.popleft()
            yield done, future.result()
    while pending:
        done, future = pending.popleft()
        yield done, future.result()


def length_buckets(window: list[InputRecord], batch_size: int) -> list[list[InputRecord]]:
    """Sort a bounded window by length and cut it into batches: similar lengths pad little."""
    ordered = sorted(window, key=lambda r: len(r.text or ""))
    return [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]


def run_archive(
    input_path: str | Path,
    output_path: str | Path,
    processor: RecordProcessor,
    *,
    text_field: str = "text",
    id_field: str = "id",
    window: int = 256,
    batch_size: int = 16,
    progress: bool = True,
    retry_errors: bool = False,
    query: str | None = None,
    output_table: str | None = None,
    update_column: str | None = None,
    only_empty: bool = False,
    every_capture: bool = False,
) -> ArchiveReport:
    """Summarize every record of ``input_path`` into ``output_path``, in input order; rerun to resume.

    Each window of records is sorted by length into batches (similar lengths pad little), and its
    results are written back in input order: after each batch, the window's head that is complete
    (one fsynced write), so the progress bar counts only what is on disk.
    """
    from tqdm import tqdm

    report = ArchiveReport()
    same_text = SameText()
    started = time.perf_counter()
    writer: ResultWriter | SqlResultWriter
    if is_url(str(input_path)):  # a database: the query's rows, streamed
        records: Iterable[InputRecord] = read_sql(str(input_path), query or "", text_field, id_field)
    else:
        records = read_records(input_path, text_field, id_field, every_capture)
    if is_url(str(output_path)):
        integer_ids = (
            is_url(str(input_path))
            and not update_column
            and query_id_is_integer(str(input_path), query or "", id_field)
        )
        writer = SqlResultWriter(
            str(output_path), output_table or "", update_column, id_field, retry_errors, only_empty, integer_ids
        )
    else:
        writer = ResultWriter(output_path, retry_errors)
    report.repaired_bytes, report.retried, report.kept_errors = (
        writer.repaired_bytes,
        writer.retried,
        writer.kept_errors,
    )
    total = None if is_url(str(input_path)) else count_records(input_path)
    bar = tqdm(total=total, unit="doc", disable=not progress, file=sys.stderr, dynamic_ncols=True)
    bar.update(len(writer.done) if total else 0)
    pool = ThreadPoolExecutor(PIPELINE_DEPTH, thread_name_prefix="tomtat-batch")
    try:
        for chunk in windows(pending_records(records, set(writer.done), report), window):
            todo, repeats, firsts = same_text.split(chunk)
            results_of = WindowResults(chunk, repeats, same_text)
            for batch, results in _overlapped(processor, length_buckets(todo, batch_size), pool):
                results_of.by_id.update((str(r["id"]), r) for r in results)
                for record in batch:
                    if record.id in firsts:
                        same_text.remember(firsts[record.id], results_of.by_id[record.id])
                failed = sum(1 for r in results if "error" in r)
                report.errors += failed
                report.summarized += len(results) - failed
                bar.update(results_of.write_head(writer))  # the bar counts only what is on disk
                bar.set_postfix(errors=report.errors, refresh=False)
            report.same_text += len(repeats)
            bar.update(results_of.write_head(writer))  # repeats of one another: nothing left to run
            assert results_of.written == len(chunk), "every record of a window has its line"
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        report.kept_existing = writer.kept_existing if isinstance(writer, SqlResultWriter) else 0
        writer.close()
        bar.close()
        report.seconds = time.perf_counter() - started
    return report
