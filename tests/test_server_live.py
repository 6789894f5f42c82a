"""A real ``tomtat serve`` process on loopback with the tiny models: concurrency merges into batches."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import metric, models_env, running_server
from tomtat.models.summarizer import AbstractiveSummarizer

pytestmark = pytest.mark.slow  # not in the fast tier: pytest -m "" runs it

ARTICLES = [
    f"Bài số {i}: người dân phấn khởi khi con đường mới số {i} được đưa vào sử dụng tại Đà Nẵng." for i in range(16)
]


def test_sixteen_concurrent_clients_are_batched(model_dir: Path, loaded) -> None:
    env = models_env(model_dir, "vit5-base-vietnews") | {"TOMTAT_MAX_WAIT_MS": "100"}
    with running_server(env) as url:
        before = metric(httpx.get(url + "/metrics").text, "tomtat_batches_total", worker="vit5-base-vietnews")

        def post(text: str) -> httpx.Response:
            return httpx.post(url + "/v1/summarize", json={"text": text}, timeout=60)

        with ThreadPoolExecutor(16) as pool:
            responses = list(pool.map(post, ARTICLES))
        assert [r.status_code for r in responses] == [200] * 16
        metrics = httpx.get(url + "/metrics").text
        batches = metric(metrics, "tomtat_batches_total", worker="vit5-base-vietnews") - before
        assert 1 <= batches < 16
        assert max(r.json()["results"][0]["timings"]["batch_texts"] for r in responses) > 1
    expected = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize(ARTICLES)
    assert [r.json()["results"][0]["summary"] for r in responses] == [e.summary for e in expected]
