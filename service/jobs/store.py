"""Archive jobs over HTTP: inputs, state and results in one SQLite file, so a restart resumes them.

Exactly-once: a result row's key is (job, record id) and a batch's results are committed together
with the job's counters; after a crash the records without a result are simply run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from tomtat.service.archive.pipeline import summary_result, validate_records
from tomtat.service.archive.records import InputRecord

log = logging.getLogger("tomtat.jobs")
ACTIVE = ("queued", "running")
TERMINAL = ("done", "cancelled", "failed")

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, state TEXT NOT NULL, options TEXT NOT NULL, total INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, started REAL, finished REAL, error TEXT
);
CREATE TABLE IF NOT EXISTS job_inputs (
    job_id TEXT NOT NULL, seq INTEGER NOT NULL, record_id TEXT NOT NULL, text TEXT, error TEXT,
    PRIMARY KEY (job_id, seq)
);
CREATE TABLE IF NOT EXISTS job_results (
    job_id TEXT NOT NULL, record_id TEXT NOT NULL, seq INTEGER NOT NULL, result TEXT NOT NULL,
    failed INTEGER NOT NULL, PRIMARY KEY (job_id, record_id)
);
"""


@dataclass
class JobOptions:
    worker: str  # the batch worker (summarizer) chosen when the job was accepted
    key: object  # that worker's batch key (decoding overrides, or sentence count)
    translate_to: str | None = None
    allow_any_language: bool = False


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
    options: dict


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

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(self, options: JobOptions, records: Iterable[InputRecord]) -> Job:
        job_id = uuid.uuid4().hex
        seen: set[str] = set()
        duplicates = 0
        with self._lock:
            self._db.execute("BEGIN")
            seq = 0
            for record in records:
                if record.id in seen:
                    duplicates += 1  # reported in the job, never merged
                    continue
                seen.add(record.id)
                error = json.dumps(record.error) if record.error else None
                self._db.execute(
                    "INSERT INTO job_inputs VALUES (?, ?, ?, ?, ?)", (job_id, seq, record.id, record.text, error)
                )
                seq += 1
            self._db.execute(
                "INSERT INTO jobs (id, state, options, total, duplicates, created) VALUES (?, 'queued', ?, ?, ?, ?)",
                (job_id, json.dumps(asdict(options)), seq, duplicates, time.time()),
            )
            self._db.execute("COMMIT")
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, state, total, done, failed, duplicates, created, started, finished, error, options "
                "FROM jobs WHERE id = ?",
                (job_id,),
            ).fetchone()
        if row is None:
            return None
        return Job(*row[:10], options=json.loads(row[10]))

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
                "SELECT i.record_id, i.text, i.error FROM job_inputs i LEFT JOIN job_results r "
                "ON r.job_id = i.job_id AND r.record_id = i.record_id "
                "WHERE i.job_id = ? AND r.record_id IS NULL ORDER BY i.seq LIMIT ?",
                (job_id, limit),
            ).fetchall()
        return [InputRecord(r[0], r[1], tuple(json.loads(r[2])) if r[2] else None) for r in rows]

    def save(self, job_id: str, results: list[dict]) -> None:
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


class JobRunner:
    """Runs active jobs one at a time through the shared batch workers, at background priority."""

    def __init__(self, store: JobStore, engines: object, chunk: int) -> None:
        self.store = store
        self.engines = engines  # service.state.Engines
        self.chunk = chunk
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="job-runner")

    def wake(self) -> None:
        self._wake.set()

    async def stop(self, grace: float = 0.0) -> None:
        """Let the batch in the model finish and be saved (up to ``grace`` seconds), then stop.

        Jobs left unfinished go back to ``queued``: their inputs and saved results are in SQLite,
        so the next start runs exactly the records without a result.
        """
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        if getattr(self.engines, "loading", False):
            grace = 0.0  # no batch can be in the model yet
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        requeued = await asyncio.to_thread(self.store.requeue_running)
        if requeued:
            log.info("shutdown: %d unfinished job(s) saved as queued; they resume on the next start", requeued)

    async def _loop(self) -> None:
        await self.engines.wait_loaded()  # resumed jobs run on the same models they were accepted for
        while not self._stopping:
            for job_id in self.store.active():
                if self._stopping:
                    return
                try:
                    await self._run(job_id)
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log.exception("job %s failed", job_id)
                    self.store.set_state(job_id, "failed", str(error))
            self._wake.clear()
            if not self.store.active() and not self._stopping:
                await self._wake.wait()

    async def _run(self, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is None or job.state not in ACTIVE:
            return
        options = JobOptions(**job.options)
        worker = self.engines.workers.get(options.worker)
        if worker is None:
            self.store.set_state(job_id, "failed", f"{options.worker} is not loaded on this server")
            return
        key = tuple(tuple(k) for k in options.key) if isinstance(options.key, list) else options.key
        self.store.set_state(job_id, "running")
        while not self._stopping:
            current = self.store.get(job_id)
            if current is None or current.state not in ACTIVE:
                return  # cancelled meanwhile
            records = self.store.pending(job_id, self.chunk)
            if not records:
                self.store.set_state(job_id, "done")
                return
            results, valid = validate_records(records, options.allow_any_language)
            if valid:
                started = time.perf_counter()
                texts = [text for _, text in valid]
                summaries, _ = await worker.submit(texts, key, sum(len(t) for t in texts) // 4, priority=1)
                english: list[str | None] = [None] * len(summaries)
                if options.translate_to:
                    translation = self.engines.workers["translation"]
                    translated, _ = await translation.submit(
                        [s.summary for s in summaries], ("vi", options.translate_to, ()), 0, priority=1
                    )
                    english = [t.translation for t in translated]
                seconds = time.perf_counter() - started
                for (index, _), summary, summary_en in zip(valid, summaries, english, strict=True):
                    results[index] = summary_result(
                        records[index].id, summary, summary_en, seconds, bool(options.translate_to)
                    )
            await asyncio.to_thread(self.store.save, job_id, [r for r in results if r is not None])
