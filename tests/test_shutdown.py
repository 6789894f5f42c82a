"""SIGTERM: in-flight requests finish, new connections are refused, the running job is saved and resumes."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import models_env, running_server, served_process

pytestmark = pytest.mark.slow  # not in the fast tier: pytest -m "" runs it

SLOW = {"min_new_tokens": 48, "max_length": 50}  # forced output length, so each batch takes a while


def _job_row(data: Path, job_id: str) -> tuple[str, int, int, int]:
    with sqlite3.connect(data / "tomtat.db") as db:
        state, done, total = db.execute("SELECT state, done, total FROM jobs WHERE id = ?", (job_id,)).fetchone()
        rows = db.execute("SELECT COUNT(*) FROM job_results WHERE job_id = ?", (job_id,)).fetchone()[0]
    return state, done, total, rows


def test_sigterm_finishes_in_flight_requests_and_checkpoints_the_job(
    model_dir: Path, tmp_path: Path, sample_article: str
) -> None:
    data = tmp_path / "data"
    env = {
        **models_env(model_dir, "vit5-base-vietnews"),
        "TOMTAT_DATA_DIR": str(data),
        "TOMTAT_MAX_BATCH_SIZE": "2",
        "TOMTAT_SHUTDOWN_GRACE_SECONDS": "30",
    }
    documents = [{"id": f"r{i:03d}", "text": sample_article} for i in range(120)]
    with served_process(env) as (url, process):
        job = httpx.post(url + "/v1/jobs", json={"documents": documents, "options": SLOW}, timeout=30).json()
        deadline = time.monotonic() + 60
        while httpx.get(f"{url}/v1/jobs/{job['id']}").json()["done"] < 4:
            assert time.monotonic() < deadline, "the job made no progress"
            time.sleep(0.05)

        with ThreadPoolExecutor(8) as pool:
            in_flight = [
                pool.submit(
                    httpx.post, url + "/v1/summarize", json={"text": sample_article, "options": SLOW}, timeout=60
                )
                for _ in range(8)
            ]
            time.sleep(0.5)  # all eight are accepted and queued (the model needs seconds for them)
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            with pytest.raises(httpx.ConnectError):  # no new connections while draining
                httpx.get(url + "/healthz", timeout=5)
            answers = [(f.result(), time.monotonic()) for f in in_flight]
        exit_code = process.wait(timeout=60)

    assert exit_code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once it has shut down cleanly
    for response, _ in answers:
        assert response.status_code == 200, response.text
        assert response.json()["results"][0]["summary"]
    finished_after_signal = sum(at > signalled for _, at in answers)
    assert finished_after_signal >= 4, "the requests were not in flight when the signal came"

    state, done, total, rows = _job_row(data, job["id"])
    assert state == "queued" and done == rows and 4 <= done < total == 120  # checkpointed, not lost or doubled
    print(
        f"SIGTERM: {len(answers)} in-flight requests answered 200 ({finished_after_signal} after the signal); "
        f"job saved at {done}/{total}, state {state}"
    )

    with running_server(env) as url:  # the next start finishes exactly the rest
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/v1/jobs/{job['id']}").json()["state"] != "done":
            assert time.monotonic() < deadline, "the resumed job did not finish"
            time.sleep(0.2)
        lines = httpx.get(f"{url}/v1/jobs/{job['id']}/results").text.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == [d["id"] for d in documents]  # every id exactly once, in submission order


def test_sigterm_ends_the_process_within_its_grace_even_with_a_long_batch_in_the_model(
    model_dir: Path, tmp_path: Path, sample_article: str
) -> None:
    env = {
        **models_env(model_dir, "vit5-base-vietnews"),
        "TOMTAT_DATA_DIR": str(tmp_path / "data"),
        "TOMTAT_SHUTDOWN_GRACE_SECONDS": "2",
        "TOMTAT_MAX_BATCH_SIZE": "64",  # one batch of 64 texts x 1,000 tokens: far longer than the grace
    }
    endless = {"min_new_tokens": 1000, "max_length": 1024}  # a batch that runs for a long while
    with served_process(env) as (url, process), ThreadPoolExecutor(1) as pool:
        request = pool.submit(
            httpx.post, url + "/v1/summarize", json={"texts": [sample_article] * 64, "options": endless}, timeout=300
        )
        deadline = time.monotonic() + 30
        while "tomtat_texts_in_model" not in (metrics := httpx.get(url + "/metrics").text) or not any(
            line.startswith("tomtat_texts_in_model{") and not line.endswith(" 0.0") for line in metrics.splitlines()
        ):
            assert time.monotonic() < deadline, "the batch never reached the model"
            time.sleep(0.05)
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        exit_code = process.wait(timeout=60)
        took = time.monotonic() - signalled
        with pytest.raises(httpx.HTTPError):  # it was abandoned, not answered
            request.result().raise_for_status()
    assert exit_code in (0, -signal.SIGTERM)
    assert took < 2 + 10, f"exited {took:.1f} s after SIGTERM"
