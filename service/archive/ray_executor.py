"""``tomtat batch --executor ray``: the same record pipeline on Ray Data, for archives beyond one machine.

read (text lines / CSV / Parquet / binary files: .txt, saved pages, WARC crawls) -> parse into records
-> skip ids already written -> ``map_batches`` with a callable class (each actor loads its models once)
-> each block written to a temporary name and renamed when complete (``write_block``).
Resume: rerun with the same output directory; ids in its complete blocks are skipped, cut-off blocks redone.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tomtat.service.archive.articles import Format
from tomtat.service.archive.core import RecordOptions, RecordProcessor
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.archive.pipeline import ArchiveReport
from tomtat.service.archive.records import InputFormatError, input_format, text_record

if TYPE_CHECKING:
    from tomtat.service.runtime.local import Placement

COLUMNS = (
    "id", "url", "title", "date", "summary", "summary_en", "engine", "model", "input_tokens", "chunked",
    "flags", "flags_en", "words", "text", "error",
)  # fmt: skip


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise InputFormatError("the Ray executor needs Ray Data: pip install 'tomtat[ray]'") from None
    return ray


@dataclass(frozen=True)
class ActorOptions:
    """What every actor loads and how it treats records: the ``tomtat batch`` options a worker needs
    (sent to each actor, so plain values only)."""

    placement: Placement
    engine: str = "auto"
    model: str | None = None
    sentences: int | None = None
    max_words: int | None = None
    translate_to: str | None = None
    translation_model: str | None = None
    allow_any_language: bool = False
    check_facts: bool = True
    text_format: Format = "auto"
    keep_text: bool = False
    max_chars: int | None = None


@dataclass(frozen=True)
class RayRun:
    """One archive run on Ray: where records come from and go, and how the work is spread."""

    input: Path
    output: Path
    actor: ActorOptions
    text_field: str = "text"
    id_field: str = "id"
    batch_size: int = 16  # records per actor call
    concurrency: int = 1  # actors, each loading the model once
    num_gpus: float = 0  # per actor
    ray_address: str | None = None  # an existing cluster; None: a local Ray of its own


class SummarizeActor:
    """One per Ray actor: loads the summarizer (and translator) once, then processes batches."""

    def __init__(self, options: ActorOptions) -> None:
        from tomtat.service.runtime.local import summarizing_gateway

        gateway, plan = summarizing_gateway(
            options.engine,
            options.model,
            options.placement,
            sentences=options.sentences,
            max_words=options.max_words,
            translate_to=options.translate_to,
            translation_model=options.translation_model,
        )
        record_options = RecordOptions(
            plan,
            options.translate_to,
            options.allow_any_language,
            options.check_facts,
            options.text_format,
            options.keep_text,
            options.max_chars,
        )
        self.processor = RecordProcessor(gateway, record_options)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        # numpy batches: a column of all-None read errors arrives as floats (NaN), so test for str
        metas = batch["meta"] if "meta" in batch else [None] * len(batch["id"])
        records = [
            InputRecord(
                str(i),
                t if isinstance(t, str) else None,
                json.loads(e) if isinstance(e, str) else None,
                json.loads(m) if isinstance(m, str) else None,
            )
            for i, t, e, m in zip(batch["id"], batch["text"], batch["read_error"], metas, strict=True)
        ]
        results = self.processor.process(records)
        columns: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        for result in results:
            for column in COLUMNS:
                value = result.get(column)
                columns[column].append(value)
        return columns


class RayClusterError(InputFormatError):
    """The Ray cluster named by ``--ray-address`` cannot be used as it is; the message says what to do."""


def check_cluster(address: str) -> None:
    """Fail in seconds where ``ray.init`` would retry for ~20 s and end in a traceback: nothing
    listening at the address, or a cluster with token authentication (``ray start --head`` of Ray 2.60
    turns it on) while this process has no ``RAY_AUTH_MODE=token``."""
    if address == "auto" or "://" in address:
        return  # Ray Client and auto-discovery: ray.init's own checks
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host or "127.0.0.1", int(port)), timeout=3).close()
    except (OSError, ValueError) as error:
        raise RayClusterError(
            f"no Ray cluster answers at {address} ({error}); start one with `ray start --head` or fix --ray-address"
        ) from None
    from ray._raylet import GcsClient  # type: ignore[attr-defined]  # Ray's own client: answers in milliseconds
    from ray.exceptions import AuthenticationError

    try:
        GcsClient(address=address)
    except AuthenticationError:
        raise RayClusterError(
            f"the Ray cluster at {address} requires token authentication and this process does not send a "
            "token: run with RAY_AUTH_MODE=token (the token is read from RAY_AUTH_TOKEN, the file named by "
            "RAY_AUTH_TOKEN_PATH, or ~/.ray/auth_token, which `ray start` writes on its machine; `ray "
            "get-auth-token` prints it)"
        ) from None


def _parse_json_lines(batch: dict[str, Any], text_field: str, id_field: str) -> dict[str, Any]:
    from tomtat.service.archive.records import from_mapping

    out: dict[str, list[Any]] = {"id": [], "text": [], "read_error": []}
    for index, line in enumerate(batch["text"]):
        try:
            record = from_mapping(json.loads(line), index, text_field, id_field)
        except ValueError as error:
            # Ray reads lines without their numbers: an unreadable line is named by its content's hash
            digest = hashlib.sha1(str(line).encode()).hexdigest()[:12]
            record = InputRecord(f"unreadable:{digest}", None, ("unreadable", f"not JSON: {error}"))
        out["id"].append(record.id)
        out["text"].append(record.text)
        out["read_error"].append(json.dumps(record.error) if record.error else None)
    return out


def _rename(batch: dict[str, Any], text_field: str, id_field: str) -> dict[str, Any]:
    ids = [str(x) for x in batch[id_field]] if id_field in batch else [str(i) for i in range(len(batch[text_field]))]
    texts = list(batch[text_field])
    errors = [
        None if isinstance(t, str) else json.dumps(["missing_text", f"{text_field} is not a string"]) for t in texts
    ]
    return {"id": ids, "text": texts, "read_error": errors}


def _files(batch: dict[str, Any], root: str) -> dict[str, Any]:
    """Files into records: a .txt or a saved page is one, a WARC crawl as many as it has pages."""
    from tomtat.service.archive.webarchive import is_page, is_warc, page_record, warc_records

    records: list[InputRecord] = []
    for path, data in zip(batch["path"], batch["bytes"], strict=True):
        record_id = Path(path).relative_to(root).as_posix() if root else Path(path).name
        if is_warc(Path(path)):
            # the latest capture of a URL within this file (files are read one per task on Ray)
            records.extend(r for r in warc_records(bytes(data), Path(path).name) if r.skipped is None)
        elif is_page(Path(path)):
            records.append(page_record(record_id, bytes(data)))
        else:
            records.append(text_record(record_id, bytes(data)))
    return {
        "id": [r.id for r in records],
        "text": [r.text for r in records],
        "read_error": [json.dumps(r.error) if r.error else None for r in records],
        "meta": [json.dumps(r.meta, ensure_ascii=False) if r.meta else None for r in records],
    }


PART = "part-{}.json"  # a complete block; while it is written: part-….json.tmp-<random>


def write_block(batch: Any, output: str) -> dict[str, list[int]]:
    """One block of results into the output folder, exactly once: written under a temporary name,
    fsynced, then renamed. The name comes from the block's ids, so a task Ray retries replaces its
    own file instead of adding a second; a block cut off by a crash is only ever a ``.tmp`` file."""
    rows = batch.to_pylist()
    digest = hashlib.blake2b("\n".join(sorted(str(r["id"]) for r in rows)).encode(), digest_size=12).hexdigest()
    final = Path(output) / PART.format(digest)
    temporary = final.with_name(f"{final.name}.tmp-{uuid.uuid4().hex[:8]}")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, final)
    return {"written": [len(rows)]}


def done_ids(output: Path) -> set[str]:
    """Ids in the complete blocks of earlier runs; blocks a crash cut off (``.tmp``) are removed, so
    their records are done again."""
    done: set[str] = set()
    if not output.is_dir():
        return done
    for partial in output.glob("part-*.json.tmp-*"):
        partial.unlink()
    for file in output.glob("*.json"):
        for line in file.read_text(encoding="utf-8").splitlines():
            try:
                done.add(str(json.loads(line)["id"]))
            except (ValueError, KeyError):
                continue  # a torn line in the output of an older tomtat (direct writes): its record is redone
    return done


def run_on_ray(run: RayRun) -> ArchiveReport:
    ray = _import_ray()
    started = time.perf_counter()
    source, output = run.input, run.output
    fmt = input_format(source)
    if not ray.is_initialized():
        if run.ray_address:
            check_cluster(run.ray_address)
            ray.init(address=run.ray_address)
        else:
            # "local": a Ray of its own, never a cluster someone started on this machine (ray start)
            ray.init(address="local", num_cpus=max(2, run.concurrency), include_dashboard=False, log_to_driver=False)
    if fmt == "jsonl":
        data = ray.data.read_text(str(source)).map_batches(
            _parse_json_lines,
            fn_kwargs={"text_field": run.text_field, "id_field": run.id_field},
            batch_format="numpy",
        )
    elif fmt == "csv":
        data = ray.data.read_csv(str(source)).map_batches(
            _rename, fn_kwargs={"text_field": run.text_field, "id_field": run.id_field}, batch_format="numpy"
        )
    elif fmt == "parquet":
        data = ray.data.read_parquet(str(source)).map_batches(
            _rename, fn_kwargs={"text_field": run.text_field, "id_field": run.id_field}, batch_format="numpy"
        )
    else:  # a folder, one saved page, one WARC file
        root = str(source) if fmt == "dir" else ""
        data = ray.data.read_binary_files(
            str(source), include_paths=True, file_extensions=["txt", "html", "htm", "warc", "arc", "gz"]
        ).map_batches(_files, fn_kwargs={"root": root}, batch_format="numpy", batch_size=1)
    done = done_ids(output)
    if done:
        data = data.filter(lambda row: row["id"] not in done)
    results = data.map_batches(
        SummarizeActor,
        fn_constructor_kwargs={"options": run.actor},
        batch_size=run.batch_size,
        concurrency=run.concurrency,
        num_gpus=run.num_gpus or None,
        batch_format="numpy",
    )
    output.mkdir(parents=True, exist_ok=True)
    blocks = results.map_batches(
        write_block, fn_kwargs={"output": str(output)}, batch_format="pyarrow", batch_size=None
    )
    blocks.sum("written")  # runs the pipeline
    report = ArchiveReport(skipped_done=len(done))
    for file in output.glob("*.json"):
        for line in file.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            report.seen += 1
            if row.get("error"):
                report.errors += 1
            else:
                report.summarized += 1
    report.seconds = time.perf_counter() - started
    return report
