"""Archive jobs' SQLite file: inputs, state and results, so a restart resumes them.

Exactly-once: a result row's key is (job, record id) and a batch's results are committed together
with the job's counters; after a crash the records without a result are simply run again. A job
belongs to the API key that created it: any other key is told it does not exist.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tomtat.service.archive.articles import Format
from tomtat.service.archive.core import RecordOptions
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.database import Migration, add_missing_columns, connect
from tomtat.service.jobs import storage
from tomtat.service.jobs.storage import StorageLimits
from tomtat.service.runtime.keys import SummaryPlan

ACTIVE = ("queued", "running")
INSERT_CHUNK = 1000  # records per transaction while a job's records go in
JOB_COLUMNS = "id, state, total, done, failed, duplicates, created, started, finished, error, options, owner, name"
TERMINAL = ("done", "cancelled", "failed")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, options TEXT NOT NULL, total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, started REAL, finished REAL, error TEXT, owner TEXT, name TEXT, upload_hash TEXT
);
CREATE TABLE IF NOT EXISTS job_inputs (
    job_id TEXT NOT NULL, seq INTEGER NOT NULL, record_id TEXT NOT NULL, text TEXT, error TEXT, meta TEXT,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS job_results (
    job_id TEXT NOT NULL, record_id TEXT NOT NULL, seq INTEGER NOT NULL, result TEXT NOT NULL,
    failed INTEGER NOT NULL, PRIMARY KEY (job_id, record_id)
);
"""
# each step is safe on a file from before version numbers (its tables made by older CREATE statements)
MIGRATIONS: list[Migration] = [
    SCHEMA,
    add_missing_columns("jobs", ("owner", "name", "upload_hash", "idempotency_key", "source")),
    add_missing_columns("job_inputs", ("meta",)),  # from before web-page inputs
    """
    CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner, created);
    CREATE UNIQUE INDEX IF NOT EXISTS job_inputs_by_id ON job_inputs (job_id, record_id);
    CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs (owner, idempotency_key);
    """,
    # failed records by error code, counted as they are saved; a file from before them is counted once
    """
    CREATE TABLE IF NOT EXISTS job_errors (
        job_id TEXT NOT NULL, code TEXT, count INTEGER NOT NULL, PRIMARY KEY (job_id, code)
    );
    INSERT OR IGNORE INTO job_errors SELECT job_id, json_extract(result, '$.error.code'), COUNT(*)
        FROM job_results WHERE failed = 1 GROUP BY 1, 2;
    """,
    # bytes each job keeps on disk, for the storage limits; a file from before them is measured once
    """
    ALTER TABLE jobs ADD COLUMN input_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN result_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN upload_bytes INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET
        input_bytes = (SELECT COALESCE(SUM(length(CAST(text AS BLOB)) + COALESCE(length(CAST(meta AS BLOB)), 0)), 0)
            FROM job_inputs WHERE job_id = jobs.id),
        result_bytes = (SELECT COALESCE(SUM(length(CAST(result AS BLOB))), 0) FROM job_results WHERE job_id = jobs.id);
    """,
]
STORED = "input_bytes + result_bytes + upload_bytes"


def _size(text: str | None) -> int:
    return len(text.encode()) if text else 0


@dataclass(frozen=True)
class JobOptions:
    plan: SummaryPlan  # the worker and batch key chosen when the job was accepted
    translate_to: str | None = None
    allow_any_language: bool = False
    text_format: Format = "auto"  # how each record's text is read (plain text, HTML, or HTML when it looks like it)
    text_field: str = "text"  # an upload's fields, kept to read (or, after a restart, read again) its file
    id_field: str = "id"

    def to_json(self) -> str:
        options = {"translate_to": self.translate_to, "allow_any_language": self.allow_any_language}
        fields = {"format": self.text_format, "text_field": self.text_field, "id_field": self.id_field}
        return json.dumps({"plan": self.plan.to_json(), **options, **fields})

    @classmethod
    def from_json(cls, text: str) -> JobOptions:
        data = json.loads(text)
        plan = SummaryPlan.from_json(data["plan"])
        # jobs stored before the format option read their records as they were: plain text
        fields = (data.get("format", "text"), data.get("text_field", "text"), data.get("id_field", "id"))
        return cls(plan, data["translate_to"], data["allow_any_language"], *fields)

    def record_options(self, max_chars: int | None = None) -> RecordOptions:
        return RecordOptions(
            self.plan, self.translate_to, self.allow_any_language, text_format=self.text_format, max_chars=max_chars
        )


@dataclass
class Job:
    id: str
    state: str
    total: int
    done: int
    failed: int
    duplicates: int
    created: float
    started: float | None
    finished: float | None
    error: str | None
    options: JobOptions
    name: str | None = None  # the uploaded file's name, to tell jobs apart in a list
    errors: dict[str, int] = field(default_factory=dict)  # failed records by error code
    owner: str | None = None  # the API key that created it


class TooManyRecords(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} records per job")


class ReadingStopped(Exception):
    """An upload's reading was stopped (the server shuts down, the job was cancelled)."""


class JobStore:
    """The SQLite file behind the jobs API; safe to use from the event loop and worker threads."""

    def __init__(self, path: str | Path, limits: StorageLimits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or StorageLimits()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = connect(self.path, "jobs", MIGRATIONS, wal=True)
        self.on_change: Callable[[str], None] = lambda job_id: None  # told after every write to a job
        for (job_id,) in self._db.execute("SELECT id FROM jobs WHERE state = 'uploading'").fetchall():
            self.delete(job_id)  # a process stopped mid-request: its client never got a job id
        self.uploads = self.path.parent / "uploads"  # uploaded files, kept until their records are read
        self.uploads.mkdir(exist_ok=True)
        for leftover in self.uploads.glob("incoming-*"):  # a process stopped while a file was arriving
            leftover.unlink(missing_ok=True)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def stored_bytes(self, owner: str | None) -> tuple[int, int]:
        """Bytes kept by ``owner``'s jobs, and by every job."""
        with self._lock:
            return self._stored_bytes(owner)

    def _stored_bytes(self, owner: str | None) -> tuple[int, int]:
        (by_owner,) = self._db.execute(
            f"SELECT COALESCE(SUM({STORED}), 0) FROM jobs WHERE owner IS ?", (owner,)
        ).fetchone()
        (in_total,) = self._db.execute(f"SELECT COALESCE(SUM({STORED}), 0) FROM jobs").fetchone()
        return int(by_owner), int(in_total)

    def create(
        self,
        options: JobOptions,
        records: Iterable[InputRecord],
        owner: str | None = None,
        name: str | None = None,
        *,
        max_records: int | None = None,
        admit: Callable[[int, int], None] | None = None,
        idempotency_key: str | None = None,
    ) -> Job:
        """Store a job's records, streamed in chunks (flat memory for any size), then queue it.

        While its records go in, the job is ``uploading`` (the runner ignores it). A repeated id is
        counted in ``duplicates`` and skipped (the first occurrence is kept). ``admit(records,
        characters)`` may refuse the job once everything is read (a key's quota); then, as over
        ``max_records`` or on any error, the job and its records are removed."""
        job_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, state, options, total, created, owner, name, idempotency_key) "
                "VALUES (?, 'uploading', ?, 0, ?, ?, ?, ?)",
                (job_id, options.to_json(), time.time(), owner, name, idempotency_key),
            )
        try:
            self.fill(job_id, records, max_records=max_records, admit=admit)
        except BaseException:
            self.delete(job_id)
            raise
        job = self.get(job_id, owner)
        assert job is not None
        return job

    def open_upload(
        self,
        options: JobOptions,
        owner: str | None,
        name: str | None,
        upload_hash: str,
        idempotency_key: str | None,
        source: Path,
    ) -> tuple[Job, Path | None]:
        """The job for an uploaded file, and whether it is new: the caller's earlier job for the same
        ``Idempotency-Key``, or for the same file with the same options (still being read, queued,
        running or done), else a new job in state ``reading`` that owns ``source`` (moved into
        ``uploads/``, whose new path is returned). Found and made under one lock, so two retries racing
        get one job."""
        with self._lock:  # the Job is built once it is released: _job takes the lock itself
            row = self._earlier(owner, idempotency_key, upload_hash, options)
            kept = None
            if row is None:
                job_id = uuid.uuid4().hex
                kept = self.uploads / f"{job_id}{''.join(source.suffixes[-2:])}"
                storage.check(self.limits, *self._stored_bytes(owner), source.stat().st_size)
                source.replace(kept)
                self._db.execute(
                    "INSERT INTO jobs (id, state, options, total, created, owner, name, upload_hash, "
                    "idempotency_key, source, upload_bytes) VALUES (?, 'reading', ?, 0, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        job_id,
                        options.to_json(),
                        time.time(),
                        owner,
                        name,
                        upload_hash,
                        idempotency_key,
                        str(kept),
                        kept.stat().st_size,
                    ),
                )
                row = self._db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if kept is None:
            source.unlink(missing_ok=True)
        return self._job(row), kept

    def find_idempotent(self, owner: str | None, idempotency_key: str) -> Job | None:
        """The caller's job created with this ``Idempotency-Key`` (a retried request), if any."""
        with self._lock:
            row = self._earlier(owner, idempotency_key, None, None)
        return self._job(row) if row else None

    def _earlier(
        self, owner: str | None, idempotency_key: str | None, upload_hash: str | None, options: JobOptions | None
    ) -> tuple[Any, ...] | None:
        live = "state IN ('reading', 'queued', 'running', 'done')"
        if idempotency_key:
            row = self._db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE owner IS ? AND idempotency_key = ? AND {live} "
                "ORDER BY created DESC LIMIT 1",
                (owner, idempotency_key),
            ).fetchone()
            if row is not None:
                return tuple(row)
        if upload_hash is None or options is None:
            return None
        row = self._db.execute(
            f"SELECT {JOB_COLUMNS} FROM jobs WHERE owner IS ? AND upload_hash = ? AND options = ? AND {live} "
            "ORDER BY created DESC LIMIT 1",
            (owner, upload_hash, options.to_json()),
        ).fetchone()
        return tuple(row) if row else None

    def reading(self) -> list[tuple[str, Path | None]]:
        """Jobs whose upload is (or was, before a restart) being read, with their kept file."""
        with self._lock:
            rows = self._db.execute("SELECT id, source FROM jobs WHERE state = 'reading' ORDER BY created").fetchall()
        return [(job_id, Path(source) if source else None) for job_id, source in rows]

    def fill(
        self,
        job_id: str,
        records: Iterable[InputRecord],
        *,
        max_records: int | None = None,
        admit: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        """Insert a job's records, a chunk per transaction (the job's total grows as they go in), then
        queue it. Raises what ``admit``, ``max_records`` or the storage limits refuse, or
        ``ReadingStopped`` (also when the job was cancelled or deleted meanwhile)."""
        with self._lock:  # a restart reads an upload again from the start
            self._db.execute("DELETE FROM job_inputs WHERE job_id = ?", (job_id,))
            self._db.execute("UPDATE jobs SET input_bytes = 0 WHERE id = ?", (job_id,))
            row = self._db.execute("SELECT owner FROM jobs WHERE id = ?", (job_id,)).fetchone()
        owner = row[0] if row else None
        seq = duplicates = characters = 0
        pending = (r for r in records if r.skipped is None)  # a crawl's non-pages are no job records
        while chunk := list(itertools.islice(pending, INSERT_CHUNK)):
            if should_stop is not None and should_stop():
                raise ReadingStopped(job_id)
            with self._lock:
                self._db.execute("BEGIN")
                added = 0
                for record in chunk:
                    error = json.dumps(record.error) if record.error else None
                    meta = json.dumps(record.meta, ensure_ascii=False) if record.meta else None
                    inserted = self._db.execute(
                        "INSERT OR IGNORE INTO job_inputs (job_id, seq, record_id, text, error, meta) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (job_id, seq, record.id, record.text, error, meta),
                    ).rowcount
                    seq += inserted
                    duplicates += 1 - inserted  # the id was there already: reported, never merged
                    characters += len(record.text or "") if inserted else 0
                    added += _size(record.text) + _size(meta) if inserted else 0
                try:
                    storage.check(self.limits, *self._stored_bytes(owner), added)
                except storage.StorageFull:
                    self._db.execute("ROLLBACK")
                    raise
                updated = self._db.execute(
                    "UPDATE jobs SET total = ?, duplicates = ?, input_bytes = input_bytes + ? "
                    "WHERE id = ? AND state IN ('uploading', 'reading')",
                    (seq, duplicates, added, job_id),
                ).rowcount
                self._db.execute("COMMIT" if updated else "ROLLBACK")
            if not updated:  # cancelled or deleted while its records went in
                raise ReadingStopped(job_id)
            self.on_change(job_id)
            if max_records is not None and seq > max_records:
                raise TooManyRecords(max_records)
        if admit is not None:
            admit(seq, characters)
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = 'queued', total = ?, duplicates = ?, source = NULL, upload_bytes = 0 "
                "WHERE id = ? AND state IN ('uploading', 'reading')",
                (seq, duplicates, job_id),
            )
        self.on_change(job_id)

    def fail_reading(self, job_id: str, message: str) -> None:
        """An upload that could not be read into a job: its records dropped, the job failed with why."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM job_inputs WHERE job_id = ?", (job_id,))
            self._db.execute(
                "UPDATE jobs SET state = 'failed', finished = ?, error = ?, total = 0, source = NULL, "
                "input_bytes = 0, upload_bytes = 0 "
                "WHERE id = ? AND state = 'reading'",
                (time.time(), message, job_id),
            )
            self._db.execute("COMMIT")
        self.on_change(job_id)

    def state_of(self, job_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT state FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return str(row[0]) if row else None

    def drop_inputs(self, job_id: str) -> None:
        """A cancelled job's inputs, which nothing will read again (its results are kept)."""
        with self._lock:
            self._db.execute("BEGIN")
            cancelled = "EXISTS (SELECT 1 FROM jobs WHERE id = ? AND state = 'cancelled')"
            self._db.execute(f"DELETE FROM job_inputs WHERE job_id = ? AND {cancelled}", (job_id, job_id))
            self._db.execute("UPDATE jobs SET input_bytes = 0 WHERE id = ? AND state = 'cancelled'", (job_id,))
            self._db.execute("COMMIT")

    def purge(self, job_id: str) -> None:
        """The job gone: its inputs, results, counters and any upload file it kept."""
        self.set_state(job_id, "cancelled")  # a reader or runner still at work on it stops
        with self._lock:
            row = self._db.execute("SELECT source FROM jobs WHERE id = ?", (job_id,)).fetchone()
        self.delete(job_id)
        if row and row[0]:
            Path(row[0]).unlink(missing_ok=True)
        self.on_change(job_id)

    def expire(self, finished_before: float) -> int:
        """Purge jobs that ended before ``finished_before`` (a timestamp); returns how many."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT id FROM jobs WHERE state IN {TERMINAL} AND finished < ?", (finished_before,)
            ).fetchall()
        for (job_id,) in rows:
            self.purge(job_id)
        return len(rows)

    def delete(self, job_id: str) -> None:
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._db.execute("BEGIN")
            for table, column in (
                ("job_errors", "job_id"),
                ("job_results", "job_id"),
                ("job_inputs", "job_id"),
                ("jobs", "id"),
            ):
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (job_id,))
            self._db.execute("COMMIT")

    def get(self, job_id: str, owner: str | None = None, *, any_owner: bool = False) -> Job | None:
        """The job, if ``owner`` created it (``any_owner``: the runner, which serves every owner)."""
        with self._lock:
            row = self._db.execute(f"SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None or (not any_owner and row[11] != owner):
            return None
        return self._job(row)

    def recent(self, owner: str | None, limit: int) -> list[Job]:
        """The owner's latest jobs, newest first (without keys every job has the owner ``None``)."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE owner IS ? ORDER BY created DESC LIMIT ?", (owner, limit)
            ).fetchall()
        return [self._job(row) for row in rows]

    def _job(self, row: tuple[Any, ...]) -> Job:
        job_id, state, total, done, failed, duplicates, created, started, finished, error, options, owner, name = row
        job = Job(
            job_id,
            state,
            total,
            done,
            failed,
            duplicates,
            created,
            started,
            finished,
            error,
            JobOptions.from_json(options),
            name,
            owner=owner,
        )
        if failed:  # counters kept as results are saved: one small read, whatever the job's size
            with self._lock:
                job.errors = dict(
                    self._db.execute(
                        "SELECT code, count FROM job_errors WHERE job_id = ? ORDER BY 2 DESC", (job_id,)
                    ).fetchall()
                )
        return job

    def active(self) -> list[str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id FROM jobs WHERE state IN ('queued', 'running') ORDER BY created"
            ).fetchall()
        return [r[0] for r in rows]

    def set_state(self, job_id: str, state: str, error: str | None = None) -> None:
        now = time.time()
        with self._lock:
            if state == "running":
                self._db.execute(
                    "UPDATE jobs SET state = ?, started = COALESCE(started, ?) WHERE id = ? AND state IN "
                    "('queued', 'running')",
                    (state, now, job_id),
                )
            elif state in TERMINAL:
                self._db.execute(
                    "UPDATE jobs SET state = ?, finished = ?, error = ? "
                    "WHERE id = ? AND state IN ('reading', 'queued', 'running')",
                    (state, now, error, job_id),
                )
        self.on_change(job_id)

    def requeue_running(self) -> int:
        """Running jobs back to queued (at shutdown); returns how many."""
        with self._lock:
            return self._db.execute("UPDATE jobs SET state = 'queued' WHERE state = 'running'").rowcount

    def pending(self, job_id: str, limit: int) -> list[InputRecord]:
        """Inputs without a result yet, in submission order."""
        with self._lock:
            rows = self._db.execute(
                "SELECT i.record_id, i.text, i.error, i.meta FROM job_inputs i LEFT JOIN job_results r "
                "ON r.job_id = i.job_id AND r.record_id = i.record_id "
                "WHERE i.job_id = ? AND r.record_id IS NULL ORDER BY i.seq LIMIT ?",
                (job_id, limit),
            ).fetchall()
        return [
            InputRecord(r[0], r[1], tuple(json.loads(r[2])) if r[2] else None, json.loads(r[3]) if r[3] else None)
            for r in rows
        ]

    def save(self, job_id: str, results: list[dict[str, Any]]) -> None:
        """Store a batch of results and the job's counters in one transaction (idempotent)."""
        saved, added, codes = 0, 0, Counter[str | None]()
        with self._lock:
            self._db.execute("BEGIN")
            for result in results:
                line = json.dumps(result, ensure_ascii=False)
                inserted = self._db.execute(
                    "INSERT OR IGNORE INTO job_results SELECT job_id, record_id, seq, ?, ? FROM job_inputs "
                    "WHERE job_id = ? AND record_id = ?",
                    (line, int("error" in result), job_id, result["id"]),
                ).rowcount
                saved += inserted  # 0 for a result saved before (a rerun after a crash): counted once
                added += _size(line) if inserted else 0
                if inserted and "error" in result:
                    error = result["error"]
                    codes[error.get("code") if isinstance(error, dict) else None] += 1
            self._db.execute(
                "UPDATE jobs SET done = done + ?, failed = failed + ?, result_bytes = result_bytes + ? WHERE id = ?",
                (saved, sum(codes.values()), added, job_id),
            )
            self._db.executemany(
                "INSERT INTO job_errors VALUES (?, ?, ?) "
                "ON CONFLICT (job_id, code) DO UPDATE SET count = count + excluded.count",
                [(job_id, code, count) for code, count in codes.items()],
            )
            self._db.execute("COMMIT")
        self.on_change(job_id)

    def results(self, job_id: str, page: int = 500) -> Iterator[str]:
        """Result lines in submission order, read a page at a time (no whole job in memory)."""
        last = -1
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT seq, result FROM job_results WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT ?",
                    (job_id, last, page),
                ).fetchall()
            if not rows:
                return
            for seq, result in rows:
                last = seq
                yield result + "\n"
