"""What the web app needs from the API, tested over HTTP: article extraction from files, the caller's
job list, progress figures, CSV results, Parquet uploads with the file's fields on a wrong field,
and the count of requests dropped because their caller went away."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from prometheus_client import generate_latest

from tests.builders import news_page
from tests.service_helpers import client_for, metric, models_env, running_server
from tests.test_access import _keys
from tests.test_archive import article
from tests.test_jobs import wait_done
from tomtat.service.archive.articles import from_html
from tomtat.service.metrics import Metrics
from tomtat.service.runtime.batch_worker import BatchWorker


@pytest.fixture(scope="module")
def served(model_dir: Path):
    with client_for(checkpoint_dir=model_dir, models=["vit5-base-vietnews"]) as client:
        yield client


def docx_bytes(paragraphs: list[str]) -> bytes:
    """A minimal Word document as Word writes it: a zip with word/document.xml."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    bold = "<w:rPr><w:b/></w:rPr>"  # each paragraph in two runs, the second bold: text is split across runs
    body = "".join(
        f"<w:p><w:r><w:t>{p[: len(p) // 2]}</w:t></w:r><w:r>{bold}<w:t>{p[len(p) // 2 :]}</w:t></w:r></w:p>"
        for p in paragraphs
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def test_extract_a_news_page_keeps_the_article_and_drops_the_rest(served) -> None:
    paragraphs = article(3).split(". ")
    page = news_page("Cầu đi bộ mới", paragraphs, date="2024-03-15")
    response = served.post("/v1/extract", files={"file": ("bai.html", page.encode(), "text/html")})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["title"] == "Cầu đi bộ mới" and body["date"] == "2024-03-15"
    assert body["text"].splitlines() == paragraphs  # the body, paragraph by paragraph
    for noise in ("Trang chủ", "Xem thêm", "Bình luận", "Bản quyền"):
        assert noise not in body["text"]


def test_extract_word_and_text_files(served) -> None:
    paragraphs = ["Đoạn thứ nhất của bài.", "Đoạn thứ hai, có chữ đậm ở giữa."]
    docx = served.post("/v1/extract", files={"file": ("bai.docx", docx_bytes(paragraphs))})
    assert docx.status_code == 200 and docx.json()["text"].splitlines() == paragraphs
    text = served.post("/v1/extract", files={"file": ("bai.txt", "\ufeffMột bài.\n".encode())})
    assert text.json() == {"text": "Một bài.", "title": None, "date": None}


@pytest.mark.parametrize(
    ("name", "data", "status", "code"),
    [
        ("bai.pdf", b"%PDF-1.7", 415, "unsupported_media_type"),
        ("bai.docx", b"not a zip", 422, "invalid_file"),
        ("bai.txt", b"\xff\xfe\xfa", 422, "invalid_file"),
        ("bai.html", b"<html><body><nav><a href='/'>Trang ch\xe1\xbb\xa7</a></nav></body></html>", 422, "no_article"),
    ],
)
def test_extract_refuses_what_it_cannot_read(served, name: str, data: bytes, status: int, code: str) -> None:
    response = served.post("/v1/extract", files={"file": (name, data)})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code and response.json()["error"]["field"] == "file"


def test_a_page_without_an_article_is_none() -> None:
    assert from_html("<html><body><ul><li><a href='/a'>Tin khác</a></li></ul></body></html>") is None


def test_job_list_progress_and_csv_results(served) -> None:
    documents = [{"id": f"d{i}", "text": article(i)} for i in range(6)] + [{"id": "blank", "text": " "}]
    job = served.post("/v1/jobs", json={"documents": documents, "engine": "extractive"}).json()
    final = wait_done(served, job["id"])
    assert final["errors"] == {"empty_text": 1} and final["failed"] == 1
    assert final["docs_per_second"] > 0 and final["eta_seconds"] is None  # finished: nothing left
    listed = served.get("/v1/jobs", params={"limit": 200}).json()["jobs"]
    assert listed[0]["id"] == job["id"]  # newest first
    assert [j["created"] for j in listed] == sorted((j["created"] for j in listed), reverse=True)
    response = served.get(f"/v1/jobs/{job['id']}/results", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert f'filename="{job["id"]}.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    jsonl = [json.loads(line) for line in served.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert [r["id"] for r in rows] == [r["id"] for r in jsonl] == [d["id"] for d in documents]
    assert [r["summary"] for r in rows[:6]] == [r["summary"] for r in jsonl[:6]]
    assert rows[6]["error_code"] == "empty_text" and rows[6]["summary"] == ""
    assert [json.loads(r["flags"]) for r in rows[:6]] == [r["flags"] for r in jsonl[:6]]
    assert served.get("/v1/jobs", params={"limit": 0}).status_code == 422


def test_the_job_list_holds_only_the_callers_jobs(model_dir: Path, tmp_path: Path) -> None:
    desk_a, desk_b = _keys(tmp_path)
    with client_for(checkpoint_dir=model_dir / "none", data_dir=tmp_path, require_api_keys=True) as client:
        mine = client.post("/v1/jobs", json={"documents": [article(1)], "engine": "extractive"}, headers=desk_a)
        theirs = client.post("/v1/jobs", json={"documents": [article(2)], "engine": "extractive"}, headers=desk_b)
        listed_a = [j["id"] for j in client.get("/v1/jobs", headers=desk_a).json()["jobs"]]
        listed_b = [j["id"] for j in client.get("/v1/jobs", headers=desk_b).json()["jobs"]]
        assert listed_a == [mine.json()["id"]] and listed_b == [theirs.json()["id"]]
        assert client.get("/v1/jobs").status_code == 401


def test_parquet_upload_and_the_files_fields_on_a_wrong_field(served, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    table = pa.table({"ma_bai": ["p1", "p2", "p3"], "noi_dung": [article(1), article(2), article(3)]})
    path = tmp_path / "kho.parquet"
    pq.write_table(table, path)
    data = path.read_bytes()
    extractive = {"options": '{"engine": "extractive"}'}
    wrong = served.post("/v1/uploads", files={"file": ("kho.parquet", data)}, data=extractive)
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "missing_field"
    assert wrong.json()["error"]["choices"] == ["ma_bai", "noi_dung"]
    options = json.dumps({"engine": "extractive", "text_field": "noi_dung", "id_field": "ma_bai"})
    job = served.post("/v1/uploads", files={"file": ("kho.parquet", data)}, data={"options": options}).json()
    assert job["name"] == "kho.parquet"
    wait_done(served, job["id"])
    ids = [json.loads(line)["id"] for line in served.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert ids == ["p1", "p2", "p3"]


def test_a_request_whose_caller_left_is_dropped_and_counted(model_dir: Path) -> None:
    """The worker busy with one batch; a second caller gives up while queued: its text never runs."""
    metrics = Metrics()
    ran: list[list[str]] = []

    entered, gate = threading.Semaphore(0), threading.Event()

    def run_batch(texts: list[str], _key: object, *_: object) -> list[str]:
        ran.append(texts)
        entered.release()
        gate.wait(30)
        return texts

    async def scenario() -> None:
        worker = BatchWorker(
            "w", run_batch, metrics, max_wait_ms=0, max_batch_size=4, max_batch_tokens=1000, max_queue=10
        )
        worker.start()
        first = asyncio.ensure_future(worker.submit(["busy"], (), tokens=1))
        assert await asyncio.to_thread(entered.acquire, True, 30)  # "busy" is in the model
        second = asyncio.ensure_future(worker.submit(["left"], (), tokens=1))
        await asyncio.sleep(0)  # queued
        second.cancel()  # what unless_disconnected does when the client goes away
        gate.set()
        await first
        for _ in range(100):  # loop steps until the worker has taken (and dropped) the cancelled piece
            await asyncio.sleep(0)
        await worker.stop()

    asyncio.run(scenario())
    assert ran == [["busy"]]
    assert metric(generate_latest(metrics.registry).decode(), "tomtat_dropped_texts_total", worker="w") == 1


@pytest.mark.slow  # not in the fast tier
def test_a_client_that_gives_up_over_http_is_dropped_not_run(model_dir: Path, sample_article: str) -> None:
    """Over a real socket: the caller times out while its request waits behind a long batch; the
    server answers 499 to nobody and its text never reaches the model. (Starlette's ``@app.middleware``
    hid the disconnect from routes: every request used to run to the end.)"""
    heavy = {
        "texts": [sample_article] * 8,
        "engine": "abstractive",
        "options": {"min_new_tokens": 900, "max_length": 1000},
    }
    with running_server(models_env(model_dir, "vit5-base-vietnews")) as url:
        busy = threading.Thread(target=lambda: httpx.post(url + "/v1/summarize", json=heavy, timeout=300))
        busy.start()
        deadline = time.monotonic() + 60
        while metric(httpx.get(url + "/metrics").text, "tomtat_texts_in_model", worker="vit5-base-vietnews") < 8:
            assert time.monotonic() < deadline and busy.is_alive(), "the heavy batch never reached the model"
            time.sleep(0.02)
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url + "/v1/summarize", json={"text": sample_article}, timeout=1.0)
        assert busy.is_alive()
        busy.join()
        time.sleep(0.5)
        text = httpx.get(url + "/metrics").text
    assert metric(text, "tomtat_dropped_texts_total", worker="vit5-base-vietnews") == 1
    assert metric(text, "tomtat_batches_total", worker="vit5-base-vietnews") == 1
    assert metric(text, "tomtat_requests_total", endpoint="/v1/summarize", status="499") == 1
