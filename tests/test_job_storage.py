"""What jobs keep on disk: limits per key and for the server (413 / 507, nothing half-stored), a
cancel that frees the job's inputs, a purge that leaves nothing, and the retention setting."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.builders import extractive_job_options
from tests.service_helpers import client_for
from tests.test_archive import article
from tests.test_jobs import wait_done, wait_read
from tomtat.service.api import auth
from tomtat.service.api.auth import KeyStore
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.jobs.store import JobStore

EXTRACTIVE = {"engine": "extractive"}


def documents(count: int, start: int = 0) -> list[dict[str, str]]:
    return [{"id": f"a{i}", "text": article(i)} for i in range(start, start + count)]


def stored(data_dir: Path, owner: str | None = None) -> tuple[int, int]:
    store = JobStore(data_dir / "tomtat.db")
    try:
        return store.stored_bytes(owner)
    finally:
        store.close()


def test_a_job_past_the_keys_limit_is_refused_whole_and_another_key_is_not_charged(tmp_path: Path) -> None:
    keys = KeyStore(tmp_path / "tomtat.db")
    desk_a = keys.add("desk-a", requests_per_minute=1000, chars_per_minute=10_000_000)
    desk_b = keys.add("desk-b", requests_per_minute=1000, chars_per_minute=10_000_000)
    a, b = ({"Authorization": f"Bearer {secret}"} for _, secret in (desk_a, desk_b))
    one_job = sum(len(d["text"].encode()) for d in documents(20))
    settings = {"checkpoint_dir": tmp_path / "none", "models": [], "data_dir": tmp_path, "require_api_keys": True}
    with client_for(**settings, max_stored_bytes_per_key=int(one_job * 1.5)) as client:
        store = client.app.state.job_store
        first = client.post("/v1/jobs", json={"documents": documents(20), **EXTRACTIVE}, headers=a)
        assert first.status_code == 202, first.text
        owner_a = next(key.id for key in keys.list() if key.name == "desk-a")
        wait_done(client, first.json()["id"], headers=a)
        before = store.stored_bytes(owner_a)
        assert before[0] > one_job  # its inputs and its results (which are never refused)
        second = client.post("/v1/jobs", json={"documents": documents(20, 20), **EXTRACTIVE}, headers=a)
        assert second.status_code == 413, second.text
        error = second.json()["error"]
        assert error["code"] == "storage_quota" and "purge=true" in error["message"]
        assert store.stored_bytes(owner_a) == before  # the refused job left nothing
        listed = client.get("/v1/jobs", headers=a).json()["jobs"]
        assert [job["id"] for job in listed] == [first.json()["id"]]
        other = client.post("/v1/jobs", json={"documents": documents(20), **EXTRACTIVE}, headers=b)
        assert other.status_code == 202, other.text
        assert store.stored_bytes(owner_a)[0] == before[0] < store.stored_bytes(owner_a)[1]


def test_the_servers_limit_is_507_and_an_upload_past_it_leaves_no_file(tmp_path: Path) -> None:
    upload = tmp_path / "articles.jsonl"
    upload.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents(50)), encoding="utf-8")
    data_dir = tmp_path / "data"
    with client_for(checkpoint_dir=tmp_path / "none", models=[], data_dir=data_dir, max_stored_bytes=10_000) as client:
        answer = client.post(
            "/v1/uploads",
            files={"file": (upload.name, upload.read_bytes())},
            data={"options": json.dumps(EXTRACTIVE)},
        )
        assert answer.status_code == 507, answer.text
        assert answer.json()["error"]["code"] == "storage_full"
        assert list((data_dir / "uploads").iterdir()) == []  # neither the kept copy nor the incoming one
        small = client.post("/v1/jobs", json={"documents": documents(1), **EXTRACTIVE})
        assert small.status_code == 202, small.text  # what fits is still taken


def test_an_upload_whose_records_pass_the_limit_fails_with_why(tmp_path: Path) -> None:
    upload = tmp_path / "articles.jsonl"
    upload.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in documents(3000)), encoding="utf-8")
    file_size = upload.stat().st_size  # the file fits; its records, stored beside it while it is read, do not
    data_dir = tmp_path / "data"
    with client_for(
        checkpoint_dir=tmp_path / "none", models=[], data_dir=data_dir, max_stored_bytes=int(file_size * 1.5)
    ) as client:
        answer = client.post(
            "/v1/uploads", files={"file": (upload.name, upload.read_bytes())}, data={"options": json.dumps(EXTRACTIVE)}
        )
        assert answer.status_code == 202, answer.text
        job = wait_read(client, answer.json()["id"])
        assert job["state"] == "failed" and "storage is full" in job["error"], job
        assert list((data_dir / "uploads").iterdir()) == []
    assert stored(data_dir) == (0, 0)


def test_cancel_frees_the_inputs_and_purge_leaves_nothing(tmp_path: Path) -> None:
    with client_for(checkpoint_dir=tmp_path / "none", models=[], data_dir=tmp_path) as client:
        done = client.post("/v1/jobs", json={"documents": documents(5), **EXTRACTIVE}).json()
        assert wait_done(client, done["id"])["state"] == "done"
        with_results = stored(tmp_path)[1]
        kept = client.delete(f"/v1/jobs/{done['id']}")  # a finished job: nothing to cancel, its inputs stay
        assert kept.status_code == 200 and kept.json()["state"] == "done"
        assert stored(tmp_path)[1] == with_results
        results = client.get(f"/v1/jobs/{done['id']}/results").text.splitlines()
        assert len(results) == 5

        purged = client.delete(f"/v1/jobs/{done['id']}", params={"purge": "true"})
        assert purged.status_code == 204 and purged.content == b""
        assert client.get(f"/v1/jobs/{done['id']}").status_code == 404
        assert client.get(f"/v1/jobs/{done['id']}/results").status_code == 404
        assert stored(tmp_path) == (0, 0)


def test_a_cancelled_jobs_inputs_are_deleted_and_its_results_kept(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "tomtat.db")
    job = store.create(extractive_job_options(), [InputRecord(f"r{i}", article(i)) for i in range(4)])
    store.save(job.id, [{"id": "r0", "summary": "Một câu."}])
    inputs_and_result = store.stored_bytes(None)[1]
    store.set_state(job.id, "cancelled")
    store.drop_inputs(job.id)
    result_only = store.stored_bytes(None)[1]
    assert 0 < result_only < inputs_and_result
    assert store.pending(job.id, 10) == []
    assert [json.loads(line)["id"] for line in store.results(job.id)] == ["r0"]


def test_retention_deletes_only_jobs_that_ended_before_it(tmp_path: Path) -> None:
    store = JobStore(tmp_path / "tomtat.db")
    old, recent, queued = (store.create(extractive_job_options(), [InputRecord("r", article(i))]) for i in range(3))
    store.set_state(old.id, "done")
    cutoff = time.time()
    store.set_state(recent.id, "done")
    assert store.expire(cutoff) == 1
    assert store.get(old.id) is None
    assert store.get(recent.id) is not None and store.get(queued.id) is not None  # ended later / still queued


def test_a_job_larger_than_its_keys_minute_is_paced_and_other_keys_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twice a key's characters per minute in one job: accepted (never an impossible Retry-After), run a
    minute's worth at a time; another key's job, sent after it, finishes while it waits."""
    monkeypatch.setattr(auth, "WINDOW_S", 1.0)  # a "minute" short enough for a test
    keys = KeyStore(tmp_path / "tomtat.db")
    _, slow = keys.add("slow", requests_per_minute=1000, chars_per_minute=3000)
    _, other = keys.add("other", requests_per_minute=1000, chars_per_minute=1_000_000)
    big = [{"id": f"a{i}", "text": ((article(i) + " ") * 8)[:650]} for i in range(10)]
    assert sum(len(d["text"]) for d in big) > 2 * 3000 and all(len(d["text"]) < 3000 for d in big)
    settings = {"checkpoint_dir": tmp_path / "none", "models": [], "data_dir": tmp_path, "require_api_keys": True}
    with client_for(**settings, max_batch_size=2) as client:
        headers = {"Authorization": f"Bearer {slow}"}
        sent = time.monotonic()
        paced = client.post("/v1/jobs", json={"documents": big, **EXTRACTIVE}, headers=headers)
        assert paced.status_code == 202, paced.text  # 6,000 characters for a 3,000-a-minute key
        headers_other = {"Authorization": f"Bearer {other}"}
        quick = client.post("/v1/jobs", json={"documents": documents(2), **EXTRACTIVE}, headers=headers_other)
        assert wait_done(client, quick.json()["id"], headers=headers_other)["state"] == "done"
        assert client.get(f"/v1/jobs/{paced.json()['id']}", headers=headers).json()["state"] != "done"
        finished = wait_done(client, paced.json()["id"], headers=headers)
        took = time.monotonic() - sent
    assert (finished["state"], finished["done"]) == ("done", 10)
    assert took >= 2.0  # two windows waited (6,000 characters cannot go in one)
