"""Runs archive jobs through the server's gateway, at background priority, one at a time; and reads
uploaded files into their jobs after the upload was answered (page extraction is the slow part)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

from tomtat.models.errors import ModelUnavailableError
from tomtat.service.archive.core import bounded_records, process_records
from tomtat.service.archive.records import read_records
from tomtat.service.jobs.lease import RunnerLease
from tomtat.service.jobs.store import ACTIVE, JobOptions, JobStore, ReadingStopped
from tomtat.service.runtime.gateway import Gateway
from tomtat.service.runtime.pool import ModelPool

log = logging.getLogger("tomtat.jobs")
# a batch's characters against its key's budget: 0 when charged, else the seconds to wait first
Pace = Callable[[str | None, int], float]
BACKGROUND = 1  # batch-worker priority: waits while interactive requests are queued
LEASE_RETRY_SECONDS = 2.0  # how often a server without the runner lease tries to take it, and looks for jobs
EXPIRY_CHECK_SECONDS = 60.0  # how often the lease holder deletes jobs past the retention setting


class JobRunner:
    """Runs active jobs one at a time through the shared batch workers, at background priority."""

    def __init__(
        self,
        store: JobStore,
        pool: ModelPool,
        gateway: Gateway,
        chunk: int,
        max_records: int | None = None,
        max_chars: int | None = None,
        retention_seconds: int = 0,
        pace: Pace | None = None,
    ) -> None:
        self.store = store
        self.pool = pool
        self.gateway = gateway
        self.chunk = chunk
        self.max_records = max_records
        self.max_chars = max_chars  # the server's limit for one text holds for job records too
        self.retention_seconds = retention_seconds  # 0: finished jobs are kept
        self._expired_at = float("-inf")
        self.pace = pace or (lambda owner, characters: 0.0)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._readers: set[asyncio.Task[None]] = set()
        self._stopping = False
        self.lease = RunnerLease(store.path.with_name("jobs.lock"))

    def start(self) -> None:
        if not self.lease.acquire():
            log.info("another server runs the jobs of %s; this one takes over when it stops", self.store.path.parent)
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="job-runner")

    async def _resume_reading(self) -> None:
        """Uploads a previous process had not finished reading (the lease holder's work: one reader each)."""
        for job_id, source in await asyncio.to_thread(self.store.reading):
            if self._is_reading(job_id):
                continue
            job = await asyncio.to_thread(self.store.get, job_id, any_owner=True)
            if job is not None and source is not None and source.is_file():
                self.read_upload(job_id, source, job.options)
            else:
                message = "the server stopped before the upload was read; send the file again"
                await asyncio.to_thread(self.store.fail_reading, job_id, message)

    def _is_reading(self, job_id: str) -> bool:
        return any(task.get_name() == f"job-reader-{job_id}" for task in self._readers)

    def read_upload(
        self, job_id: str, source: Path, options: JobOptions, admit: Callable[[int, int], None] | None = None
    ) -> None:
        """Read an uploaded file's records into its job, off the event loop; the job is queued when done,
        failed (with why) when the file cannot be read or is refused (too many records, the key's quota).
        Only the lease holder reads uploads: another server's upload is read by the holder's loop."""
        if not self.lease.held or self._is_reading(job_id):  # one reader per upload
            return
        reading = self._read(job_id, source, options, admit)
        task = asyncio.get_running_loop().create_task(reading, name=f"job-reader-{job_id}")
        self._readers.add(task)
        task.add_done_callback(self._readers.discard)

    async def _read(
        self, job_id: str, source: Path, options: JobOptions, admit: Callable[[int, int], None] | None
    ) -> None:
        def stop() -> bool:
            return self._stopping or self.store.state_of(job_id) != "reading"  # shutting down, or cancelled

        def read() -> None:
            records = bounded_records(
                read_records(source, options.text_field, options.id_field), self.max_chars, options.text_format
            )
            self.store.fill(job_id, records, max_records=self.max_records, admit=admit, should_stop=stop)

        try:
            await asyncio.to_thread(read)
        except ReadingStopped:
            if (
                await asyncio.to_thread(self.store.state_of, job_id) != "reading"
            ):  # cancelled: nothing will read the file again
                source.unlink(missing_ok=True)
            return  # shutting down: the file is kept and read again on the next start
        except Exception as error:  # noqa: BLE001 - the job says why; the server goes on
            log.info("upload of job %s refused: %s", job_id, error)
            await asyncio.to_thread(self.store.fail_reading, job_id, str(error))
            source.unlink(missing_ok=True)
            return
        source.unlink(missing_ok=True)
        self.wake()

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
        if self._readers:  # each stops after the chunk of records it is reading
            await asyncio.wait(set(self._readers), timeout=max(grace, 1.0))
        if self.pool.loading:
            grace = 0.0  # no batch can be in the model yet
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except (TimeoutError, asyncio.CancelledError):
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if not self.lease.held:
            return  # the running jobs are another server's
        requeued = await asyncio.to_thread(self.store.requeue_running)
        self.lease.release()
        if requeued:
            log.info("shutdown: %d unfinished job(s) saved as queued; they resume on the next start", requeued)

    async def _loop(self) -> None:
        await self.pool.wait_loaded()  # resumed jobs run on the same models they were accepted for
        while not self._stopping:
            if not self.lease.acquire():
                await self._idle()
                continue
            await self._resume_reading()
            await self._expire()
            self._wake.clear()  # before the pass: a job sent during it wakes the next one
            waits: list[float | None] = []
            for job_id in await asyncio.to_thread(self.store.active):
                if self._stopping:
                    return
                try:
                    waits.append(await self._run(job_id))
                except asyncio.CancelledError:
                    raise
                except Exception as error:
                    log.exception("job %s failed", job_id)
                    await asyncio.to_thread(self.store.set_state, job_id, "failed", str(error))
            if waits and None not in waits:  # every job waits for its key's budget: until the first may go
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=min(w for w in waits if w is not None))
            elif not self._stopping and not await asyncio.to_thread(self.store.active):
                await self._idle()

    async def _expire(self) -> None:
        """Delete finished jobs older than the retention setting (checked once a minute at most)."""
        now = time.time()
        if not self.retention_seconds or now - self._expired_at < EXPIRY_CHECK_SECONDS:
            return
        self._expired_at = now
        if expired := await asyncio.to_thread(self.store.expire, now - self.retention_seconds):
            log.info(
                "deleted %d job(s) finished more than %d s ago (TOMTAT_JOB_RETENTION_SECONDS)",
                expired,
                self.retention_seconds,
            )

    async def _idle(self) -> None:
        """Until woken (a job here), or a while (a job another server accepted, the lease freed)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=LEASE_RETRY_SECONDS)

    async def _run(self, job_id: str) -> float | None:
        """Run the job's batches until it ends (None) or its key's characters per minute are spent:
        then the seconds until it may go on, and the runner turns to the next job meanwhile."""
        job = await asyncio.to_thread(self.store.get, job_id, any_owner=True)
        if job is None or job.state not in ACTIVE:
            return None
        options = job.options
        try:
            self.pool.summary_worker(options.plan)  # the model the job was accepted for is loaded here
        except ModelUnavailableError as error:
            await asyncio.to_thread(self.store.set_state, job_id, "failed", str(error))
            return None
        await asyncio.to_thread(self.store.set_state, job_id, "running")
        while not self._stopping:
            current = await asyncio.to_thread(self.store.get, job_id, any_owner=True)
            if current is None or current.state not in ACTIVE:
                return None  # cancelled meanwhile
            records = await asyncio.to_thread(self.store.pending, job_id, self.chunk)
            if not records:
                await asyncio.to_thread(self.store.set_state, job_id, "done")
                return None
            characters = sum(len(record.text or "") for record in records)
            if wait := await asyncio.to_thread(self.pace, job.owner, characters):
                return wait  # over the key's characters per minute: paced, never refused
            # the record core: page extraction and language checks in a thread, each record its own result
            record_options = options.record_options(self.max_chars)
            finished = await process_records(records, self.gateway, record_options, BACKGROUND)
            await asyncio.to_thread(self.store.save, job_id, finished)
        return None  # stopping: the job is queued again
