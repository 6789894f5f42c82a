"""Archive uploads to the jobs API are streamed: a 200 MB file goes through a real server with its peak
memory within +100 MB and /healthz answering all along, answered 202 before its records are read; the
file sent again (or the same Idempotency-Key) is the same job, even while it is read; the upload limit
is its own, not the 4 MB limit of JSON bodies."""

from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import client_for, running_server
from tests.test_archive import article
from tests.test_jobs import wait_done, wait_read
from tomtat.service.jobs.store import JobStore

EXTRACTIVE = {"options": json.dumps({"engine": "extractive"})}


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def write_archive(path: Path, megabytes: int) -> int:
    """A JSONL archive of about ``megabytes`` MB: articles of ~4 KB, each id once."""
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        while handle.tell() < megabytes * 1_000_000:
            text = " ".join(article(count + k) for k in range(12))
            handle.write(json.dumps({"id": f"a{count}", "text": text}, ensure_ascii=False) + "\n")
            count += 1
    return count


@pytest.mark.slow  # not in the fast tier
def test_a_200_mb_upload_keeps_memory_flat_and_the_server_answering(tmp_path: Path) -> None:
    archive = tmp_path / "big.jsonl"
    records = write_archive(archive, 200)
    empty = tmp_path / "none"
    empty.mkdir()
    with running_server({"TOMTAT_CHECKPOINT_DIR": str(empty)}) as url:
        pid = int(httpx.get(url + "/healthz").headers["X-Tomtat-Pid"])
        baseline = rss_bytes(pid)
        peak, health, stop = [baseline], [], threading.Event()

        def watch() -> None:
            while not stop.is_set():
                peak.append(rss_bytes(pid))
                started = time.perf_counter()
                status = httpx.get(url + "/healthz", timeout=10).status_code
                health.append((status, time.perf_counter() - started))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        with archive.open("rb") as handle:  # httpx streams a file object in chunks
            response = httpx.post(
                url + "/v1/uploads", files={"file": ("big.jsonl", handle)}, data=EXTRACTIVE, timeout=600
            )
        assert response.status_code == 202, response.text[:500]
        job = response.json()
        assert job["state"] == "reading" and job["name"] == "big.jsonl"  # answered before its records are read
        again = httpx.post(url + "/v1/uploads", files={"file": ("big.jsonl", archive.read_bytes())}, data=EXTRACTIVE,
                           timeout=600)  # fmt: skip
        assert again.json()["id"] == job["id"] and again.json()["resent"]  # a retry while it is read: same job
        with httpx.Client(base_url=url) as client:
            job = wait_read(client, job["id"])
        stop.set()
        watcher.join()
        assert job["total"] == records and job["state"] in ("queued", "running", "done")
        httpx.delete(f"{url}/v1/jobs/{job['id']}")  # the upload is what is measured, not the summaries
    grown = max(peak) - baseline
    assert grown <= 100 * 1024 * 1024, (
        f"peak RSS grew by {grown / 1e6:.0f} MB for a {archive.stat().st_size / 1e6:.0f} MB upload"
    )
    assert len(health) >= 20 and all(status == 200 for status, _ in health)
    assert max(seconds for _, seconds in health) < 2.0, max(health)
    print(f"200 MB upload: {records} records, peak RSS +{grown / 1e6:.0f} MB, {len(health)} /healthz answers, "
          f"slowest {max(s for _, s in health) * 1000:.0f} ms")  # fmt: skip


def test_the_same_file_sent_again_is_the_same_job(tmp_path: Path) -> None:
    archive = tmp_path / "kho.jsonl"
    write_archive(archive, 1)
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        first = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE).json()
        again = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE).json()
        assert again["id"] == first["id"] and "uploaded before" in again["note"]
        assert (first["resent"], again["resent"]) == (False, True)
        other = {"options": json.dumps({"engine": "extractive", "sentences": 2})}
        different = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=other)
        assert different.json()["id"] != first["id"]  # other options: another job
        assert len(client.get("/v1/jobs").json()["jobs"]) == 2
        client.delete(f"/v1/jobs/{first['id']}")
        resent = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE)
        assert resent.json()["id"] != first["id"]  # a cancelled job is not reused


def test_uploads_have_their_own_size_limit(tmp_path: Path) -> None:
    archive = tmp_path / "kho.jsonl"
    write_archive(archive, 6)  # over the 4 MB limit of JSON bodies
    with client_for(checkpoint_dir=tmp_path / "none", max_upload_bytes=5_000_000) as client:
        refused = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE)
        assert refused.status_code == 413 and refused.json()["error"]["code"] == "body_too_large"
        assert "5000000" in refused.json()["error"]["message"]
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        accepted = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE)
        assert accepted.status_code == 202, accepted.text[:300]
        big_json = {"documents": [article(1) * 40] * 1200}  # ~6 MB of JSON: still the JSON limit
        assert client.post("/v1/jobs", json=big_json).status_code == 413


def test_a_job_over_the_record_limit_fails_saying_why_and_keeps_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "kho.jsonl"
    count = write_archive(archive, 1)
    data_dir = tmp_path / "data"
    with client_for(checkpoint_dir=tmp_path / "none", max_job_records=count - 1, data_dir=data_dir) as client:
        accepted = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE)
        assert accepted.status_code == 202
        job = wait_read(client, accepted.json()["id"])
        assert job["state"] == "failed" and f"at most {count - 1} records" in job["error"] and job["total"] == 0
        assert list((data_dir / "uploads").iterdir()) == []  # the kept file is gone
        refused = client.post("/v1/jobs", json={"documents": [article(1)] * count})
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "too_many_texts"  # JSON: at once


def test_the_same_idempotency_key_is_the_same_job(tmp_path: Path) -> None:
    archive = tmp_path / "kho.jsonl"
    write_archive(archive, 1)
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        headers = {"Idempotency-Key": "cms-export-2024-03-15"}
        first = client.post("/v1/jobs", json={"documents": [article(1)], "engine": "extractive"}, headers=headers)
        again = client.post("/v1/jobs", json={"documents": [article(2)], "engine": "extractive"}, headers=headers)
        assert again.json()["id"] == first.json()["id"] and again.json()["resent"]
        upload = {"Idempotency-Key": "upload-1"}
        sent = client.post("/v1/uploads", files={"file": ("a.jsonl", archive.read_bytes())}, data=EXTRACTIVE,
                           headers=upload)  # fmt: skip
        other_bytes = archive.read_bytes() + b"\n"  # a client that re-serialised the file: the key decides
        resent = client.post("/v1/uploads", files={"file": ("a.jsonl", other_bytes)}, data=EXTRACTIVE, headers=upload)
        assert resent.json()["id"] == sent.json()["id"]
        assert len(client.get("/v1/jobs").json()["jobs"]) == 2


@pytest.mark.slow  # not in the fast tier
def test_an_upload_a_restart_cut_off_is_read_again_at_the_next_start(tmp_path: Path) -> None:
    archive = tmp_path / "kho.jsonl"
    count = write_archive(archive, 1)
    data_dir = tmp_path / "data"
    with client_for(checkpoint_dir=tmp_path / "none", data_dir=data_dir) as client:
        sent = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE)
        options = wait_done(client, sent.json()["id"])
    # what a server stopped while reading leaves behind: jobs in state "reading", one with its kept file
    store = JobStore(data_dir / "tomtat.db")
    accepted = store.get(options["id"], any_owner=True)
    assert accepted is not None
    copy = store.uploads / "incoming-copy.jsonl"
    shutil.copy(archive, copy)
    cut, kept = store.open_upload(accepted.options, None, "lai.jsonl", "another-digest", "key-1", copy)
    lost, lost_file = store.open_upload(accepted.options, None, "mat.jsonl", "a-third-digest", None, archive)
    assert kept is not None and lost_file is not None and cut.state == lost.state == "reading"
    lost_file.unlink()
    store.close()
    with client_for(checkpoint_dir=tmp_path / "none", data_dir=data_dir) as client:
        resumed = wait_done(client, cut.id)
        assert resumed["state"] == "done" and resumed["total"] == count and resumed["failed"] == 0
        gone = client.get(f"/v1/jobs/{lost.id}").json()
        assert gone["state"] == "failed" and "send the file again" in gone["error"]
    assert list((data_dir / "uploads").iterdir()) == []


def test_a_file_whose_job_has_failed_records_sent_again_is_the_same_job(tmp_path: Path) -> None:
    archive = tmp_path / "kho.jsonl"
    archive.write_text(json.dumps({"id": "a", "text": article(1)}) + "\n" + json.dumps({"id": "b", "text": " "}) + "\n")
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        first = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE).json()
        assert wait_done(client, first["id"])["failed"] == 1
        again = client.post("/v1/uploads", files={"file": ("kho.jsonl", archive.read_bytes())}, data=EXTRACTIVE).json()
        assert again["id"] == first["id"] and again["resent"] and again["errors"] == {"empty_text": 1}
