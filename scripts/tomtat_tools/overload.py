"""Overload run: many clients flood a ``tomtat serve`` with valid requests; every answer is classified.

A healthy server under overload answers only 2xx, 429 or 503 with Retry-After, answers every request
it accepted in full, keeps ``/healthz`` fast and its memory bounded. ``tests/test_overload.py`` runs
this on tiny models; ``scripts/overload.py`` runs it against any server.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tomtat_tools import PRODUCT_DATA
from tomtat_tools.bench import proc_status_mb

SAMPLE = PRODUCT_DATA / "sample_vi.txt"


@dataclass
class OverloadReport:
    clients: int
    seconds: float
    statuses: Counter = field(default_factory=Counter)  # (path, status) -> count
    transport_errors: Counter = field(default_factory=Counter)  # exception name -> count
    incomplete_answers: int = 0  # 2xx without a full result for every input
    missing_retry_after: int = 0  # 429/503 without Retry-After
    healthz_checks: int = 0
    healthz_failures: int = 0
    healthz_max_ms: float = 0.0
    rss_start_mb: float = 0.0
    rss_peak_mb: float = 0.0  # highest VmRSS sampled during the run
    rss_peak_first_half_mb: float = 0.0  # growth between the halves would be a leak, not warm-up
    rss_end_mb: float = 0.0

    def by_status(self) -> Counter:
        totals: Counter = Counter()
        for (_, status), count in self.statuses.items():
            totals[status] += count
        return totals

    def unexpected(self) -> dict[int, int]:
        """Statuses an overloaded server must never answer with valid requests."""
        return {s: n for s, n in self.by_status().items() if not (200 <= s < 300 or s in (429, 503))}

    def summary(self) -> str:
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.by_status().items()))
        total = sum(self.statuses.values())
        return (
            f"{self.clients} clients x {self.seconds:.0f} s: {total} requests ({statuses}); "
            f"transport errors {sum(self.transport_errors.values())}; incomplete answers {self.incomplete_answers}; "
            f"429/503 without Retry-After {self.missing_retry_after}; /healthz {self.healthz_checks} checks, "
            f"{self.healthz_failures} failed, slowest {self.healthz_max_ms:.0f} ms; "
            f"RSS start {self.rss_start_mb:.0f} MB, peak {self.rss_peak_first_half_mb:.0f} MB in the first half, "
            f"{self.rss_peak_mb:.0f} MB overall, end {self.rss_end_mb:.0f} MB"
        )


def request_mix(text: str) -> list[tuple[str, dict, int]]:
    """(path, JSON body, results expected) for every kind of call; all valid, so any 4xx but 429 is a bug."""
    paragraphs = [p for p in text.split("\n") if len(p) > 80]
    article = "\n".join(paragraphs)
    articles = ["\n".join(paragraphs[i:] + paragraphs[:i]) for i in range(4)]
    return [
        ("/v1/summarize", {"text": article}, 1),
        ("/v1/summarize", {"texts": articles}, 4),
        ("/v1/summarize", {"text": article, "engine": "extractive"}, 1),
        ("/v1/summarize", {"text": article, "translate_to": "en"}, 1),
        ("/v1/translate", {"text": paragraphs[1], "source": "vi", "target": "en"}, 1),
        ("/v1/detect", {"texts": paragraphs[:2]}, 2),
        ("/translate", {"q": paragraphs[2], "source": "vi", "target": "en"}, 1),
    ]


def _complete(path: str, body: dict, expected: int) -> bool:
    if path == "/translate":
        return bool(body.get("translatedText"))
    results = body.get("results", [])
    texts = [r.get("summary") or r.get("translation") or r.get("language") for r in results]
    return len(results) == expected and all(texts)


async def _client(http: httpx.AsyncClient, mix: list, deadline: float, offset: int, report: OverloadReport) -> None:
    for path, payload, expected in itertools.islice(itertools.cycle(mix), offset, None):
        if time.monotonic() >= deadline:
            return
        try:
            response = await http.post(path, json=payload)
        except httpx.HTTPError as error:
            report.transport_errors[type(error).__name__] += 1
            continue
        report.statuses[(path, response.status_code)] += 1
        if response.status_code in (429, 503) and "retry-after" not in response.headers:
            report.missing_retry_after += 1
        elif 200 <= response.status_code < 300 and not _complete(path, response.json(), expected):
            report.incomplete_answers += 1


async def _watch(
    http: httpx.AsyncClient, pid: int | None, halfway: float, stop: asyncio.Event, report: OverloadReport
) -> None:
    """``/healthz`` every 0.2 s (2 s timeout) and the server's RSS, until the last client has its answer."""
    while not stop.is_set():
        started = time.perf_counter()
        try:
            ok = (await http.get("/healthz", timeout=2)).status_code == 200
        except httpx.HTTPError:
            ok = False
        report.healthz_checks += 1
        report.healthz_failures += not ok
        report.healthz_max_ms = max(report.healthz_max_ms, (time.perf_counter() - started) * 1000)
        if pid is not None:
            report.rss_peak_mb = max(report.rss_peak_mb, proc_status_mb(pid, "VmRSS"))
            if time.monotonic() < halfway:
                report.rss_peak_first_half_mb = report.rss_peak_mb
        await asyncio.sleep(0.2)


async def run_overload(url: str, clients: int = 64, seconds: float = 30.0, text: str | None = None) -> OverloadReport:
    """Flood ``url`` with ``clients`` concurrent clients for ``seconds``; clients never back off."""
    mix = request_mix(text or SAMPLE.read_text(encoding="utf-8"))
    report = OverloadReport(clients, seconds)
    # idle connections dropped by the client before the server's keep-alive (5 s) closes them: with both at
    # 5 s, a request sent on a connection the server is closing that instant fails (a ReadError), which is
    # the client's race, not an accepted request left unanswered
    limits = httpx.Limits(max_connections=clients + 1, max_keepalive_connections=clients + 1, keepalive_expiry=2.0)
    async with (
        httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http,
        httpx.AsyncClient(base_url=url, timeout=2) as health,
    ):
        pid_header = (await health.get("/healthz")).headers.get("x-tomtat-pid")
        pid = int(pid_header) if pid_header and Path(f"/proc/{pid_header}").exists() else None  # loopback only
        report.rss_start_mb = proc_status_mb(pid, "VmRSS") if pid else 0.0
        deadline, stop = time.monotonic() + seconds, asyncio.Event()
        watcher = asyncio.create_task(_watch(health, pid, deadline - seconds / 2, stop, report))
        await asyncio.gather(*(_client(http, mix, deadline, i, report) for i in range(clients)))
        stop.set()
        await watcher
        report.rss_end_mb = proc_status_mb(pid, "VmRSS") if pid else 0.0
    return report
