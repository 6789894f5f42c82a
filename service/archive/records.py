"""Archive records in and out: streamed readers (JSONL, CSV, Parquet, saved web pages and WARC crawls,
a folder of any of .txt/.html/.warc) and a resumable JSONL writer whose output holds every id exactly
once, even after ``kill -9``."""

from __future__ import annotations

import csv
import itertools
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from tomtat.service.archive.input_record import InputRecord
from tomtat.service.archive.webarchive import is_page, is_warc, read_page, read_warc, read_warcs


class InputFormatError(ValueError):
    """The input cannot be read at all (unknown format, missing file, missing optional library)."""


FILE_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
CRAWL_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
FILE_FORMATS |= {".html": "page", ".htm": "page"} | dict.fromkeys(CRAWL_SUFFIXES, "warc")
FOLDER_SUFFIXES = (".txt", ".html", ".htm", *CRAWL_SUFFIXES)  # what a folder's files may be


def file_suffix(path: Path) -> str:
    """The suffix that names the format (``.warc.gz`` and ``.arc.gz`` whole)."""
    name = path.name.lower()
    return next((s for s in (".warc.gz", ".arc.gz") if name.endswith(s)), path.suffix.lower())


def input_format(path: Path) -> str:
    if path.is_dir():
        return "dir"
    if not path.exists():
        raise InputFormatError(f"input {path} does not exist")
    suffix = file_suffix(path)
    if suffix not in FILE_FORMATS:
        known = ", ".join(FILE_FORMATS)
        raise InputFormatError(f"input {path}: unsupported format {suffix!r}; use {known} or a folder")
    return FILE_FORMATS[suffix]


def from_mapping(row: object, index: int, text_field: str, id_field: str) -> InputRecord:
    if not isinstance(row, dict):
        return InputRecord(f"#{index}", None, ("bad_record", "record is not an object"))
    raw_id = row.get(id_field)
    record_id = str(raw_id) if raw_id not in (None, "") else f"#{index}"
    text = row.get(text_field)
    if not isinstance(text, str):
        return InputRecord(record_id, None, ("missing_text", f"field {text_field!r} is missing or not a string"))
    return InputRecord(record_id, text)


def _jsonl(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    with path.open("rb") as handle:
        for index, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as error:
                yield InputRecord(f"#{index}", None, ("unreadable", f"line {index} is not JSON: {error}"))
                continue
            yield from_mapping(row, index, text_field, id_field)


def _csv(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    csv.field_size_limit(sys.maxsize)  # whole articles in one cell
    index = 0
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        try:
            for index, row in enumerate(csv.DictReader(handle), start=1):
                yield from_mapping(row, index, text_field, id_field)
        except csv.Error as error:  # a NUL byte, a broken quote at the end: the rest cannot be read
            yield InputRecord(f"#unreadable@{index + 1}", None, ("unreadable", f"row {index + 1}: {error}"))


def _parquet_file(path: Path) -> Any:
    """``pyarrow.parquet.ParquetFile(path)``; pyarrow comes with the ``ray`` extra."""
    try:
        import pyarrow
        import pyarrow.parquet as pq
    except ImportError:
        raise InputFormatError("reading Parquet needs pyarrow: pip install 'tomtat[ray]'") from None
    try:
        return pq.ParquetFile(path)
    except (pyarrow.ArrowException, OSError) as error:  # a bad footer, a cut-off file, JSON named .parquet
        raise InputFormatError(f"{path.name} is not a readable Parquet file: {error}") from None


PARQUET_ROWS = 64  # rows decoded at a time: a dictionary-encoded file can hold 100 kB rows in a few bytes


def _parquet(path: Path, text_field: str, id_field: str) -> Iterator[InputRecord]:
    import pyarrow

    index = 0
    try:
        for batch in _parquet_file(path).iter_batches(batch_size=PARQUET_ROWS):
            for row in batch.to_pylist():
                index += 1
                yield from_mapping(row, index, text_field, id_field)
    except (pyarrow.ArrowException, OSError) as error:  # a corrupt page: what came before is kept
        yield InputRecord(f"#unreadable@{index + 1}", None, ("unreadable", f"row {index + 1}: {error}"))


def folder_files(path: Path) -> list[Path]:
    return sorted(f for f in path.rglob("*") if f.is_file() and file_suffix(f) in FOLDER_SUFFIXES)


def _directory(path: Path, every_capture: bool = False) -> Iterator[InputRecord]:
    files = folder_files(path)
    # the crawls of a folder are one crawl: a URL captured in two files is one record, the latest capture
    crawls = [(f.relative_to(path).as_posix(), _opener(f)) for f in files if is_warc(f)]
    if crawls:
        yield from read_warcs(crawls, every_capture)
    for file in files:
        if is_warc(file):
            continue
        if is_page(file):
            yield read_page(file, path)
            continue
        record_id = file.relative_to(path).as_posix()
        try:
            yield text_record(record_id, file.read_bytes())
        except OSError as error:
            yield InputRecord(record_id, None, ("unreadable", str(error)))


def text_record(record_id: str, data: bytes) -> InputRecord:
    """A .txt file's bytes as a record (local folders and Ray's binary files alike)."""
    try:
        return InputRecord(record_id, data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return InputRecord(record_id, None, ("unreadable", f"not UTF-8 text: {error.reason} at byte {error.start}"))


def _opener(path: Path) -> Callable[[], IO[bytes]]:
    return lambda: path.open("rb")


def read_records(
    path: str | Path, text_field: str = "text", id_field: str = "id", every_capture: bool = False
) -> Iterator[InputRecord]:
    """Stream records from an input; one that cannot be read becomes a record with an ``error``, a
    crawl's capture that is not a page one with ``skipped`` (and by default only the latest capture of
    a URL is a record: ``every_capture`` keeps each)."""
    path = Path(path)
    fmt = input_format(path)
    if fmt in ("dir", "page", "warc"):
        if fmt == "page":
            return iter([read_page(path, path.parent)])
        return read_warc(path, every_capture) if fmt == "warc" else _directory(path, every_capture)
    return {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}[fmt](path, text_field, id_field)


FIELDS_SAMPLE = 50  # records looked at to list a file's fields


class MissingFieldError(InputFormatError):
    """The text (or a named id) field is in no record of the input; ``fields`` are the ones it has."""

    def __init__(self, path: Path, field: str, fields: list[str], option: str = "--text-field") -> None:
        listed = ", ".join(fields) if fields else "none"
        super().__init__(f"field {field!r} is in no record of {path.name}; its fields are: {listed}")
        self.field = field
        self.fields = fields
        self.option = option  # the command line option that names it


def input_fields(path: str | Path) -> list[str] | None:
    """The fields records of the input have (CSV header, Parquet schema, keys of the first JSONL
    records); None for a folder of .txt files, which has no fields."""
    path = Path(path)
    fmt = input_format(path)
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            try:
                return next(csv.reader(handle), [])
            except csv.Error as error:
                raise InputFormatError(f"{path.name} is not a readable CSV file: {error}") from None
    if fmt == "parquet":
        return list(_parquet_file(path).schema_arrow.names)
    if fmt == "jsonl":
        fields: dict[str, None] = {}
        with path.open("rb") as handle:
            for line in itertools.islice((raw for raw in handle if raw.strip()), FIELDS_SAMPLE):
                try:
                    row = json.loads(line)
                except (ValueError, UnicodeDecodeError):
                    continue
                if isinstance(row, dict):
                    fields.update(dict.fromkeys(map(str, row)))
        return list(fields)
    return None


def check_text_field(path: str | Path, text_field: str, id_field: str | None = None) -> None:
    """Refuse an input whose records lack the text field (or the id field named), before any work:
    a whole run of errors, or of made-up ids (``#1``, ``#2``…) where the ids were meant."""
    fields = input_fields(path)
    if fields is not None and fields and text_field not in fields:
        raise MissingFieldError(Path(path), text_field, fields)
    if id_field is not None and fields is not None and fields and id_field not in fields:
        raise MissingFieldError(Path(path), id_field, fields, "--id-field")


def count_records(path: str | Path) -> int | None:
    """A cheap total for the progress bar, where the format allows one."""
    path = Path(path)
    fmt = input_format(path)
    if fmt == "jsonl":
        with path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())
    if fmt == "dir":  # a WARC holds many pages: no cheap total then
        files = folder_files(path)
        return None if any(file_suffix(f) in CRAWL_SUFFIXES for f in files) else len(files)
    if fmt == "parquet":
        return int(_parquet_file(path).metadata.num_rows)
    return None


# errors the options or a rerun can change (another --text-field, a fixed file, a model that now loads);
# the others (empty, no words, HTML, not Vietnamese) are facts of the record and are kept
RETRYABLE_ERRORS = frozenset({"missing_text", "bad_record", "unreadable", "model_error"})


class ResultWriter:
    """Appends result lines to a JSONL file; each write is flushed and fsynced.

    On open, a torn last line (a crash mid-write) is cut off, and the ids already present are
    returned by ``done`` so that a rerun skips them: every id ends up in the file exactly once.
    Error lines that a rerun may fix (``RETRYABLE_ERRORS``, or every error with ``retry_errors``)
    are taken out of the file first (rewritten to a temporary file, then renamed), so their records
    are done again.
    """

    def __init__(self, path: str | Path, retry_errors: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.done: set[str] = set()
        self.repaired_bytes = 0
        self.retried = 0  # error lines taken out to be redone
        self.kept_errors = 0  # error lines kept (not retryable)
        retry = self._repair_and_index(retry_errors)
        if retry:
            self._drop(retry)
        self._handle = self.path.open("ab")

    @staticmethod
    def _retryable(record: dict[str, Any], retry_errors: bool) -> bool:
        error = record.get("error")
        if not isinstance(error, dict):
            return False
        return retry_errors or error.get("code") in RETRYABLE_ERRORS

    def _repair_and_index(self, retry_errors: bool) -> set[str]:
        """One pass over the output: cut a torn last line, index the ids, count the errors; returns the
        ids of the error lines to take out and redo."""
        retry: set[str] = set()
        if not self.path.exists():
            return retry
        good_end = 0
        size = self.path.stat().st_size
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                last = handle.tell() == size
                try:
                    record = json.loads(line) if line.endswith(b"\n") else None
                except ValueError:
                    record = None
                if record is None or "id" not in record:
                    if last:  # a torn final line from a crash mid-write: cut it, its records get redone
                        break
                    raise InputFormatError(f"{self.path} line {number} is corrupt; fix or remove it, then rerun")
                record_id = str(record["id"])
                if self._retryable(record, retry_errors):
                    retry.add(record_id)
                else:
                    self.done.add(record_id)
                    self.kept_errors += "error" in record
                good_end += len(line)
        if good_end < size:
            self.repaired_bytes = size - good_end
            with self.path.open("r+b") as handle:
                handle.truncate(good_end)
        return retry

    def _drop(self, retry: set[str]) -> None:
        """Rewrite the output without the error lines of ``retry`` (a temporary file, then renamed)."""
        temporary = self.path.with_name(self.path.name + ".rewrite")
        with self.path.open("rb") as source, temporary.open("wb") as target:
            for line in source:
                if str(json.loads(line)["id"]) not in retry:
                    target.write(line)
            target.flush()
            os.fsync(target.fileno())
        os.replace(temporary, self.path)
        self.retried = len(retry)

    def write(self, results: list[dict[str, Any]]) -> None:
        if not results:
            return
        data = b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in results)
        self._handle.write(data)
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.done.update(str(r["id"]) for r in results)

    def close(self) -> None:
        self._handle.close()
