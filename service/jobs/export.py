"""Job results as CSV, for spreadsheets: one row per record, streamed line by line from the JSONL results."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

COLUMNS = (
    "id", "summary", "summary_en", "engine", "model", "input_tokens", "chunked", "duplicate_of",
    "error_code", "error_message", "flags", "flags_en",
)  # fmt: skip


def csv_row(result: dict[str, object]) -> list[str]:
    error = result.get("error") if isinstance(result.get("error"), dict) else {}
    assert isinstance(error, dict)
    row = {**result, "error_code": error.get("code"), "error_message": error.get("message")}
    for name in ("flags", "flags_en"):  # a list of objects: kept whole, as JSON, in one cell
        row[name] = json.dumps(result[name], ensure_ascii=False) if name in result else None
    return ["" if row.get(column) is None else str(row[column]) for column in COLUMNS]


def csv_lines(json_lines: Iterable[str]) -> Iterator[str]:
    """A header, then one CSV row per JSONL result line (UTF-8 with a BOM so Excel reads Vietnamese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    yield "\ufeff" + buffer.getvalue()
    for line in json_lines:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_row(json.loads(line)))
        yield buffer.getvalue()
