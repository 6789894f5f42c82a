"""Bounds on what a small input can inflate to: a Word document whose text inflates past its cap, a crawl
page that inflates past any news page, and records longer than the limit for one text, on every path
(jobs, ``tomtat batch``), each an error for that input, never memory grown without bound."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.service_helpers import client_for
from tests.test_archive import article
from tests.test_cli import COMMAND
from tests.test_jobs import wait_done
from tomtat.service.archive import articles, webarchive
from tomtat.service.archive.articles import ArticleFormatError, from_docx
from tomtat.service.archive.records import read_records


def bomb_docx(inflated_bytes: int) -> bytes:
    """A .docx whose document.xml is small zipped and ``inflated_bytes`` unzipped."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "<w:p/>" * (inflated_bytes // 6)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def test_a_word_file_that_inflates_past_its_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(articles, "MAX_DOCX_XML_BYTES", 2_000_000)
    data = bomb_docx(6_000_000)
    assert len(data) < 100_000
    with pytest.raises(ArticleFormatError) as refused:
        from_docx(data)
    assert refused.value.code == "too_large"
    assert from_docx(bomb_docx(100_000)).text == ""  # under the cap: read (no text in it)


def test_extract_answers_a_docx_bomb_with_a_4xx(tmp_path: Path) -> None:
    data = bomb_docx(articles.MAX_DOCX_XML_BYTES + 6_000_000)  # the real cap: ~56 MB inflated, ~60 KB sent
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        response = client.post("/v1/extract", files={"file": ("bom.docx", data)})
    assert response.status_code == 422 and response.json()["error"]["code"] == "too_large"


def test_a_crawl_page_that_inflates_past_any_news_page_is_an_error_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webarchive, "MAX_PAGE_BYTES", 1_000_000)
    crawl = tmp_path / "bom.warc.gz"
    with crawl.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        page = b"<html><body>" + b"<p>a</p>" * 400_000 + b"</body></html>"  # 3.2 MB, a few KB gzipped
        writer.write_record(writer.create_warc_record("https://x.vn/bom", "response", payload=io.BytesIO(page),
                                                      http_headers=headers))  # fmt: skip
    assert crawl.stat().st_size < 100_000
    records = list(read_records(crawl))
    assert [(r.id, r.error[0] if r.error else None) for r in records] == [("https://x.vn/bom", "too_large")]


def test_job_records_and_batch_records_keep_the_limit_for_one_text(tmp_path: Path) -> None:
    long_text = " ".join(article(i) for i in range(40))  # ~8,000 characters
    with client_for(checkpoint_dir=tmp_path / "none", max_chars=2_000) as client:
        response = client.post("/v1/jobs", json={"documents": [article(1), long_text], "engine": "extractive"})
        assert response.status_code in (200, 201, 202), response.text
        job = wait_done(client, response.json()["id"])
        rows = [json.loads(line) for line in client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
    assert "summary" in rows[0] and rows[1]["error"]["code"] == "text_too_long"
    source = tmp_path / "kho.jsonl"
    markup = "<p>" + "<span></span>" * 2_000 + article(1) + "</p>"  # 26,000 characters of markup, one sentence
    lines = [{"id": "ngan", "text": article(1)}, {"id": "dai", "text": long_text}, {"id": "the", "text": markup}]
    source.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    run = subprocess.run(
        [
            *COMMAND,
            "batch",
            str(source),
            "-o",
            str(output),
            "--engine",
            "extractive",
            "--no-progress",
            "--max-chars",
            "1000",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 5, run.stderr[-2000:]
    results = {row["id"]: row for row in map(json.loads, output.read_text(encoding="utf-8").splitlines())}
    assert "summary" in results["ngan"]
    assert results["dai"]["error"]["code"] == "text_too_long"
    assert results["the"]["error"]["code"] == "text_too_long"  # over 20x the limit: refused unread
