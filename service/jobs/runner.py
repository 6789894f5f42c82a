"""Runs archive jobs through the server's gateway, at background priority, one at a time."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tomtat.models.errors import ModelUnavailableError
from tomtat.service.archive.core import process_records
from tomtat.service.jobs.store import ACTIVE, JobStore
from tomtat.service.runtime.gateway import Gateway
from tomtat.service.runtime.pool import ModelPool

log = logging.getLogger("tomtat.jobs")
BACKGROUND = 1  # batch-worker priority: waits while interactive requests are queued


class JobRunner:
    """Runs active jobs one at a time through the shared batch workers, at background priority."""

    def __init__(self, store: JobStore, pool: ModelPool, gateway: Gateway, chunk: int) -> None:
        self.store = store
        self.pool = pool
        self.gateway = gateway
        self.chunk = chunk
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
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
        if self.pool.loading:
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
        await self.pool.wait_loaded()  # resumed jobs run on the same models they were accepted for
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
        job = self.store.get(job_id, any_owner=True)
        if job is None or job.state not in ACTIVE:
            return
        options = job.options
        try:
            self.pool.summary_worker(options.plan)  # the model the job was accepted for is loaded here
        except ModelUnavailableError as error:
            self.store.set_state(job_id, "failed", str(error))
            return
        self.store.set_state(job_id, "running")
        while not self._stopping:
            current = self.store.get(job_id, any_owner=True)
            if current is None or current.state not in ACTIVE:
                return  # cancelled meanwhile
            records = self.store.pending(job_id, self.chunk)
            if not records:
                self.store.set_state(job_id, "done")
                return
            # the record core: page extraction and language checks in a thread, each record its own result
            finished = await process_records(records, self.gateway, options.record_options(), BACKGROUND)
            await asyncio.to_thread(self.store.save, job_id, finished)
