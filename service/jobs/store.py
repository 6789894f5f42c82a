"""Archive jobs' SQLite file: inputs, state and results, so a restart resumes them.

Exactly-once: a result row's key is (job, record id) and a batch's results are committed together
with the job's counters; after a crash the records without a result are simply run again. A job
belongs to the API key that created it: any other key is told it does not exist.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tomtat.service.archive.articles import Format
from tomtat.service.archive.core import RecordOptions
from tomtat.service.archive.records import InputRecord
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


@dataclass(frozen=True)
class JobOptions:
    plan: SummaryPlan  # the worker and batch key chosen when the job was accepted
    translate_to: str | None = None
    allow_any_language: bool = False
    text_format: Format = "auto"  # how each record's text is read (plain text, HTML, or HTML when it looks like it)

    def to_json(self) -> str:
        options = {"translate_to": self.translate_to, "allow_any_language": self.allow_any_language}
        return json.dumps({"plan": self.plan.to_json(), **options, "format": self.text_format})

    @classmethod
    def from_json(cls, text: str) -> JobOptions:
        data = json.loads(text)
        plan = SummaryPlan.from_json(data["plan"])
        # jobs stored before the format option read their records as they were: plain text
        return cls(plan, data["translate_to"], data["allow_any_language"], data.get("format", "text"))

    def record_options(self) -> RecordOptions:
        return RecordOptions(self.plan, self.translate_to, self.allow_any_language, text_format=self.text_format)


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


class TooManyRecords(ValueError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} records per job")


class JobStore:
    """The SQLite file behind the jobs API; safe to use from the event loop and worker threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(jobs)")}
        for column in ("owner", "name", "upload_hash"):  # a database from before jobs had these
            if column not in columns:
                self._db.execute(f"ALTER TABLE jobs ADD COLUMN {column} TEXT")
        if "meta" not in {row[1] for row in self._db.execute("PRAGMA table_info(job_inputs)")}:
            self._db.execute("ALTER TABLE job_inputs ADD COLUMN meta TEXT")  # from before web-page inputs
        self._db.execute("CREATE INDEX IF NOT EXISTS jobs_by_owner ON jobs (owner, created)")
        self._db.execute("CREATE UNIQUE INDEX IF NOT EXISTS job_inputs_by_id ON job_inputs (job_id, record_id)")
        for (job_id,) in self._db.execute("SELECT id FROM jobs WHERE state = 'uploading'").fetchall():
            self.delete(job_id)  # a process stopped mid-upload: its client never got a job id

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(
        self,
        options: JobOptions,
        records: Iterable[InputRecord],
        owner: str | None = None,
        name: str | None = None,
        *,
        max_records: int | None = None,
        upload_hash: str | None = None,
        admit: Callable[[int, int], None] | None = None,
    ) -> Job:
        """Store a job's records, streamed in chunks (flat memory for any size), then queue it.

        While its records go in, the job is ``uploading`` (the runner ignores it). A repeated id is
        counted in ``duplicates`` and skipped (the first occurrence is kept). ``admit(records,
        characters)`` may refuse the job once everything is read (a key's quota); then, as over
        ``max_records`` or on any error, the job and its records are removed."""
        job_id = uuid.uuid4().hex
        with self._lock:
            self._db.execute(
                "INSERT INTO jobs (id, state, options, total, created, owner, name, upload_hash) "
                "VALUES (?, 'uploading', ?, 0, ?, ?, ?, ?)",
                (job_id, options.to_json(), time.time(), owner, name, upload_hash),
            )
        seq = duplicates = characters = 0
        pending = (r for r in records if r.skipped is None)  # a crawl's non-pages are no job records
        try:
            while chunk := list(itertools.islice(pending, INSERT_CHUNK)):
                with self._lock:
                    self._db.execute("BEGIN")
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
                    self._db.execute("COMMIT")
                if max_records is not None and seq > max_records:
                    raise TooManyRecords(max_records)
            if admit is not None:
                admit(seq, characters)
        except BaseException:
            self.delete(job_id)
            raise
        with self._lock:
            self._db.execute(
                "UPDATE jobs SET state = 'queued', total = ?, duplicates = ? WHERE id = ?", (seq, duplicates, job_id)
            )
        job = self.get(job_id, owner)
        assert job is not None
        return job

    def delete(self, job_id: str) -> None:
        with self._lock:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            self._db.execute("BEGIN")
            for table, column in (("job_results", "job_id"), ("job_inputs", "job_id"), ("jobs", "id")):
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (job_id,))
            self._db.execute("COMMIT")

    def find_upload(self, owner: str | None, upload_hash: str, options: JobOptions) -> Job | None:
        """The caller's job from the same file with the same options, unless it failed or was cancelled:
        a file sent again (a retry after a lost answer) is not a second job."""
        with self._lock:
            row = self._db.execute(
                f"SELECT {JOB_COLUMNS} FROM jobs WHERE owner IS ? AND upload_hash = ? AND options = ? "
                "AND state IN ('queued', 'running', 'done') ORDER BY created DESC LIMIT 1",
                (owner, upload_hash, options.to_json()),
            ).fetchone()
        return self._job(row) if row else None

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
        job_id, state, total, done, failed, duplicates, created, started, finished, error, options, _, name = row
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
        )
        if failed:
            with self._lock:
                job.errors = dict(
                    self._db.execute(
                        "SELECT json_extract(result, '$.error.code'), COUNT(*) FROM job_results "
                        "WHERE job_id = ? AND failed = 1 GROUP BY 1 ORDER BY 2 DESC",
                        (job_id,),
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
                    "WHERE id = ? AND state IN ('queued', 'running')",
                    (state, now, error, job_id),
                )

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
        with self._lock:
            self._db.execute("BEGIN")
            for result in results:
                self._db.execute(
                    "INSERT OR IGNORE INTO job_results SELECT job_id, record_id, seq, ?, ? FROM job_inputs "
                    "WHERE job_id = ? AND record_id = ?",
                    (json.dumps(result, ensure_ascii=False), int("error" in result), job_id, result["id"]),
                )
            self._db.execute(
                "UPDATE jobs SET done = (SELECT COUNT(*) FROM job_results WHERE job_id = ?), "
                "failed = (SELECT COUNT(*) FROM job_results WHERE job_id = ? AND failed = 1) WHERE id = ?",
                (job_id, job_id, job_id),
            )
            self._db.execute("COMMIT")

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
