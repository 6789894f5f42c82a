"""Dynamic batching: requests that arrive within a short window are merged into one model batch.

One worker per capability pulls from a bounded queue, groups compatible requests (same options),
runs the model-layer call in a thread (the event loop stays free) and hands every caller its own
results, in order. A request whose caller went away (future cancelled) is dropped before it runs.

No model batch is larger than ``max_batch_size`` texts / ``max_batch_tokens`` tokens: a request is cut
into pieces that fit, and the worker takes next the piece of the request it has served least (a new
request before the rest of one in progress; among equals, the oldest), interactive requests before
background ones, so a short request waits for the batches already in the model, not for the rest of a
64-text request or of an archive job (CTranslate2 has no step-level API: fairness comes from here).

Where several batches run at once (CTranslate2 on CPU: one per core), the last free one is kept for
short interactive requests (ones that fit one batch) while they keep coming (one was seen in the last
``keep_lane_seconds``): an editor's request then starts at once instead of waiting for a 16-text batch
to end. Without short requests every lane serves bulk work, so archive throughput alone is unchanged.
The first short request after a quiet spell finds every lane busy with bulk work: a bulk batch is
then stopped at its next token (``stop``; one that is decoding, rather than in its encoder pass) and its
texts go back to the queue, so that request waits one decoding step instead of a whole batch
(batches that stream or carry short requests are never stopped: what was streamed cannot be taken back).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from tomtat.models.streaming import Delta, OnDelta, StopSignal
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.keys import BatchKey

Key = TypeVar("Key", bound=BatchKey)  # what a batch's texts share (options): equal keys can share a batch
Result = TypeVar("Result")  # one text's answer (a Summary, a Translation)
KeyIn = TypeVar("KeyIn", bound=BatchKey, contravariant=True)
ResultOut = TypeVar("ResultOut", covariant=True)


class RunBatch(Protocol[KeyIn, ResultOut]):
    """(texts, the batch's key, where generated text goes, an event that ends generation early; or None)
    -> one result per text, in order (partial ones once ``stop`` is set: the worker discards them)."""

    def __call__(
        self, texts: list[str], key: KeyIn, on_delta: OnDelta | None, stop: StopSignal | None, /
    ) -> Sequence[ResultOut]: ...


class QueueFullError(Exception):
    """The worker's queue is full: the caller should retry later (HTTP 429 with Retry-After)."""

    def __init__(self, worker: str, retry_after: int) -> None:
        super().__init__(f"the {worker} queue is full; retry in {retry_after} s")
        self.retry_after = retry_after


@dataclass
class WorkItem(Generic[Key, Result]):
    """One piece of a request, within the batch budgets."""

    texts: list[str]
    key: Key  # requests with equal keys (same options) can share a batch
    tokens: int
    future: asyncio.Future[tuple[list[Result], BatchTiming]]
    enqueued: float = field(default_factory=time.perf_counter)
    priority: int = 0
    on_delta: OnDelta | None = None  # the request's text as generated (on the event loop)
    offset: int = 0  # where the piece's texts start in its request (for ``on_delta``'s indices)
    short: bool = False  # the whole of an interactive request that fits one batch (an editor's)


@dataclass
class QueuedRequest(Generic[Key, Result]):
    pieces: deque[WorkItem[Key, Result]]  # not taken yet, in order
    served: int = 0  # pieces already taken: the least served request goes first
    short: bool = False  # an editor's request: may take the lane kept for them


@dataclass
class RunningBatch(Generic[Key, Result]):
    items: list[WorkItem[Key, Result]]
    stop: StopSignal = field(default_factory=StopSignal)  # set: it ends early and is run again

    @property
    def stoppable(self) -> bool:
        """Bulk work only: nothing streamed (it cannot be taken back) and no editor's request in it."""
        return not any(item.short or item.on_delta for item in self.items)


@dataclass
class BatchTiming:
    queue_ms: float
    model_ms: float
    batch_texts: int


class BatchWorker(Generic[Key, Result]):
    """Collects work items for up to ``max_wait_ms`` (or until a size/token budget fills) and runs them."""

    def __init__(
        self,
        name: str,
        run_batch: RunBatch[Key, Result],
        metrics: Metrics,
        *,
        max_wait_ms: float,
        max_batch_size: int,
        max_batch_tokens: int,
        max_queue: int,
        concurrency: int = 1,
        shared_slots: asyncio.Semaphore | None = None,
        executor: Executor | None = None,
        keep_lane_seconds: float = 60.0,
    ) -> None:
        """``concurrency``: batches in the model at once; more than one when the backend runs
        batches in parallel (CTranslate2 on CPU: one per core), so no core idles at a batch's tail.
        ``shared_slots``: a limit shared with the other models' workers, so that a summarizer and a
        translator busy at once do not run twice as many batches as there are cores (each running
        batch holds its own buffers: on CPU, hundreds of MB). ``executor``: where batches run (the
        pool's own threads, so no check or file parsing on the default pool can delay them).
        ``keep_lane_seconds``: how long after a short request the last lane stays kept for them (0: never)."""
        self.name = name
        self.run_batch = run_batch
        self.metrics = metrics
        self.max_wait = max_wait_ms / 1000
        self.max_batch_size = max_batch_size
        self.max_batch_tokens = max_batch_tokens
        self.max_queue = max_queue
        self.concurrency = max(1, concurrency)
        self.shared_slots = shared_slots
        self.executor = executor
        self._running: dict[asyncio.Task[None], RunningBatch[Key, Result]] = {}
        # interactive requests first, archive jobs (priority 1) only when no interactive one waits
        self._queues: tuple[list[QueuedRequest[Key, Result]], list[QueuedRequest[Key, Result]]] = ([], [])
        self._available = asyncio.Event()
        self.queued_texts = 0
        self._task: asyncio.Task[None] | None = None
        self._carry: WorkItem[Key, Result] | None = None  # an item that did not fit the last batch
        self.keep_lane_seconds = keep_lane_seconds
        self._last_short = float("-inf")  # when a short interactive request last arrived
        self._lane_freed = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(), name=f"batcher-{self.name}")

    async def stop(self, timeout: float | None = None) -> bool:
        """Stop taking work; batches already in the model finish and answer their callers, for up to
        ``timeout`` seconds. False when one was still in the model then (the process may exit anyway)."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._running:
            _, running = await asyncio.wait(set(self._running), timeout=timeout)
            return not running
        return True

    async def submit(
        self, texts: list[str], key: Key, tokens: int, priority: int = 0, on_delta: OnDelta | None = None
    ) -> tuple[list[Result], BatchTiming]:
        """Queue ``texts`` and wait for their results; raises ``QueueFullError`` when over capacity.

        ``priority`` 0 is interactive; 1 is background work (jobs), which waits while interactive
        requests are queued and is not counted against the interactive queue's capacity. A request
        larger than the whole queue is taken when the queue is empty (it would never fit otherwise).
        ``on_delta`` receives the texts' output as it is generated, on this event loop (indices into
        ``texts``), where the model streams.
        """
        queued = self.queued_texts
        if priority == 0 and queued + len(texts) > self.max_queue and (queued or len(texts) <= self.max_queue):
            self.metrics.rejected.labels("queue_full").inc()
            raise QueueFullError(self.name, retry_after=max(1, round(queued / max(1, self.max_batch_size))))
        loop = asyncio.get_running_loop()
        pieces: list[WorkItem[Key, Result]] = []
        for part, part_tokens in self._pieces(texts, tokens):
            offset = sum(len(piece.texts) for piece in pieces)
            future = loop.create_future()
            pieces.append(WorkItem(part, key, part_tokens, future, priority=priority, on_delta=on_delta, offset=offset))
        short = priority == 0 and len(pieces) == 1  # an editor's or a reader's request: one batch's worth
        if short:
            pieces[0].short = True
            self._last_short = time.monotonic()
        if priority == 0:
            self._count_queued(len(texts))
        self._queues[min(priority, 1)].append(QueuedRequest(deque(pieces), short=short))
        self._available.set()
        if short:
            self._make_room()
        try:
            answers = await asyncio.gather(*(piece.future for piece in pieces))
        except BaseException:
            for piece in pieces:  # the caller left or a piece failed: the rest is not run
                piece.future.cancel()
            raise
        results = [result for part, _ in answers for result in part]
        timings = [timing for _, timing in answers]
        return results, BatchTiming(
            timings[0].queue_ms, sum(t.model_ms for t in timings), max(t.batch_texts for t in timings)
        )

    def _count_queued(self, texts: int) -> None:
        """Interactive texts waiting (what admission control counts), and its gauge."""
        self.queued_texts += texts
        self.metrics.queue_depth.labels(self.name).set(self.queued_texts)

    def _make_room(self) -> None:
        """A short request while every lane serves bulk work (no lane was kept: the first after a quiet
        spell): a bulk batch ends at its next token and goes back to the queue."""
        running = list(self._running.values())
        if self.concurrency < 2 or len(running) < self.concurrency:
            return  # one lane is all there is (nothing is kept), or a lane is free
        if any(batch.stop.is_set() or any(item.short for item in batch.items) for batch in running):
            return  # a lane is being freed, or serves editors already (their batches are short)
        stoppable = [batch for batch in running if batch.stoppable]
        # one that is decoding ends at its next token; one in its encoder pass only after that pass
        # (about a second for 16 texts on a CPU core); among equals, the last started: the least work to redo
        decoding = [batch for batch in stoppable if batch.stop.decoding()]
        if decoding or stoppable:
            (decoding or stoppable)[-1].stop.set()

    def _requeue(self, items: list[WorkItem[Key, Result]]) -> None:
        """A stopped batch's pieces, back at the head of their queues (as once served: a waiting short
        request still goes first); nobody's answer is lost or reordered (each piece has its future)."""
        for priority in (0, 1):
            pieces = [item for item in items if min(item.priority, 1) == priority and not item.future.done()]
            if not pieces:
                continue
            if priority == 0:
                self._count_queued(sum(len(item.texts) for item in pieces))
            self._queues[priority].insert(0, QueuedRequest(deque(pieces), served=1))
        self._available.set()

    def _pieces(self, texts: list[str], tokens: int) -> list[tuple[list[str], int]]:
        """``texts`` cut into runs within the batch budgets; ``tokens`` shared out by length."""
        if len(texts) <= self.max_batch_size and tokens <= self.max_batch_tokens:
            return [(texts, tokens)]
        total_chars = max(1, sum(len(text) for text in texts))
        pieces: list[tuple[list[str], int]] = []
        part: list[str] = []
        part_tokens = 0
        for text in texts:
            text_tokens = max(1, round(tokens * len(text) / total_chars))
            if part and (len(part) >= self.max_batch_size or part_tokens + text_tokens > self.max_batch_tokens):
                pieces.append((part, part_tokens))
                part, part_tokens = [], 0
            part.append(text)
            part_tokens += text_tokens
        pieces.append((part, part_tokens))
        return pieces

    def _pop(self, short_only: bool = False) -> WorkItem[Key, Result] | None:
        # a piece whose caller left is still taken here: the loop drops it after collecting, and so
        # releases the model slots it took (an idle worker must never sit on a shared slot)
        for all_requests in self._queues:
            queue = [r for r in all_requests if r.short] if short_only else all_requests
            if queue:
                request = min(queue, key=lambda queued: queued.served)  # the first of the least served
                item = request.pieces.popleft()
                request.served += 1
                if not request.pieces:
                    all_requests.remove(request)
                if item.priority == 0:
                    self._count_queued(-len(item.texts))
                return item
        return None

    async def _wait_item(self, short_only: bool = False) -> WorkItem[Key, Result]:
        while True:
            item = self._pop(short_only)
            if item is not None:
                return item
            self._available.clear()
            await self._available.wait()

    async def _next(self, timeout: float | None, short_only: bool = False) -> WorkItem[Key, Result] | None:
        if self._carry is not None and not short_only:
            carried, self._carry = self._carry, None
            return carried
        item = self._pop(short_only)
        if item is not None:
            return item
        if timeout is None:
            return await self._wait_item(short_only)
        if timeout <= 0:
            return None
        try:
            return await asyncio.wait_for(self._wait_item(short_only), timeout)
        except TimeoutError:
            return None

    def _has_short(self) -> bool:
        return any(request.short for queue in self._queues for request in queue)

    async def _wait_ready(self) -> None:
        """Until an item waits, without taking it: an idle worker must not hold a shared slot."""
        while self._carry is None and not any(self._queues):
            self._available.clear()
            await self._available.wait()

    def _keeping_lane(self) -> bool:
        """This batch would take the last free lane while editors' short requests keep coming."""
        recent = time.monotonic() - self._last_short < self.keep_lane_seconds
        return self.concurrency > 1 and len(self._running) >= self.concurrency - 1 and recent

    async def _wait_short_or_lane(self) -> bool:
        """On the last lane: until a short request waits (True: the batch takes only short ones) or
        another lane frees (False), or the short requests stop coming."""
        while self._keeping_lane():
            if self._has_short():
                return True
            self._available.clear()
            self._lane_freed.clear()
            waits = [asyncio.ensure_future(event.wait()) for event in (self._available, self._lane_freed)]
            left = self.keep_lane_seconds - (time.monotonic() - self._last_short)
            try:
                await asyncio.wait(waits, timeout=max(0.0, left), return_when=asyncio.FIRST_COMPLETED)
            finally:
                for waiting in waits:
                    waiting.cancel()
        return False

    async def _collect(self, short_only: bool = False) -> list[WorkItem[Key, Result]]:
        first = await self._next(None, short_only)
        assert first is not None
        batch = [first]
        texts, tokens = len(first.texts), first.tokens
        deadline = time.perf_counter() + self.max_wait
        while texts < self.max_batch_size and tokens < self.max_batch_tokens:
            item = await self._next(deadline - time.perf_counter(), short_only)
            if item is None:
                break
            if texts + len(item.texts) > self.max_batch_size or tokens + item.tokens > self.max_batch_tokens:
                self._carry = item  # starts the next batch
                break
            batch.append(item)
            texts += len(item.texts)
            tokens += item.tokens
        return batch

    async def _loop(self) -> None:
        own = asyncio.Semaphore(self.concurrency)
        slots = [own] if self.shared_slots is None else [own, self.shared_slots]

        def release(taken: list[asyncio.Semaphore]) -> None:
            for slot in taken:
                slot.release()

        while True:
            taken: list[asyncio.Semaphore] = []
            try:
                short_only = False
                for slot in slots:
                    await self._wait_ready()  # requests queue up meanwhile: the batch takes them all
                    # decided before the slot is taken: a worker waiting for short work holds none
                    short_only = short_only or (slot is own and await self._wait_short_or_lane())
                    await slot.acquire()
                    taken.append(slot)
                # a short request that came while this waited for a lane (one it may have freed)
                short_only = short_only or (self._keeping_lane() and self._has_short())
                collected = await self._collect(short_only)
                batch = [item for item in collected if not item.future.done()]  # callers that left are dropped
                if left := sum(len(item.texts) for item in collected if item.future.done()):
                    self.metrics.dropped.labels(self.name).inc(left)
            except BaseException:
                release(taken)
                raise
            running = RunningBatch(batch)
            task = asyncio.get_running_loop().create_task(self._run_batch(running))
            self._running[task] = running
            task.add_done_callback(functools.partial(self._batch_done, taken=taken))

    def _batch_done(self, task: asyncio.Task[None], taken: list[asyncio.Semaphore]) -> None:
        self._running.pop(task, None)
        for slot in taken:
            slot.release()
        self._lane_freed.set()

    async def _run_batch(self, batch: RunningBatch[Key, Result]) -> None:
        groups: dict[Key, list[WorkItem[Key, Result]]] = {}
        for item in batch.items:
            groups.setdefault(item.key, []).append(item)
        for key, items in groups.items():
            if batch.stop.is_set():
                self._requeue(items)
                continue
            await self._run_group(key, items, batch.stop)
        if batch.stop.is_set():
            self.metrics.preempted.labels(self.name).inc()

    async def _run_group(self, key: Key, items: list[WorkItem[Key, Result]], stop: StopSignal) -> None:
        # a caller may have left while an earlier group of the same batch was in the model
        if left := sum(len(item.texts) for item in items if item.future.done()):
            self.metrics.dropped.labels(self.name).inc(left)
            items = [item for item in items if not item.future.done()]
            if not items:
                return
        texts = [text for item in items for text in item.texts]
        started = time.perf_counter()
        self.metrics.in_model.labels(self.name).inc(len(texts))
        try:
            loop = asyncio.get_running_loop()
            on_delta = self._deltas_to_callers(items, loop) if any(item.on_delta for item in items) else None
            # a stop event costs a callback per token: given only where a batch may be stopped
            call = functools.partial(self.run_batch, texts, key, on_delta, stop if self.concurrency > 1 else None)
            results = await loop.run_in_executor(self.executor, call)
            if stop.is_set():  # stopped for an editor's request: partial outputs, run again later
                self._requeue(items)
                return
        except Exception as error:  # noqa: BLE001 - handed to every caller of the batch
            if stop.is_set():  # a partial output may fail where the whole would not: run it again
                self._requeue(items)
                return
            for item in items:
                if not item.future.done():
                    item.future.set_exception(error)
            return
        finally:
            self.metrics.in_model.labels(self.name).dec(len(texts))
        model_ms = (time.perf_counter() - started) * 1000
        self.metrics.batches.labels(self.name).inc()
        self.metrics.batch_size.labels(self.name).observe(len(texts))
        offset = 0
        for item in items:
            part = list(results[offset : offset + len(item.texts)])
            offset += len(item.texts)
            if not item.future.done():
                timing = BatchTiming((started - item.enqueued) * 1000, model_ms, len(texts))
                item.future.set_result((part, timing))

    @staticmethod
    def _deltas_to_callers(items: list[WorkItem[Key, Result]], loop: asyncio.AbstractEventLoop) -> OnDelta:
        """The batch's ``on_delta`` (called from the model's threads): each delta handed to its caller on
        the event loop, in its request's indices; True once that caller has gone (generation may stop)."""
        owners = [(item, item.offset + i) for item in items for i in range(len(item.texts))]

        def on_delta(delta: Delta) -> bool:
            item, index = owners[delta.index]
            if item.future.done():
                return True
            if item.on_delta is not None:
                loop.call_soon_threadsafe(item.on_delta, Delta(index, delta.text, delta.stage))
            return False

        return on_delta
