"""64 clients flood a real 2-core ``tomtat serve`` (tiny models) for 30 s, never backing off."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import metric, models_env, running_server
from tomtat_tools.overload import run_overload

pytestmark = pytest.mark.overload  # not in the fast tier: pytest -m "" runs it


def test_overload_only_2xx_429_503_every_accepted_request_answered(model_dir: Path) -> None:
    # a small queue, so the flood meets back-pressure (429) rather than an ever longer wait
    env = {**models_env(model_dir, "vit5-base-vietnews", "envit5"), "TOMTAT_MAX_QUEUE": "16"}
    with running_server(env) as url:
        before = httpx.get(url + "/metrics").text
        report = asyncio.run(run_overload(url, clients=64, seconds=30))
        after = httpx.get(url + "/metrics").text
        assert httpx.get(url + "/healthz", timeout=2).status_code == 200
    print(report.summary())

    assert report.unexpected() == {}, report.statuses  # only 2xx, 429, 503
    assert report.missing_retry_after == 0
    assert not report.transport_errors and report.incomplete_answers == 0  # every accepted request answered in full
    statuses = report.by_status()
    assert statuses[200] > 100 and statuses[429] > 0  # it served, and it pushed back
    for (path, status), count in report.statuses.items():  # the server counted exactly what the clients got
        served = metric(after, "tomtat_requests_total", endpoint=path, status=str(status))
        assert served - metric(before, "tomtat_requests_total", endpoint=path, status=str(status)) == count

    assert report.healthz_checks >= 50 and report.healthz_failures == 0
    assert report.healthz_max_ms < 2000
    assert report.rss_peak_mb < 1536  # two tiny models idle at ~370 MB; the queue cap bounds the work in memory
    assert report.rss_peak_mb <= 1.25 * report.rss_peak_first_half_mb  # warm-up, not a leak
