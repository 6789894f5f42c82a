"""Bounds on what a small input can inflate to: a Word document whose text inflates past its cap, a crawl
page that inflates past any news page, and records longer than the limit for one text, on every path
(jobs, ``tomtat batch``), each an error for that input, never memory grown without bound."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.service_helpers import client_for
from tests.test_archive import article
from tests.test_jobs import wait_done
from tests.test_newsroom_html import batch
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
    run = batch(str(source), "-o", str(output), "--max-chars", "1000")
    assert run.returncode == 5, run.stderr[-2000:]
    results = {row["id"]: row for row in map(json.loads, output.read_text(encoding="utf-8").splitlines())}
    assert "summary" in results["ngan"]
    assert results["dai"]["error"]["code"] == "text_too_long"
    assert results["the"]["error"]["code"] == "text_too_long"  # over 20x the limit: refused unread


def test_textrank_weighs_only_the_first_candidates_of_a_huge_text() -> None:
    from tomtat.models.extractive import MAX_CANDIDATES, select_sentences

    sentences = [f"{article(i % 5 + 1).split('. ')[0]} lần thứ {i} trong năm nay." for i in range(10_000)]
    huge = " ".join(sentences)
    assert select_sentences(huge) == select_sentences(" ".join(sentences[:MAX_CANDIDATES]))


def test_broken_parquet_files_are_4xx_not_500(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    good = tmp_path / "good.parquet"
    pq.write_table(pa.table({"id": ["a", "b"], "text": [article(1), article(2)]}), good)
    data = good.read_bytes()
    broken = {
        "footer.parquet": data[:-12] + b"\x00" * 8 + b"PAR1",
        "cut.parquet": data[: len(data) // 2],
        "json.parquet": b'{"id": 1, "text": "not parquet"}\n',
    }
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        for name, content in broken.items():
            response = client.post("/v1/uploads", files={"file": (name, content)}, data={"options": "{}"})
            assert response.status_code == 422, (name, response.status_code, response.text[:300])
            assert "Parquet" in response.json()["error"]["message"]


def test_two_servers_on_one_data_directory_run_each_job_once(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    documents = [article(i) for i in range(1, 6)]
    with (
        client_for(checkpoint_dir=tmp_path / "none", data_dir=data_dir) as first,
        client_for(checkpoint_dir=tmp_path / "none", data_dir=data_dir) as second,
    ):
        holders = [c.app.state.job_runner.lease.held for c in (first, second)]  # type: ignore[attr-defined]
        assert holders == [True, False]  # one runner per data directory
        sent = second.post("/v1/jobs", json={"documents": documents, "engine": "extractive"})  # to the other one
        job = wait_done(second, sent.json()["id"])
        assert job["state"] == "done" and job["done"] == 5  # run by the lease holder
        assert second.app.state.job_runner.lease.held is False  # type: ignore[attr-defined]
    with client_for(checkpoint_dir=tmp_path / "none", data_dir=data_dir) as again:
        assert again.app.state.job_runner.lease.held  # type: ignore[attr-defined]  # freed at shutdown


def test_a_tiny_parquet_of_huge_rows_is_stored_as_error_records(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    huge = "Giá vàng tăng mạnh. " * 5_000  # 100,000 characters, the same in every row
    source = tmp_path / "bom.parquet"
    table = pa.table({"id": [f"r{i}" for i in range(200)], "text": pa.array([huge] * 200).dictionary_encode()})
    pq.write_table(table, source, use_dictionary=True, compression="zstd")
    assert source.stat().st_size < 50_000  # 20 MB of text in a few kB
    data_dir = tmp_path / "data"
    with client_for(checkpoint_dir=tmp_path / "none", data_dir=data_dir, max_chars=2_000) as client:
        sent = client.post("/v1/uploads", files={"file": ("bom.parquet", source.read_bytes())}, data={"options": "{}"})
        job = wait_done(client, sent.json()["id"])
    assert job["total"] == 200 and job["errors"] == {"text_too_long": 200}
    assert (data_dir / "tomtat.db").stat().st_size < 5_000_000  # the text was never stored


def test_translate_file_holds_the_limit_for_one_text_and_charges_characters(model_dir: Path, tmp_path: Path) -> None:
    """A file's paragraphs are texts like ``q``: one over the limit is refused; the key's quota is charged
    the characters translated (a 40 kB .docx can hold 100k), and a document of more paragraphs than a
    request may send is translated, a request's worth at a time."""
    import docx

    from tests.test_libretranslate_clients import _docx
    from tomtat.service.api.auth import KeyStore

    _, secret = KeyStore(tmp_path / "tomtat.db").add("desk", requests_per_minute=1000, chars_per_minute=60_000)
    settings = {"checkpoint_dir": model_dir, "models": ["envit5"], "data_dir": tmp_path, "require_api_keys": True}
    with client_for(**settings, max_chars=500, max_texts=4, max_queue=8) as client:

        def send(paragraphs: list[str]) -> httpx.Response:
            files = {"file": ("bai.docx", _docx(paragraphs))}
            return client.post("/translate_file", files=files, data={"source": "vi", "target": "en", "api_key": secret})

        too_long = send(["Giá vàng tăng. " * 40])  # 600 characters in one paragraph
        assert too_long.status_code == 400
        assert re.fullmatch(r"Invalid request: file\[0\] has 5\d\d characters; at most 500", too_long.json()["error"])

        sentence = "Giá vàng trong nước tăng mạnh trong phiên sáng nay, người dân đổ xô đi mua. "
        many = [sentence * 2] * 700  # 100k characters, 40 kB zipped
        data = _docx(many)
        assert len(data) < 60_000 < sum(map(len, many))
        over_quota = send(many)
        assert over_quota.status_code == 429, over_quota.text

        paragraphs = [f"Đoạn {i}: giá vàng tăng." for i in range(12)]  # past the 4 a request and the queue's 8
        answer = send(paragraphs)
        assert answer.status_code == 200, answer.text
        link = answer.json()["translatedFileUrl"].split("/download_file/")[1]
        translated = docx.Document(io.BytesIO(client.get(f"/download_file/{link}").content)).paragraphs
        assert len(translated) == 12 and all(
            p.text and p.text != source for p, source in zip(translated, paragraphs, strict=True)
        )


def test_nested_word_paragraphs_are_read_once_each() -> None:
    """20,000 ``<w:p>`` inside each other (a 2 kB file): each paragraph's text once, read in one pass
    (read per paragraph over its subtree, the text was 800 MB and minutes of CPU)."""
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    depth = 20_000
    body = "<w:p><w:r><w:t>Chữ</w:t></w:r>" * depth + "</w:p>" * depth
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>')
    assert len(buffer.getvalue()) < 5_000
    assert from_docx(buffer.getvalue()).text == "\n".join(["Chữ"] * depth)


def test_an_odt_paragraph_inside_another_is_translated_once() -> None:
    """A paragraph inside a paragraph (a note's, a frame's) is its own text: the outer one's text nodes
    stop at it, so it is sent once, and a walk of 500 nested spans visits each node once."""
    from odf import text
    from odf.opendocument import OpenDocumentText

    from tomtat.service.files.formats import FORMATS

    document = OpenDocumentText()
    outer = node = text.P(text="Ngoài")
    for i in range(500):
        span = text.Span(text=f"s{i} ")
        node.addElement(span)
        node = span
    node.addElement(text.P(text="Trong"), check_grammar=False)
    document.text.addElement(outer)
    data = io.BytesIO()
    document.write(data)
    sent: list[str] = []
    FORMATS[".odt"].translate(data.getvalue(), lambda texts: sent.extend(texts) or texts)
    assert sent[1:] == ["Trong"] and sent[0].startswith("Ngoài") and "Trong" not in sent[0]
    assert sent[0].endswith("s499")


def test_plain_records_over_the_limit_are_never_stored_and_html_ones_are_read() -> None:
    """Plain text over the limit is an error before it is stored; HTML up to 20 times it is kept, as its
    markup comes off when it is read (a 3,000-character page of 1,000 characters of text passes)."""
    from tomtat.service.archive.core import bounded_records
    from tomtat.service.archive.input_record import InputRecord

    plain = "Giá vàng tăng. " * 200  # 3,000 characters
    page = "<p>" + "<span class='x'>Giá vàng tăng.</span> " * 60 + "</p>"
    records = [InputRecord("plain", plain), InputRecord("page", page), InputRecord("short", "Giá vàng tăng.")]
    assert len(page) > 2_000
    as_auto = {r.id: r for r in bounded_records(records, 2_000)}
    assert as_auto["plain"].text is None and as_auto["plain"].error[0] == "text_too_long"  # type: ignore[index]
    assert as_auto["page"].text == page and as_auto["short"].text == "Giá vàng tăng."
    as_text = {r.id: r for r in bounded_records(records, 2_000, "text")}  # told it is text: markup or not
    assert as_text["page"].text is None and as_text["short"].error is None
    as_html = {r.id: r for r in bounded_records(records, 2_000, "html")}
    assert as_html["plain"].text == plain  # told it is HTML: its text is measured once read


def test_words_are_counted_the_same_on_the_fast_path() -> None:
    """A text without letters of an unspaced script is counted by a regex: the same count as letter by
    letter (a CJK letter appended sends the text down that path and adds one word), and every such
    letter in Unicode falls in the blocks the fast path looks for."""
    import random
    import sys

    from tomtat.models.text import UNSPACED_BLOCKS, UNSPACED_SCRIPTS, count_words, script_of

    assert not [
        i
        for i in range(sys.maxunicode + 1)
        if chr(i).isalpha() and script_of(chr(i)) in UNSPACED_SCRIPTS and not UNSPACED_BLOCKS.match(chr(i))
    ]
    rng = random.Random(3)
    alphabet = "aăâbđêôơưáàảãạ ,.;:!?-–—“”()_\t\n\u00a0\u2003\u200b\x1c\u0301 012 _/@#"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert count_words(text) + 1 == count_words(text + " 一"), repr(text)


def test_translate_file_refuses_a_zipped_document_that_inflates_past_its_cap(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .docx of a few kB whose XML inflates past the cap (declared honestly, or hidden by a lying
    header) is a 400 naming the size before python-docx unzips it whole."""
    from tomtat.service.files import formats

    monkeypatch.setattr(formats, "MAX_INFLATED_BYTES", 5_000_000)
    honest = bomb_docx(6_000_000)
    liar = bytearray(honest)  # the central directory's uncompressed size of document.xml set to 100 bytes
    at = liar.rfind(b"PK\x01\x02")
    liar[at + 24 : at + 28] = (100).to_bytes(4, "little")
    with client_for(checkpoint_dir=model_dir, models=["envit5"]) as client:
        answers = [
            client.post("/translate_file", files={"file": ("b.docx", data)}, data={"source": "vi", "target": "en"})
            for data in (honest, bytes(liar))
        ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json()["error"] == "Invalid request: the document inflates to more than 5 MB"
    assert "inflates to more than" in answers[1].json()["error"] or "could not be read" in answers[1].json()["error"]
