"""Newsroom content as it is stored: CMS bodies (WordPress, Drupal, Joomla tables on SQLite and a real
PostgreSQL cluster), HTML through the API, crawls with re-captures, revisits, cut-off files and ARC,
legacy encodings, and scripts langdetect cannot classify."""

from __future__ import annotations

import io
import json
import re
import subprocess
import time
import unicodedata
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.builders import news_page, windows_1258
from tests.cms import (
    CAPTION,
    PUBLISHED,
    RESIDUE,
    block_editor,
    classic,
    create_drupal_and_joomla,
    create_wordpress,
    drupal,
    joomla,
    wordpress_posts,
)
from tests.service_helpers import client_for
from tests.test_archive import article
from tests.test_cli import COMMAND, tomtat
from tests.test_jobs import wait_done
from tests.test_sql import database, select  # noqa: F401 - the SQLite/PostgreSQL fixture
from tomtat.models.errors import InputError
from tomtat.models.summarizer import ExtractiveSummarizer, check_article
from tomtat.service.archive.articles import article_of, from_html, looks_like_markup
from tomtat.service.archive.records import read_records

SITE = "https://bao.example.vn"


def summary_of(paragraphs: list[str]) -> str:
    return ExtractiveSummarizer().summarize(["\n".join(paragraphs)])[0].summary


def batch(*arguments: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "batch", *arguments, "--engine", "extractive", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("make", [block_editor, classic, drupal, joomla])
def test_a_cms_body_reads_as_its_paragraphs_with_captions_apart(make) -> None:  # type: ignore[no-untyped-def]
    post = make(3)
    assert looks_like_markup(post.body)
    found = article_of(post.body)  # auto: it looks like markup
    assert found.text.splitlines() == post.paragraphs
    assert found.captions == ((CAPTION,) if make in (block_editor, classic) else ())
    assert article_of(post.body, "text").text == post.body  # text: as it is
    plain = "\n".join(post.paragraphs)
    assert not looks_like_markup(plain) and article_of(plain).text == plain  # plain text stays plain text


def test_wordpress_database_every_published_post_and_only_empty_excerpts(database: str, tmp_path: Path) -> None:  # noqa: F811
    posts = wordpress_posts(12)
    editors = {2: "Tóm tắt do biên tập viên viết.", 5: "Một đoạn giới thiệu khác.", 8: "   "}  # 8: blank
    create_wordpress(database, posts, {k: v for k, v in editors.items()})
    run = batch(database, "--query", PUBLISHED, "--text-field", "post_content", "--id-field", "ID",
                "-o", database, "--output-table", "tomtat_summaries")  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    rows = select(database, "SELECT id, summary, error_code FROM tomtat_summaries ORDER BY id")
    assert [r[0] for r in rows] == [p.id for p in posts]  # every published post, no draft or revision; ids BIGINT
    joined = select(database, 'SELECT COUNT(*) FROM wp_posts p JOIN tomtat_summaries s ON s.id = p."ID"')
    assert joined == [(len(posts),)]  # joins back to wp_posts without a cast
    summaries = {int(r[0]): r[1] for r in rows}
    for post in posts:
        assert summaries[post.id] == summary_of(post.paragraphs)  # the article alone, markup read
        assert not any(residue in summaries[post.id] for residue in RESIDUE), summaries[post.id]

    update = [database, "--query", PUBLISHED, "--text-field", "post_content", "--id-field", "ID", "-o", database,
              "--output-table", "wp_posts", "--update-column", "post_excerpt", "--only-empty"]  # fmt: skip
    first = batch(*update)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "2 rows kept as they were (--only-empty" in first.stderr  # the two editor-written excerpts
    excerpts = dict(select(database, 'SELECT "ID", post_excerpt FROM wp_posts ORDER BY "ID"'))
    assert excerpts[2] == editors[2] and excerpts[5] == editors[5]  # never overwritten
    for post in posts:
        if post.id not in (2, 5):
            assert excerpts[post.id] == summary_of(post.paragraphs)  # blank ones filled, post 8 included
    assert excerpts[900] == "" and excerpts[901] == ""  # the draft and the revision untouched
    again = batch(*update)
    assert "0 summarized" in again.stderr and "12 already done" in again.stderr  # a rerun writes nothing twice
    assert dict(select(database, 'SELECT "ID", post_excerpt FROM wp_posts ORDER BY "ID"')) == excerpts


def test_drupal_and_joomla_tables_summarize_without_a_preprocessing_query(database: str) -> None:  # noqa: F811
    drupal_posts, joomla_posts = create_drupal_and_joomla(database)
    for query, field, posts, table in (
        ("SELECT entity_id, body_value FROM node__body ORDER BY entity_id", "body_value", drupal_posts, "d_out"),
        ("SELECT id, introtext FROM jos_content ORDER BY id", "introtext", joomla_posts, "j_out"),
    ):
        id_field = query.split()[1].rstrip(",")
        run = batch(database, "--query", query, "--text-field", field, "--id-field", id_field,
                    "-o", database, "--output-table", table)  # fmt: skip
        assert run.returncode == 0, run.stderr[-2000:]
        summaries = {int(r[0]): r[1] for r in select(database, f"SELECT id, summary FROM {table}")}
        assert summaries == {p.id: summary_of(p.paragraphs) for p in posts}


def test_jsonl_lines_keep_the_word_count_and_with_keep_text_the_text(tmp_path: Path) -> None:
    posts = [block_editor(1), classic(2)]
    source = tmp_path / "posts.jsonl"
    source.write_text("".join(json.dumps({"id": p.id, "text": p.body}) + "\n" for p in posts), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    run = batch(str(source), "-o", str(output), "--keep-text")
    assert run.returncode == 0, run.stderr[-2000:]
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    for line, post in zip(lines, posts, strict=True):
        assert line["text"].splitlines() == post.paragraphs and line["captions"] == [CAPTION]
        words = [w for w in " ".join(post.paragraphs).split() if any(c.isalnum() for c in w)]
        assert line["words"] == len(words)
    as_text = tmp_path / "as-text.jsonl"
    run = batch(str(source), "-o", str(as_text), "--format", "text")  # told it is plain text: refused, named
    assert run.returncode == 5
    errors = [json.loads(line)["error"] for line in as_text.read_text(encoding="utf-8").splitlines()]
    assert {e["code"] for e in errors} == {"html_not_supported"} and 'format "html"' in errors[0]["message"]


@pytest.fixture(scope="module")
def served(model_dir: Path):  # type: ignore[no-untyped-def]
    with client_for(checkpoint_dir=model_dir, models=["envit5"]) as client:
        yield client


def test_the_api_summarizes_a_cms_body_and_a_whole_page(served) -> None:  # type: ignore[no-untyped-def]
    post = block_editor(4)
    page = news_page("Cầu mới", post.paragraphs)
    plain = served.post("/v1/summarize", json={"text": "\n".join(post.paragraphs), "engine": "extractive"}).json()
    for text, fmt in ((post.body, None), (post.body, "html"), (page, None), (page, "html")):
        body = {"text": text, "engine": "extractive", **({"format": fmt} if fmt else {})}
        response = served.post("/v1/summarize", json=body)
        assert response.status_code == 200, response.text
        result = response.json()["results"][0]
        assert result["summary"] == plain["results"][0]["summary"]  # the summary of the extracted text
        assert result["format"] == "html" and result["words"] == plain["results"][0]["words"]
    refused = served.post("/v1/summarize", json={"text": post.body, "engine": "extractive", "format": "text"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "html_not_supported"
    assert 'format "html"' in refused.json()["error"]["message"]
    scripted = "<script>alert('x')</script><style>p{color:red}</style>" + post.body
    unscripted = served.post("/v1/summarize", json={"text": scripted, "engine": "extractive"}).json()
    assert unscripted["results"][0]["summary"] == plain["results"][0]["summary"]  # scripts and styles dropped
    nothing = served.post("/v1/summarize", json={"text": "<p><img src='a.jpg'></p>", "engine": "extractive"})
    assert nothing.status_code == 422 and nothing.json()["error"]["code"] == "no_article"


def test_the_api_translates_html_keeping_every_tag(served) -> None:  # type: ignore[no-untyped-def]
    post = block_editor(2)
    response = served.post("/v1/translate", json={"texts": [post.body, post.paragraphs[0]], "target": "en"})
    assert response.status_code == 200, response.text
    html_result, text_result = response.json()["results"]
    tags = re.compile(r"<[^>]+>")
    assert html_result["format"] == "html" and tags.findall(html_result["translation"]) == tags.findall(post.body)
    assert html_result["source"] == "vi" and html_result["model"]
    assert text_result["format"] == "text" and not tags.search(text_result["translation"])
    alone = served.post("/v1/translate", json={"text": post.paragraphs[0], "target": "en"}).json()
    assert text_result["translation"] == alone["results"][0]["translation"]


def test_extract_reads_a_windows_1258_page_and_text_file(served) -> None:  # type: ignore[no-untyped-def]
    paragraphs = article(3).split(". ")
    page = news_page("Cầu đi bộ mới", paragraphs).replace('charset="utf-8"', 'charset="windows-1258"')
    response = served.post("/v1/extract", files={"file": ("bai.html", windows_1258(page), "text/html")})
    assert response.status_code == 200, response.text
    assert response.json()["text"].splitlines() == paragraphs and response.json()["title"] == "Cầu đi bộ mới"
    text = served.post("/v1/extract", files={"file": ("bai.txt", windows_1258(article(3)))})
    assert text.status_code == 200 and text.json()["text"] == article(3)


NOT_LATIN = {
    "my": "မြန်မာနိုင်ငံ၏ အစိုးရသည် ယနေ့ နေပြည်တော်တွင် စီးပွားရေး မူဝါဒသစ်ကို ကြေညာခဲ့သည်။ " * 3,
    "km": "រដ្ឋាភិបាលកម្ពុជាបានប្រកាសពីគោលនយោបាយសេដ្ឋកិច្ចថ្មីនៅទីក្រុងភ្នំពេញនៅថ្ងៃនេះ។ " * 3,
    "lo": "ລັດຖະບານລາວໄດ້ປະກາດນະໂຍບາຍເສດຖະກິດໃໝ່ຢູ່ນະຄອນຫຼວງວຽງຈັນໃນມື້ນີ້. " * 3,
    "am": "የኢትዮጵያ መንግሥት ዛሬ በአዲስ አበባ አዲስ የኢኮኖሚ ፖሊሲ አስታውቋል። " * 3,
    "ja": "日本政府は本日、東京で新しい経済政策を発表した。首相は記者会見で説明した。" * 3,
}


@pytest.mark.parametrize("language", sorted(NOT_LATIN))
def test_scripts_langdetect_cannot_classify_are_not_vietnamese(language: str) -> None:
    with pytest.raises(InputError) as refused:
        check_article(NOT_LATIN[language])
    assert refused.value.code == "not_vietnamese"
    assert check_article(NOT_LATIN[language], allow_any_language=True)  # the override still works


def test_a_japanese_page_is_not_vietnamese_rather_than_no_article(tmp_path: Path) -> None:
    page = tmp_path / "nhat.html"
    sentences = NOT_LATIN["ja"].split("。")
    page.write_text(news_page("日本の経済政策", [s + "。" for s in sentences if s] * 2), encoding="utf-8")
    output = tmp_path / "out.jsonl"
    batch(str(page), "-o", str(output))
    assert json.loads(output.read_text(encoding="utf-8"))["error"]["code"] == "not_vietnamese"


def test_a_date_is_never_read_from_an_image_path() -> None:
    body = "".join(f"<p>{s}</p>" for s in article(4).split(". "))
    page = (
        "<html><head><title>Tin</title></head><body><article><h1>Tin</h1>"
        f'<img src="https://cdn.example.vn/stock/2021/12/04/anh.jpg">{body}</article></body></html>'
    )
    found = from_html(page)
    assert found is not None and found.date != "2021-12-04"
    dated = page.replace("<head>", '<head><meta property="article:published_time" content="2022-12-24T07:00:00">')
    assert (from_html(dated) or found).date == "2022-12-24"


def _response(writer: WARCWriter, url: str, status: str, content_type: str, body: bytes, date: str) -> object:
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)
    return record


def story(i: int, corrected: bool = False) -> list[str]:
    lines = [f"{s}" for s in article(i + 2).split(". ")]
    return [*lines, "Bản đã đính chính số liệu." if corrected else "Bản đầu tiên đăng sáng nay."]


def write_recaptured_crawl(path: Path) -> None:
    """Two captures of one story (the later one corrected), a revisit of it, a second story, and what a
    crawler also keeps: CSS, a script, an image, a redirect and robots.txt."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        url = f"{SITE}/thoi-su/bai-1.html"
        _response(writer, url, "200 OK", "text/html", news_page("Bài 1", story(1)).encode(), "2024-03-15T08:00:00Z")
        for name, kind in (("app.css", "text/css"), ("app.js", "application/javascript"), ("a.jpg", "image/jpeg")):
            _response(writer, f"{SITE}/static/{name}", "200 OK", kind, b"x" * 20, "2024-03-15T08:00:01Z")
        _response(writer, f"{SITE}/cu", "301 Moved Permanently", "text/html", b"", "2024-03-15T08:00:02Z")
        _response(writer, f"{SITE}/robots.txt", "200 OK", "text/plain", b"User-agent: *", "2024-03-15T08:00:03Z")
        corrected = _response(writer, url, "200 OK", "text/html; charset=utf-8",
                              news_page("Bài 1", story(1, True)).encode(), "2024-03-16T09:00:00Z")  # fmt: skip
        digest = corrected.rec_headers.get_header("WARC-Payload-Digest")  # type: ignore[attr-defined]
        revisit = writer.create_revisit_record(url, digest, url, "2024-03-16T09:00:00Z")
        revisit.rec_headers.replace_header("WARC-Date", "2024-03-17T10:00:00Z")
        writer.write_record(revisit)
        second = f"{SITE}/kinh-te/bai-2.html"
        _response(writer, second, "200 OK", "text/html", news_page("Bài 2", story(2)).encode(), "2024-03-15T08:05:00Z")


def write_arc(path: Path, url: str, paragraphs: list[str]) -> None:
    page = news_page("Bài ARC", paragraphs).encode()
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page) + page
    version = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    header = b"filedesc://%s 0.0.0.0 20240315080000 text/plain %d\n" % (path.name.encode(), len(version)) + version
    entry = b"%s 203.0.113.5 20240315080000 text/html %d\n" % (url.encode(), len(http)) + http
    path.write_bytes(header + b"\n" + entry + b"\n")


def test_a_crawl_keeps_the_corrected_capture_and_skips_what_is_not_a_page(tmp_path: Path) -> None:
    folder = tmp_path / "crawls"
    folder.mkdir()
    write_recaptured_crawl(folder / "a.warc.gz")
    write_arc(folder / "b.arc", f"{SITE}/arc/bai-3.html", story(3))
    # the same first story captured again in another file of the folder, earlier: it must not win
    with (folder / "c.warc").open("wb") as handle:
        _response(WARCWriter(handle, gzip=False), f"{SITE}/thoi-su/bai-1.html", "200 OK", "text/html",
                  news_page("Bài 1", story(1)).encode(), "2024-03-14T07:00:00Z")  # fmt: skip
    output = tmp_path / "out.jsonl"
    run = batch(str(folder), "-o", str(output))
    assert run.returncode == 0, run.stderr[-2000:]  # only skips: not a failure
    final = run.stderr.strip().splitlines()[-1]
    assert "3 summarized, 0 errors" in final, final
    skips = re.search(r"(\d+) crawl captures skipped \(([^)]*)\)", final)
    assert skips is not None and skips.group(1) == "8", final
    assert dict(item.split(" ")[::-1] for item in skips.group(2).split(", ")) == {
        "not_html": "3", "redirect": "1", "robots_txt": "1", "superseded": "3",
    }  # fmt: skip
    rows = {row["id"]: row for row in map(json.loads, output.read_text(encoding="utf-8").splitlines())}
    first = rows[f"{SITE}/thoi-su/bai-1.html"]
    assert first["captures"] == 4 and first["capture_date"] == "2024-03-17T10:00:00Z"  # the revisit, latest
    corrected = ExtractiveSummarizer().summarize(["\n".join(story(1, True))])[0].summary
    assert first["summary"] == corrected  # the corrected story, through the revisit to its original
    assert set(rows) == {f"{SITE}/thoi-su/bai-1.html", f"{SITE}/kinh-te/bai-2.html", f"{SITE}/arc/bai-3.html"}

    every = tmp_path / "every.jsonl"
    run = batch(str(folder), "-o", str(every), "--every-capture")
    assert run.returncode == 0, run.stderr[-2000:]
    ids = [json.loads(line)["id"] for line in every.read_text(encoding="utf-8").splitlines()]
    assert len([i for i in ids if i.startswith(f"{SITE}/thoi-su/bai-1.html@")]) == 4  # each capture its own


def test_a_cut_off_crawl_ends_with_an_unreadable_line_naming_the_offset(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_recaptured_crawl(whole)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 200])  # inside the last gzip member
    records = list(read_records(cut))
    last = records[-1]
    assert last.error is not None and last.error[0] == "unreadable"
    offset = int(last.id.rsplit("@", 1)[1])
    assert 0 < offset < len(data) - 200 and f"byte {offset}" in last.error[1]
    assert [r.id for r in records if r.text] == [f"{SITE}/thoi-su/bai-1.html"]  # what came before is kept
    output = tmp_path / "out.jsonl"
    run = batch(str(cut), "-o", str(output))
    assert run.returncode == 5 and "unreadable" in output.read_text(encoding="utf-8")


def test_unicode_of_a_legacy_page_is_composed() -> None:
    paragraphs = article(2).split(". ")
    page = news_page("Tin", paragraphs).replace('charset="utf-8"', 'charset="windows-1258"')
    found = from_html(windows_1258(page))
    assert found is not None and found.text == unicodedata.normalize("NFC", found.text)


def test_a_crawl_upload_is_answered_before_its_pages_are_read_and_a_retry_is_the_same_job(tmp_path: Path) -> None:
    crawl = tmp_path / "lon.warc.gz"
    with crawl.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for i in range(400):
            page = news_page(f"Bài {i}", story(i)).encode()
            _response(writer, f"{SITE}/bai-{i}.html", "200 OK", "text/html", page, "2024-03-15T08:00:00Z")
    options = {"options": json.dumps({"engine": "extractive"})}
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        started = time.perf_counter()
        first = client.post("/v1/uploads", files={"file": ("lon.warc.gz", crawl.read_bytes())}, data=options)
        answered = time.perf_counter() - started
        assert first.status_code == 202 and first.json()["state"] == "reading"  # extraction runs in the job
        retry = client.post("/v1/uploads", files={"file": ("lon.warc.gz", crawl.read_bytes())}, data=options)
        assert retry.json()["id"] == first.json()["id"] and retry.json()["resent"]  # while it is still read
        job = wait_done(client, first.json()["id"], timeout=600)
        assert job["state"] == "done" and job["total"] == 400 and job["failed"] == 0
        assert len(client.get("/v1/jobs").json()["jobs"]) == 1
    print(f"400-page crawl upload ({crawl.stat().st_size / 1e6:.1f} MB): 202 after {answered * 1000:.0f} ms")


@pytest.mark.slow  # not in the fast tier
def test_the_command_line_summarizes_and_translates_html(bare_env, model_dir: Path) -> None:  # type: ignore[no-untyped-def]
    post = classic(5)
    summary = tomtat("summarize", "--engine", "extractive", stdin=post.body, env=bare_env)
    assert summary.returncode == 0, summary.stderr
    assert summary.stdout.decode().strip() == summary_of(post.paragraphs)
    as_text = tomtat("summarize", "--engine", "extractive", "--format", "text", stdin=post.body, env=bare_env)
    assert as_text.returncode != 0 and b'format "html"' in as_text.stderr
    env = {**bare_env, "TOMTAT_CHECKPOINT_DIR": str(model_dir)}
    body = block_editor(5).body
    translated = tomtat("translate", "--target", "en", "--model", "envit5", stdin=body, env=env)
    assert translated.returncode == 0, translated.stderr
    tags = re.compile(r"<[^>]+>")
    assert tags.findall(translated.stdout.decode()) == tags.findall(body) and b"markup kept" in translated.stderr
