"""Interactive latency under batch load: does an editor wait behind an archive job and 64-text requests?

One ``tomtat serve`` on the given checkpoints; measured in one run, in this order:
1. idle: short ``/v1/summarize`` requests one after another (the reference latency);
   then a quiet spell of ``keep_lane`` seconds and one more, so that no lane is kept for editors any
   more: the job below runs alone, and the first short request of step 3 finds every lane busy;
2. an archive job alone: its documents per second over a window;
3. the same job plus clients sending 64-text requests back to back, while a client sends a short
   request every ``interval`` seconds: that client's latencies, and the job's documents per second;
4. under the same load, ``quiet_spells`` short requests, each after a quiet spell (no lane kept).
Every request forces the same output length (``min_new_tokens``), so the work per text is fixed.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import tempfile
import time
from dataclasses import dataclass

import httpx

from tomtat_tools.bench import _server

SHORT = "Hà Nội hôm nay mưa to, nhiều tuyến phố ngập sâu sau trận mưa kéo dài từ chiều qua."
ARTICLE = (
    "Giá vàng trong nước tăng mạnh trong phiên sáng nay. Nhiều người dân đổ xô đi mua vàng tại các cửa hàng "
    "trên phố Trần Nhân Tông. Ngân hàng Nhà nước cho biết sẽ can thiệp thị trường khi cần thiết."
)


@dataclass
class LatencyReport:
    idle_ms: list[float]
    loaded_ms: list[float]
    archive_alone_dps: float
    archive_loaded_dps: float
    bulk_requests: int
    loaded_timings: list[dict[str, float]]  # the server's own account of each loaded short request
    preempted_batches: float  # bulk batches stopped to free a lane for a short request (server metric)
    after_quiet_ms: list[float]  # short requests each sent after a quiet spell, under the same bulk load

    def figures(self) -> dict[str, float]:
        idle = statistics.median(self.idle_ms)
        loaded = sorted(self.loaded_ms)
        p50, p95 = statistics.median(loaded), loaded[min(len(loaded) - 1, int(0.95 * len(loaded)))]
        quiet = self.after_quiet_ms or [0.0]
        return {
            "idle_p50_ms": idle,
            "loaded_p50_ms": p50,
            "loaded_p95_ms": p95,
            "p50_ratio": p50 / idle,
            "p95_ratio": p95 / idle,
            # the first short request after a quiet spell may wait for one bulk batch (no lane was kept)
            "loaded_first_ms": self.loaded_ms[0],
            "p95_ratio_after_first": _quantile(self.loaded_ms[1:], 0.95) / idle,
            "archive_alone_docs_s": self.archive_alone_dps,
            "archive_loaded_docs_s": self.archive_loaded_dps,
            "bulk_requests_answered": self.bulk_requests,
            "bulk_batches_stopped_for_editors": self.preempted_batches,
            "after_quiet_spell_ms": [round(ms) for ms in self.after_quiet_ms],
            "after_quiet_spell_p50_ratio": statistics.median(quiet) / idle,
            "after_quiet_spell_max_ratio": max(quiet) / idle,
            # where a loaded short request's time went: waiting for a batch, in the model, the whole
            # request inside the server (the rest of the client's latency is HTTP and the event loop)
            **{
                f"loaded_{name}_{label}": _quantile([t[name] for t in self.loaded_timings], q)
                for name in ("queue_ms", "model_ms", "total_ms")
                for label, q in (("p50", 0.5), ("p95", 0.95))
            },
        }


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def _short(client: httpx.AsyncClient, options: dict, timings: list[dict[str, float]] | None = None) -> float:
    started = time.perf_counter()
    response = await client.post("/v1/summarize", json={"text": SHORT, "engine": "abstractive", "options": options})
    response.raise_for_status()
    if timings is not None:
        answer = response.json()
        timings.append(answer["timings"] if "timings" in answer else answer["results"][0]["timings"])
    return (time.perf_counter() - started) * 1000


async def _job_rate(client: httpx.AsyncClient, job_id: str, seconds: float) -> float:
    first = (await client.get(f"/v1/jobs/{job_id}")).json()
    started = time.perf_counter()
    await asyncio.sleep(seconds)
    last = (await client.get(f"/v1/jobs/{job_id}")).json()
    return (last["done"] + last["failed"] - first["done"] - first["failed"]) / (time.perf_counter() - started)


async def _start_job(client: httpx.AsyncClient, documents: int, options: dict) -> str:
    body = {"documents": [f"{ARTICLE} Bài số {i}." for i in range(documents)], "engine": "abstractive"}
    response = await client.post("/v1/jobs", json={**body, "options": options})
    response.raise_for_status()
    job_id: str = response.json()["id"]
    while (await client.get(f"/v1/jobs/{job_id}")).json()["state"] != "running":
        await asyncio.sleep(0.05)
    return job_id


async def _measure(
    url: str, seconds: float, interval: float, bulk_clients: int, new_tokens: int, keep_lane: float, quiet_spells: int
) -> LatencyReport:
    options = {"min_new_tokens": new_tokens, "max_length": new_tokens + 1}
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        for _ in range(3):  # warm-up
            await _short(client, options)
        idle = [await _short(client, options) for _ in range(20)]
        await asyncio.sleep(keep_lane + 1)  # the lane kept for the idle requests is released
        job = await _start_job(client, 10_000, options)  # more than either window finishes (4 MB body limit)
        await asyncio.sleep(2)  # the job's batches are flowing
        alone = await _job_rate(client, job, seconds)
        stop = asyncio.Event()
        answered = 0

        async def bulk() -> None:
            nonlocal answered
            texts = [f"{ARTICLE} Đoạn {i}." for i in range(64)]
            while not stop.is_set():
                response = await client.post("/v1/summarize", json={"texts": texts, "options": options})
                response.raise_for_status()
                answered += 1

        timings: list[dict[str, float]] = []

        async def interactive() -> list[float]:
            latencies = []
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                latencies.append(await _short(client, options, timings))
                await asyncio.sleep(interval)
            return latencies

        workers = [asyncio.create_task(bulk()) for _ in range(bulk_clients)]
        await asyncio.sleep(2)  # the 64-text requests are in the queue and in the model
        rate_task = asyncio.create_task(_job_rate(client, job, seconds))
        loaded = await interactive()
        loaded_rate = await rate_task
        after_quiet = []  # still under bulk load: a quiet spell (no lane kept any more), then one request
        for _ in range(quiet_spells):
            await asyncio.sleep(keep_lane + 1)
            after_quiet.append(await _short(client, options))
        stop.set()
        await asyncio.gather(*workers)
        await client.delete(f"/v1/jobs/{job}")
        metrics = (await client.get("/metrics")).text
    return LatencyReport(idle, loaded, alone, loaded_rate, answered, timings, _preempted(metrics), after_quiet)


def _preempted(metrics: str) -> float:
    samples = [line.split()[-1] for line in metrics.splitlines() if line.startswith("tomtat_preempted_batches_total")]
    return sum(float(value) for value in samples)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(
    checkpoint_dir: str,
    model: str,
    seconds: float,
    interval: float,
    bulk_clients: int,
    new_tokens: int,
    keep_lane: float = 5.0,
    quiet_spells: int = 8,
) -> dict:
    """``keep_lane``: the server's ``TOMTAT_KEEP_LANE_SECONDS``, shorter than its default 60 s so that
    each quiet spell stays short (it must be longer than ``interval``); ``quiet_spells``: how many
    requests are sent each after a quiet spell, under bulk load, at the end."""
    port = _free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {
            "TOMTAT_CHECKPOINT_DIR": checkpoint_dir,
            "TOMTAT_MODELS": f'["{model}"]',
            "TOMTAT_DATA_DIR": data,
            "TOMTAT_MAX_QUEUE": "4096",
            "TOMTAT_KEEP_LANE_SECONDS": str(keep_lane),
        }
        process, _ = _server({**os.environ, **env}, port)
        try:
            url = f"http://127.0.0.1:{port}"
            report = asyncio.run(_measure(url, seconds, interval, bulk_clients, new_tokens, keep_lane, quiet_spells))
        finally:
            process.terminate()
            process.wait(30)
    return report.figures()
