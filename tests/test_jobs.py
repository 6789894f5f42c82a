"""The jobs API: submit, poll, stream results, events, cancel, upload; restart mid-job is exactly-once."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import client_for, models_env, running_server
from tests.test_archive import article
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer


def wait_read(client, job_id: str, timeout: float = 300) -> dict:
    """The job once its uploaded file has been read into records (it is answered 202 before that)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job["state"] != "reading":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


def wait_done(client, job_id: str, timeout: float = 120, headers: dict[str, str] | None = None) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("done", "cancelled", "failed"):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served(model_dir: Path):
    with client_for(checkpoint_dir=model_dir, models=["vit5-base-vietnews"]) as client:
        yield client


def test_submit_poll_and_stream_results(served, loaded) -> None:
    documents = [{"id": f"a{i}", "text": article(i)} for i in range(12)] + [
        {"id": "empty", "text": " "},
        article(99),
        {"id": "a1", "text": article(1)},
    ]
    response = served.post("/v1/jobs", json={"documents": documents})
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["state"] in ("queued", "running") and job["total"] == 14 and job["duplicates"] == 1
    final = wait_done(served, job["id"])
    assert (final["state"], final["done"], final["failed"]) == ("done", 14, 1)
    lines = served.get(f"/v1/jobs/{job['id']}/results").text.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == [*(f"a{i}" for i in range(12)), "empty", "13"]  # submission order, once each
    assert rows[12]["error"]["code"] == "empty_text"
    expected = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize([article(i) for i in range(12)])
    assert [r["summary"] for r in rows[:12]] == [e.summary for e in expected]
    from tomtat.models.facts import check_summary

    assert [r["flags"] for r in rows[:12]] == [
        [f.as_dict() for f in check_summary(article(i), e.summary)] for i, e in enumerate(expected)
    ]


def test_events_stream_until_the_end(served) -> None:
    job = served.post("/v1/jobs", json={"documents": [article(i) for i in range(5)], "engine": "extractive"}).json()
    with served.stream("GET", f"/v1/jobs/{job['id']}/events") as stream:
        body = "".join(stream.iter_text())
    events = [block for block in body.split("\n\n") if block]
    assert events[-1].startswith("event: end") and '"state": "done"' in events[-1]
    progress = [json.loads(e.split("data: ", 1)[1]) for e in events if e.startswith("event: progress")]
    assert progress[-1]["done"] == 5 and all(p["id"] == job["id"] for p in progress)


@pytest.mark.parametrize("route", ["/v1/uploads", "/v1/jobs"])  # the documented route, and the older one
def test_upload_csv_and_cancel(served, route: str) -> None:
    csv_text = "key,body\n" + "".join(f'k{i},"{article(i)}"\n' for i in range(4))
    options = json.dumps({"engine": "extractive", "text_field": "body", "id_field": "key", "sentences": 1})
    response = served.post(route, files={"file": ("in.csv", csv_text, "text/csv")}, data={"options": options})
    assert response.status_code == 202, response.text
    job = wait_done(served, response.json()["id"])
    rows = [json.loads(line) for line in served.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert {r["id"]: r["summary"] for r in rows} == {
        f"k{i}": ExtractiveSummarizer(max_sentences=1).summarize([article(i)])[0].summary for i in range(4)
    }
    cancelled = served.post("/v1/jobs", json={"documents": [article(i) for i in range(400)]}).json()
    response = served.delete(f"/v1/jobs/{cancelled['id']}")
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    final = wait_done(served, cancelled["id"])
    assert final["state"] == "cancelled" and final["done"] < 400


def test_job_errors(served) -> None:
    assert served.get("/v1/jobs/nope").status_code == 404
    assert served.post("/v1/jobs", json={"documents": []}).json()["error"]["field"] == "documents"
    bad = served.post("/v1/jobs", json={"documents": ["x"], "model": "gpt-9"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "model"
    assert served.post("/v1/jobs", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
    upload = served.post("/v1/jobs", files={"file": ("a.xml", "<a/>", "text/xml")})
    assert upload.status_code == 415
    assert served.post("/v1/jobs", json={"documents": ["x"], "translate_to": "en"}).status_code == 503


@pytest.mark.slow  # not in the fast tier
def test_restart_mid_job_completes_exactly_once(model_dir: Path) -> None:
    data_dir = tempfile.mkdtemp(prefix="tomtat-jobs-")
    env = models_env(model_dir, "vit5-base-vietnews") | {"TOMTAT_DATA_DIR": data_dir, "TOMTAT_MAX_BATCH_SIZE": "2"}
    documents = [{"id": f"r{i}", "text": article(i) * 3} for i in range(120)]
    with running_server(env) as url:
        job = httpx.post(url + "/v1/jobs", json={"documents": documents}, timeout=60).json()
        deadline = time.monotonic() + 120
        while httpx.get(f"{url}/v1/jobs/{job['id']}").json()["done"] < 10:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        pid = int(httpx.get(url + "/healthz").headers.get("x-tomtat-pid", "0")) or None
        assert pid, "the server reports its pid"
        os.kill(pid, signal.SIGKILL)
    status = None
    with running_server(env) as url:
        deadline = time.monotonic() + 180
        while True:
            status = httpx.get(f"{url}/v1/jobs/{job['id']}").json()
            if status["state"] == "done":
                break
            assert time.monotonic() < deadline, status
            time.sleep(0.1)
        rows = [json.loads(x) for x in httpx.get(f"{url}/v1/jobs/{job['id']}/results", timeout=60).text.splitlines()]
    assert [r["id"] for r in rows] == [d["id"] for d in documents]
    assert status["done"] == 120 and status["failed"] == 0


def test_job_counters_are_kept_as_results_are_saved_and_a_saved_result_counts_once(tmp_path) -> None:
    from tomtat.service.archive.input_record import InputRecord
    from tomtat.service.jobs.store import JobOptions, JobStore
    from tomtat.service.runtime.keys import ExtractiveKey, SummaryPlan

    store = JobStore(tmp_path / "tomtat.db")
    options = JobOptions(SummaryPlan("extractive", ExtractiveKey(3)))
    job = store.create(options, [InputRecord(f"r{i}", "Giá vàng tăng.") for i in range(6)])
    failed = [{"id": f"r{i}", "error": {"code": "empty_text", "message": "empty"}} for i in range(3)]
    other = [{"id": "r3", "error": {"code": "not_vietnamese", "message": "English"}}]
    store.save(job.id, [*failed, *other, {"id": "r4", "summary": "Giá vàng tăng."}])
    store.save(job.id, failed)  # saved again after a crash: nothing counted twice
    found = store.get(job.id)
    assert found is not None and (found.done, found.failed) == (5, 4)
    assert found.errors == {"empty_text": 3, "not_vietnamese": 1}
    store.close()
    reopened = JobStore(tmp_path / "tomtat.db")  # the counters survive a restart as they are
    again = reopened.get(job.id)
    assert again is not None and again.errors == {"empty_text": 3, "not_vietnamese": 1} and again.done == 5
    reopened.close()


def test_a_slow_database_call_never_stalls_the_event_loop(tmp_path: Path) -> None:
    """A job read stuck in SQLite (a long write holds the file) while ``/healthz`` is asked: the
    health answer comes first, because routes read the store in a thread, never on the loop."""
    import threading

    with client_for(checkpoint_dir=tmp_path / "none", models=[]) as client:
        store = client.app.state.job_store
        job = client.post("/v1/jobs", json={"documents": ["Giá vàng tăng."], "engine": "extractive"}).json()
        entered, release, order = threading.Event(), threading.Event(), []
        plain_get = store.get

        def stuck_get(*args, **kwargs):
            entered.set()
            release.wait(timeout=30)  # a stalled loop would let this time out first
            order.append("database answered")
            return plain_get(*args, **kwargs)

        store.get = stuck_get
        waiting = threading.Thread(target=lambda: order.append(client.get(f"/v1/jobs/{job['id']}").status_code))
        waiting.start()
        assert entered.wait(timeout=30)
        order.append(f"healthz {client.get('/healthz').status_code}")
        release.set()
        waiting.join()
        store.get = plain_get
    # (the job runner shares the store: its own stuck reads may be in the list too, in any place after
    # the health answer, so only the health answer's place and the route's answer are asserted)
    assert order[0] == "healthz 200" and 200 in order and "database answered" in order


def test_every_write_to_a_job_tells_its_followers(tmp_path: Path) -> None:
    from tomtat.service.archive.input_record import InputRecord
    from tomtat.service.jobs.store import JobOptions, JobStore
    from tomtat.service.runtime.keys import ExtractiveKey, SummaryPlan

    store = JobStore(tmp_path / "tomtat.db")
    told: list[str] = []
    store.on_change = told.append
    job = store.create(JobOptions(SummaryPlan("extractive", ExtractiveKey(3))), [InputRecord("r", "Giá vàng tăng.")])
    after_create = len(told)
    store.set_state(job.id, "running")
    store.save(job.id, [{"id": "r", "summary": "Giá vàng tăng."}])
    store.set_state(job.id, "done")
    assert after_create >= 1 and told[after_create:] == [job.id] * 3 and set(told) == {job.id}
    store.close()
