"""Saved web pages and WARC crawls as archive input: a WARC written here with warcio (news pages with
menus, related-story lists, comments and footers around the article, an image, a 404, an English page
and a page without an article, plus the request and warcinfo records a crawler writes), read by
``tomtat batch`` locally, on Ray and through the jobs upload."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.builders import news_page
from tests.service_helpers import client_for
from tests.test_archive import ENGLISH, article
from tests.test_cli import COMMAND
from tests.test_jobs import wait_done
from tomtat.models.summarizer import ExtractiveSummarizer
from tomtat.service.archive.records import read_records

SITE = "https://tinnhanh.example.vn"


def paragraphs(i: int) -> list[str]:
    return [f"{sentence}." for sentence in article(i + 2).rstrip(".").split(". ")]


def stories() -> dict[str, tuple[str, list[str]]]:
    return {f"{SITE}/thoi-su/bai-{i}.html": (f"Tiêu đề bài số {i}", paragraphs(i)) for i in range(3)}


def write_crawl(path: Path) -> None:
    """What a crawler leaves: warcinfo, then a request and a response per URL (gzip per record)."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=path.name.endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test crawler"}))

        def capture(url: str, status: str, content_type: str, body: bytes) -> None:
            request = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "tinnhanh.example.vn")], is_http_request=True)
            writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )

        for url, (title, body) in stories().items():
            capture(url, "200 OK", "text/html; charset=utf-8", news_page(title, body).encode())
        capture(f"{SITE}/anh/cau.jpg", "200 OK", "image/jpeg", b"\xff\xd8\xff\xe0 not really a jpeg")
        capture(f"{SITE}/bai-da-xoa.html", "404 Not Found", "text/html", b"<html><body>Not found</body></html>")
        english = news_page("Council approves budget", [ENGLISH, ENGLISH.replace("Monday", "Tuesday")])
        capture(f"{SITE}/en/budget.html", "200 OK", "text/html", english.encode())
        links = "".join(f'<li><a href="/tin-{i}.html">Tin {i}</a></li>' for i in range(20))
        capture(f"{SITE}/chuyen-muc/", "200 OK", "text/html", f"<html><body><ul>{links}</ul></body></html>".encode())


def test_a_crawl_reads_as_one_record_per_page_with_its_article(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl)
    everything = list(read_records(crawl))
    skipped = {r.id.removeprefix(SITE): r.skipped for r in everything if r.skipped}
    assert skipped == {"/anh/cau.jpg": "not_html", "/bai-da-xoa.html": "http_status"}  # not pages: skipped
    records = [r for r in everything if not r.skipped]
    assert [r.id for r in records] == [*stories(), f"{SITE}/en/budget.html", f"{SITE}/chuyen-muc/"]
    for record, (url, (title, body)) in zip(records, stories().items(), strict=False):
        assert record.text is not None and record.text.splitlines() == body  # the article, nothing around it
        meta = dict(record.meta or {})
        assert meta.pop("capture_date") and meta.pop("warc_record_id").startswith("<urn:uuid:")
        assert meta == {"url": url, "title": title, "date": "2024-03-15", "captures": 1}
    codes = {r.id.removeprefix(SITE): r.error[0] for r in records if r.error}
    assert codes == {"/chuyen-muc/": "no_article"}
    english = records[3]
    assert english.error is None and english.text and english.text.startswith("The council")


def test_batch_over_a_crawl_and_a_folder_of_pages(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    (folder / "2024" / "03").mkdir(parents=True)
    write_crawl(folder / "crawl.warc")  # plain, not gzipped
    (folder / "2024" / "03" / "cau-moi.html").write_text(news_page("Cầu mới", paragraphs(5)), encoding="utf-8")
    (folder / "ghi-chu.txt").write_text(article(1), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    run = subprocess.run(
        [*COMMAND, "batch", str(folder), "-o", str(output), "--engine", "extractive", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 5, run.stderr[-2000:]  # records failed (English, no article): exit 5, never a crash
    assert "2 crawl captures skipped (1 http_status, 1 not_html)" in run.stderr  # not pages: counted, not failed
    rows = {row["id"]: row for row in map(json.loads, output.read_text(encoding="utf-8").splitlines())}
    page = rows["2024/03/cau-moi.html"]
    assert page["title"] == "Cầu mới" and page["date"] == "2024-03-15" and "url" not in page
    expected = ExtractiveSummarizer().summarize(["\n".join(paragraphs(5))])[0].summary
    assert page["summary"] == expected  # summarized from the article alone
    for url, (title, _) in stories().items():
        assert rows[url]["url"] == url and rows[url]["title"] == title and rows[url]["summary"]
    errors = {key: row["error"]["code"] for key, row in rows.items() if "error" in row}
    assert errors == {f"{SITE}/en/budget.html": "not_vietnamese", f"{SITE}/chuyen-muc/": "no_article"}
    assert rows["ghi-chu.txt"]["summary"]
    assert len(rows) == 7


def test_a_crawl_uploaded_as_a_job(tmp_path: Path, model_dir: Path) -> None:
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl)
    with client_for(checkpoint_dir=model_dir / "none") as client:
        response = client.post(
            "/v1/uploads",
            files={"file": ("crawl.warc.gz", crawl.read_bytes())},
            data={"options": json.dumps({"engine": "extractive"})},
        )
        assert response.status_code == 202, response.text
        job = wait_done(client, response.json()["id"])
        rows = [json.loads(line) for line in client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert [r["id"] for r in rows][:3] == list(stories())
    assert [(r["url"], r["title"]) for r in rows[:3]] == [(u, t) for u, (t, _) in stories().items()]
    assert job["errors"] == {"not_vietnamese": 1, "no_article": 1}  # the image and the 404 are no job records
    assert job["total"] == 5


@pytest.mark.ray  # not in the fast tier
def test_a_crawl_on_ray(tmp_path: Path) -> None:
    pytest.importorskip("ray.data", reason="the ray extra is not installed")
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl)
    output = tmp_path / "ray-out"
    run = subprocess.run(
        [
            *COMMAND,
            "batch",
            str(crawl),
            "-o",
            str(output),
            "--engine",
            "extractive",
            "--executor",
            "ray",
            "--no-progress",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 5, run.stderr[-3000:]
    rows = {
        r["id"]: r for f in output.glob("*.json") for r in map(json.loads, f.read_text(encoding="utf-8").splitlines())
    }
    assert set(rows) == {*stories(), f"{SITE}/en/budget.html", f"{SITE}/chuyen-muc/"}  # not pages: skipped
    for url, (title, _) in stories().items():
        assert rows[url]["title"] == title and rows[url]["url"] == url and rows[url]["summary"]
    assert rows[f"{SITE}/chuyen-muc/"]["error"]["code"] == "no_article"
