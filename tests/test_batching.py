"""The dynamic batcher on its own: merging, order, dropped callers, admission control."""

from __future__ import annotations

import asyncio
import threading

import pytest

from tomtat.models.streaming import StopSignal
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.batch_worker import BatchWorker, QueueFullError


async def settle() -> None:
    """Let every task that is ready run until it waits (loop steps, not time: no ordering by sleeps)."""
    for _ in range(20):
        await asyncio.sleep(0)


async def inside(entered: threading.Semaphore, batches: int = 1) -> None:
    """Until ``batches`` more batches are in the model (each run() releases ``entered`` on entry)."""
    for _ in range(batches):
        assert await asyncio.to_thread(entered.acquire, True, 30)


def make_worker(calls: list, **limits: object) -> BatchWorker:
    def run(texts: list[str], key: object, *_: object) -> list[str]:
        calls.append((list(texts), key))
        return [f"{key}:{t.upper()}" for t in texts]

    options = {"max_wait_ms": 50, "max_batch_size": 8, "max_batch_tokens": 1000, "max_queue": 100} | limits
    return BatchWorker("test", run, Metrics(), **options)


def test_concurrent_requests_share_one_batch_and_keep_order() -> None:
    calls: list = []

    async def main() -> list:
        worker = make_worker(calls)
        worker.start()
        results = await asyncio.gather(*(worker.submit([f"a{i}", f"b{i}"], "k", 2) for i in range(3)))
        await worker.stop()
        return results

    results = asyncio.run(main())
    assert [r[0] for r in results] == [["k:A0", "k:B0"], ["k:A1", "k:B1"], ["k:A2", "k:B2"]]
    assert len(calls) == 1 and results[0][1].batch_texts == 6


def test_different_options_run_as_separate_groups() -> None:
    calls: list = []

    async def main() -> list:
        worker = make_worker(calls)
        worker.start()
        results = await asyncio.gather(
            worker.submit(["x"], 1, 1), worker.submit(["y"], 2, 1), worker.submit(["z"], 1, 1)
        )
        await worker.stop()
        return results

    results = asyncio.run(main())
    assert [r[0] for r in results] == [["1:X"], ["2:Y"], ["1:Z"]]
    assert sorted(call[1] for call in calls) == [1, 2] and (["x", "z"], 1) in calls


def test_batch_size_budget_splits_batches() -> None:
    calls: list = []

    async def main() -> None:
        worker = make_worker(calls, max_batch_size=4)
        worker.start()
        await asyncio.gather(*(worker.submit([str(i)], "k", 1) for i in range(10)))
        await worker.stop()

    asyncio.run(main())
    assert [len(texts) for texts, _ in calls] == [4, 4, 2]
    assert [t for texts, _ in calls for t in texts] == [str(i) for i in range(10)]


def test_caller_that_left_is_dropped_before_the_model() -> None:
    calls: list = []
    gate, entered = threading.Event(), threading.Semaphore(0)

    def run(texts: list[str], key: object, *_: object) -> list[str]:
        calls.append(list(texts))
        entered.release()
        gate.wait(30)
        return texts

    async def main() -> None:
        worker = BatchWorker("t", run, Metrics(), max_wait_ms=0, max_batch_size=1, max_batch_tokens=100, max_queue=10)
        worker.start()
        first = asyncio.ensure_future(worker.submit(["first"], "k", 1))
        await inside(entered)  # "first" is running; the next two wait in the queue
        gone = asyncio.ensure_future(worker.submit(["gone"], "k", 1))
        kept = asyncio.ensure_future(worker.submit(["kept"], "k", 1))
        await settle()
        assert worker.queued_texts == 2
        gone.cancel()  # the client went away
        gate.set()
        await first
        assert (await kept)[0] == ["kept"]
        await worker.stop()

    asyncio.run(main())
    assert calls == [["first"], ["kept"]]


def test_full_queue_refuses_with_retry_after() -> None:
    gate, entered = threading.Event(), threading.Semaphore(0)

    async def main() -> None:
        worker = BatchWorker(
            "t",
            lambda texts, key, *_: (entered.release(), gate.wait(30), texts)[2],
            Metrics(),
            max_wait_ms=0,
            max_batch_size=1,
            max_batch_tokens=100,
            max_queue=2,
        )
        worker.start()
        running = asyncio.ensure_future(worker.submit(["a"], "k", 1))
        await inside(entered)
        queued = [asyncio.ensure_future(worker.submit([x], "k", 1)) for x in "bc"]
        await settle()
        assert worker.queued_texts == 2
        with pytest.raises(QueueFullError) as error:
            await worker.submit(["d"], "k", 1)
        assert error.value.retry_after >= 1
        gate.set()
        assert [(await q)[0] for q in queued] == [["b"], ["c"]]  # nothing already accepted is lost
        await running
        await worker.stop()

    asyncio.run(main())


def test_model_error_reaches_every_caller_of_the_batch() -> None:
    def run(texts: list[str], key: object, *_: object) -> list[str]:
        raise RuntimeError("boom")

    async def main() -> list:
        worker = BatchWorker("t", run, Metrics(), max_wait_ms=20, max_batch_size=8, max_batch_tokens=100, max_queue=10)
        worker.start()
        outcomes = await asyncio.gather(worker.submit(["a"], 1, 1), worker.submit(["b"], 1, 1), return_exceptions=True)
        await worker.stop()
        return outcomes

    assert [str(o) for o in asyncio.run(main())] == ["boom", "boom"]


def test_interactive_requests_go_before_background_jobs() -> None:
    order: list[str] = []
    gate, entered = threading.Event(), threading.Semaphore(0)

    def run(texts: list[str], key: object, *_: object) -> list[str]:
        entered.release()
        gate.wait(30)
        order.extend(texts)
        return texts

    async def main() -> None:
        worker = BatchWorker("t", run, Metrics(), max_wait_ms=0, max_batch_size=1, max_batch_tokens=100, max_queue=10)
        worker.start()
        first = asyncio.ensure_future(worker.submit(["job-0"], "k", 1, priority=1))
        await inside(entered)  # job-0 is running
        jobs = [asyncio.ensure_future(worker.submit([f"job-{i}"], "k", 1, priority=1)) for i in (1, 2)]
        await settle()  # the jobs are queued first
        interactive = asyncio.ensure_future(worker.submit(["user"], "k", 1))
        await settle()
        assert worker.queued_texts == 1
        gate.set()
        await asyncio.gather(first, interactive, *jobs)
        await worker.stop()

    asyncio.run(main())
    assert order == ["job-0", "user", "job-1", "job-2"]


@pytest.mark.parametrize("concurrency", [1, 2])
def test_a_worker_keeps_as_many_batches_in_the_model_as_its_backend_runs_in_parallel(concurrency: int) -> None:
    gate, entered = threading.Event(), threading.Semaphore(0)

    def run(texts: list[str], key: object, *_: object) -> list[str]:
        entered.release()
        gate.wait(30)
        return texts

    async def main() -> tuple[list, int]:
        worker = BatchWorker(
            "test",
            run,
            Metrics(),
            max_wait_ms=0,
            max_batch_size=1,
            max_batch_tokens=100,
            max_queue=10,
            concurrency=concurrency,
        )
        worker.start()
        answers = asyncio.gather(worker.submit(["a"], "k", 1), worker.submit(["b"], "k", 1))
        await inside(entered, concurrency)  # as many batches in the model as it runs at once
        await settle()
        waiting = worker.queued_texts  # the rest is still queued, not in the model
        gate.set()
        results = await answers
        await worker.stop()
        return results, waiting

    results, waiting = asyncio.run(main())
    assert [r[0] for r in results] == [["a"], ["b"]] and waiting == 2 - concurrency


def _gated_worker(
    name: str, entered: threading.Semaphore, gate: threading.Event, shared: asyncio.Semaphore
) -> BatchWorker:
    def run(texts: list[str], key: object, *_: object) -> list[str]:
        entered.release()
        gate.wait(30)
        return texts

    limits = {"max_wait_ms": 0, "max_batch_size": 1, "max_batch_tokens": 100, "max_queue": 10}
    return BatchWorker(name, run, Metrics(), **limits, concurrency=2, shared_slots=shared)


@pytest.mark.parametrize("shared_limit", [1, 2])
def test_workers_of_two_models_share_one_limit_on_batches_in_the_models(shared_limit: int) -> None:
    gate, entered = threading.Event(), threading.Semaphore(0)

    async def main() -> tuple[list, int]:
        shared = asyncio.Semaphore(shared_limit)
        summarizer = _gated_worker("summarizer", entered, gate, shared)
        translator = _gated_worker("translator", entered, gate, shared)
        summarizer.start()
        translator.start()
        answers = asyncio.gather(summarizer.submit(["a"], "k", 1), translator.submit(["b"], "k", 1))
        await inside(entered, shared_limit)
        await settle()
        # each worker alone could run 2, but the shared limit lets only ``shared_limit`` batches in
        waiting = summarizer.queued_texts + translator.queued_texts
        gate.set()
        results = await answers
        await summarizer.stop()
        await translator.stop()
        return results, waiting

    results, waiting = asyncio.run(main())
    assert [r[0] for r in results] == [["a"], ["b"]] and waiting == 2 - shared_limit


def test_an_idle_worker_holds_no_shared_slot() -> None:
    calls: list = []

    async def main() -> list[str]:
        shared = asyncio.Semaphore(1)
        idle = make_worker([], shared_slots=shared)
        busy = make_worker(calls, shared_slots=shared)
        idle.start()
        await settle()  # the idle worker is waiting for work first
        busy.start()
        results, _ = await asyncio.wait_for(busy.submit(["x"], "k", 1), timeout=2)
        await idle.stop()
        await busy.stop()
        return results

    assert asyncio.run(main()) == ["k:X"]
    assert calls == [(["x"], "k")]


def test_a_big_request_is_cut_into_bounded_batches_and_a_short_one_waits_only_for_the_batch_in_the_model() -> None:
    batches: list[list[str]] = []
    entered, gate = threading.Event(), threading.Event()

    def run(texts: list[str], key: object, *_: object) -> list[str]:
        entered.set()
        gate.wait(10)
        batches.append(list(texts))
        return [text.upper() for text in texts]

    async def main() -> tuple[list[str], list[str], list[str]]:
        worker = BatchWorker(
            "t", run, Metrics(), max_wait_ms=0, max_batch_size=8, max_batch_tokens=10_000, max_queue=30
        )
        worker.start()
        big = asyncio.ensure_future(worker.submit([f"b{i}" for i in range(24)], "k", 24))
        await asyncio.to_thread(entered.wait, 10)  # the big request's first batch is in the model
        job = asyncio.ensure_future(worker.submit([f"j{i}" for i in range(16)], "k", 16, priority=1))
        short = asyncio.ensure_future(worker.submit(["s"], "k", 1))
        while worker.queued_texts < 17:  # both are queued (the job does not count: background)
            await asyncio.sleep(0)
        gate.set()
        answers = await asyncio.gather(big, short, job)
        await worker.stop()
        return answers[0][0], answers[1][0], answers[2][0]

    big, short, job = asyncio.run(main())
    assert big == [f"B{i}" for i in range(24)] and short == ["S"] and job == [f"J{i}" for i in range(16)]
    assert max(len(batch) for batch in batches) == 8  # no model batch over max_batch_size
    assert batches[0] == [f"b{i}" for i in range(8)]
    assert "s" in batches[1]  # right after the batch that was in the model, before the rest of the big one
    assert all(text.startswith("j") for batch in batches[-2:] for text in batch)  # background work last


def test_a_request_larger_than_the_queue_runs_when_the_queue_is_empty() -> None:
    calls: list = []

    async def main() -> list[str]:
        worker = make_worker(calls, max_queue=4, max_batch_size=2)
        worker.start()
        results, _ = await worker.submit([f"t{i}" for i in range(10)], "k", 10)
        await worker.stop()
        return results

    assert asyncio.run(main()) == [f"k:T{i}" for i in range(10)]
    assert [len(texts) for texts, _ in calls] == [2] * 5


class GatedModel:
    """A model whose batches stay in until their gate (named by the first text) opens, or until the
    worker stops them (``stop``: they return partial outputs at once, as a real model does)."""

    def __init__(self) -> None:
        self.in_model: list[list[str]] = []
        self.calls: list[list[str]] = []
        self.entered = threading.Semaphore(0)
        self.gates: dict[str, threading.Event] = {}
        self.encoding: set[str] = set()  # batches (first texts) still in their encoder pass: no token polls

    def gate(self, name: str) -> threading.Event:
        return self.gates.setdefault(name, threading.Event())

    def __call__(
        self, texts: list[str], key: object, on_delta: object = None, stop: StopSignal | None = None
    ) -> list[str]:
        gate = self.gate(texts[0])
        self.calls.append(list(texts))
        self.in_model.append(list(texts))
        self.entered.release()
        try:
            while not gate.wait(0.005):
                if stop is not None and (stop.is_set() if texts[0] in self.encoding else stop.poll()):
                    return ["partial"] * len(texts)
        finally:
            self.in_model.remove(texts)
        return texts

    def first_texts(self) -> list[str]:
        return sorted(batch[0] for batch in self.in_model)


def two_lanes(model: GatedModel, metrics: Metrics) -> BatchWorker[str, str]:
    """A started worker with two lanes and 8-text batches over ``model`` (call inside the event loop)."""
    worker: BatchWorker[str, str] = BatchWorker(
        "t", model, metrics, max_wait_ms=0, max_batch_size=8, max_batch_tokens=1000, max_queue=100, concurrency=2
    )
    worker.start()
    return worker


def test_a_lane_is_kept_for_editors_while_they_keep_coming() -> None:
    """Two lanes (batches at once): a 32-text request alone takes both; the first editor's request stops
    the bulk batch that started last (it runs again later, whole); then bulk work takes one lane only and
    the next short request runs at once, beside it."""
    model = GatedModel()
    metrics = Metrics()

    async def main() -> None:
        worker = two_lanes(model, metrics)
        bulk = asyncio.ensure_future(worker.submit([f"b{i}" for i in range(32)], "k", 32))
        await inside(model.entered, 2)
        assert model.first_texts() == ["b0", "b8"]  # no editor yet: both lanes are bulk
        first_short = asyncio.ensure_future(worker.submit(["editor 1"], "k", 1))
        await inside(model.entered)  # no bulk batch ended: b8's was stopped for it
        assert model.first_texts() == ["b0", "editor 1"]
        model.gate("editor 1").set()
        assert (await first_short)[0] == ["editor 1"]
        await settle()
        assert model.first_texts() == ["b0"]  # the free lane waits for editors
        second_short = asyncio.ensure_future(worker.submit(["editor 2"], "k", 1))
        await inside(model.entered)  # at once: b0 is still in the model
        assert model.first_texts() == ["b0", "editor 2"]
        model.gate("editor 2").set()
        await second_short
        for name in ("b0", "b8", "b16", "b24"):
            model.gate(name).set()
        results, _ = await bulk
        assert results == [f"b{i}" for i in range(32)]  # the stopped batch's partial output was not used
        await worker.stop()

    asyncio.run(main())
    assert [call[0] for call in model.calls].count("b8") == 2  # stopped once, then run whole
    assert metrics.preempted.labels("t")._value.get() == 1


def test_the_batch_stopped_for_an_editor_is_one_that_is_decoding() -> None:
    """A batch in its encoder pass cannot end before that pass is over: the editor's request stops the
    batch that is generating tokens, even when it started first (more work to redo, but a lane at once)."""
    model = GatedModel()
    metrics = Metrics()

    async def main() -> None:
        worker = two_lanes(model, metrics)
        model.encoding.add("b8")
        bulk = asyncio.ensure_future(worker.submit([f"b{i}" for i in range(16)], "k", 16))
        await inside(model.entered, 2)
        await asyncio.sleep(0.02)  # b0 has polled for its tokens
        short = asyncio.ensure_future(worker.submit(["editor"], "k", 1))
        await inside(model.entered)
        assert model.first_texts() == ["b8", "editor"]  # b0 was stopped, not the last started b8
        for name in ("editor", "b0", "b8"):
            model.gate(name).set()
        assert (await short)[0] == ["editor"]
        assert (await bulk)[0] == [f"b{i}" for i in range(16)]
        await worker.stop()

    asyncio.run(main())
    assert [call[0] for call in model.calls].count("b0") == 2
    assert metrics.preempted.labels("t")._value.get() == 1


@pytest.mark.parametrize(("concurrency", "stream"), [(2, True), (1, False)])
def test_streaming_and_single_lane_batches_are_never_stopped(concurrency: int, stream: bool) -> None:
    """What was streamed cannot be taken back, and with one lane nothing is kept: there the editor's
    request waits for the batch in the model."""
    model = GatedModel()
    metrics = Metrics()

    async def main() -> None:
        limits = {"max_wait_ms": 0, "max_batch_size": 8, "max_batch_tokens": 1000, "max_queue": 100}
        worker = BatchWorker("t", model, metrics, **limits, concurrency=concurrency)
        worker.start()
        on_delta = (lambda delta: None) if stream else None
        bulk = asyncio.ensure_future(worker.submit([f"b{i}" for i in range(16)], "k", 16, on_delta=on_delta))
        await inside(model.entered, concurrency)
        short = asyncio.ensure_future(worker.submit(["editor"], "k", 1))
        await settle()
        await asyncio.sleep(0.05)  # a stopped batch would have ended by now (it polls every 5 ms)
        assert "editor" not in model.first_texts()  # it waits: no batch was stopped for it
        for name in ("b0", "b8", "editor"):
            model.gate(name).set()
        assert (await short)[0] == ["editor"]
        assert (await bulk)[0] == [f"b{i}" for i in range(16)]
        await worker.stop()

    asyncio.run(main())
    assert metrics.preempted.labels("t")._value.get() == 0
    assert len(model.calls) == 3
