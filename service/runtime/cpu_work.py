"""Where the CPU work around the model runs: reading articles, language checks, faithfulness flags.

By default in threads of this process (``asyncio.to_thread``): under its GIL, so it shares one core with
the tokenizing, detokenizing and writing this process also does. With ``workers`` it runs in a pool of
worker processes instead, on the cores the model leaves free (a GPU host has many; the model needs
one), while this process keeps feeding the model. The work itself is the same functions either way:
their results are identical, only where they run changes.
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from tomtat.models.backends import usable_cores

T = TypeVar("T")

MAX_AUTO_WORKERS = 8  # past this the main process feeding the model is the limit, not the CPU work


def auto_workers(model_cores: int) -> int:
    """Worker processes for the CPU work: the cores the model leaves free (scripts/pipeline_benchmark.py:
    one beside a model on one of two cores is a little faster than threads); none when the model uses
    every core (CTranslate2's default on CPU), so a machine with no core to spare runs as before."""
    return max(0, min(MAX_AUTO_WORKERS, usable_cores() - model_cores))


def _warm() -> None:
    """Import what the work needs once per worker, so the first batch does not pay for it."""
    for module in ("tomtat.models.facts", "tomtat.service.archive.articles"):
        importlib.import_module(module)
    from tomtat.models.langdetect import detect_language

    detect_language("The first batch need not load langdetect's profiles.")


class CpuWork:
    """Runs a module-level function with picklable arguments, in a thread or in a worker process."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        self._started: list[Future[int]] = []
        if workers > 0:
            # spawn, not fork: this process runs model threads (CTranslate2, torch), which a fork copies
            # in whatever state they are in
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm)
            # started now (each warms up), not on the first batch
            self._started = [self._pool.submit(int) for _ in range(workers)]

    def wait_started(self) -> None:
        """Block until the worker processes have started and warmed up (benchmarks time work, not that)."""
        for future in self._started:
            future.result()

    async def run(self, function: Callable[..., T], *args: object) -> T:
        if self._pool is None:
            return await asyncio.to_thread(function, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


IN_THREADS = CpuWork()  # the default: threads of this process, nothing to close
