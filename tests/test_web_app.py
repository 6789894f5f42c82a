"""The web app in Debian's Chromium (Playwright), against a real ``tomtat serve`` with tiny models:
each view end to end at phone and desktop width, errors, cancel, the language toggle over every
visible string, axe-core, keyboard, API keys, and the job list across a server restart."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser import (
    AXE,
    DESKTOP,
    NEUTRAL,
    PHONE,
    VISIBLE_TEXT,
    axe_violations,
    chromium,
    needs_chromium,
    open_page,
    overflow,
    screenshot,
    ui_strings,
)
from tests.builders import news_page
from tests.service_helpers import metric, models_env, running_server
from tests.test_archive import article
from tomtat.service.api.auth import KeyStore

pytestmark = [needs_chromium, pytest.mark.browser]  # not in the fast tier: pytest -m "" runs it
SUMMARIZER = "vit5-base-vietnews"
WIDTHS = [PHONE, DESKTOP]


@pytest.fixture(scope="module")
def server(model_dir: Path) -> Iterator[str]:
    with running_server(models_env(model_dir, SUMMARIZER, "envit5")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def paragraphs_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def archive_file(tmp_path: Path, count: int = 30, section: str = "thoi-su") -> Path:
    """A JSONL archive whose fields are not the defaults (``ma``, ``noi_dung``), one empty record;
    ``section`` makes files that differ (the same file sent again is the same job)."""
    path = tmp_path / "kho-bai.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            record = {"ma": f"bai-{i}", "chuyen_muc": section, "noi_dung": article(i) if i != 7 else " "}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def run_archive_job(page: Any, path: Path) -> dict[str, Any]:
    page.set_input_files("#archive-file", str(path))
    page.wait_for_selector("#field-pickers:not([hidden])")
    page.select_option("#text-field", "noi_dung")
    page.select_option("#id-field", "ma")
    page.click("#start-job")
    page.wait_for_function("['done', 'failed'].includes(document.querySelector('#job-panel').dataset.state)")
    return {
        "id": page.get_attribute("#job-panel", "data-job"),
        "events": page.get_attribute("#job-panel", "data-events"),
    }


# ---------------------------------------------------------------- the three views, end to end
@pytest.mark.parametrize("width", WIDTHS)
def test_editor_summarizes_with_english_and_says_what_answered(
    server: str, browser: Any, sample_article: str, width: int
) -> None:
    expected = httpx.post(
        server + "/v1/summarize", json={"text": sample_article, "engine": "auto", "translate_to": "en"}, timeout=60
    ).json()["results"][0]
    page = open_page(browser, server, width)
    page.fill("#title", "Cầu đi bộ mới")
    page.fill("#text", sample_article)
    page.check("#also-en")
    page.click("#summarize")
    page.wait_for_selector("#summary-result:not([hidden])")
    assert page.inner_text("#summary") == expected["summary"]
    assert page.inner_text("#summary-en") == expected["summary_en"]
    assert page.inner_text("#summary-title") == "Cầu đi bộ mới"
    about = page.inner_text("#summary-about")
    assert f"Tóm tắt được viết lại bằng mô hình {SUMMARIZER}." in about
    assert "Mô hình đã đọc cả bài một lần." in about  # not chunked, said in words
    assert page.inner_text("#editor-status").startswith("Xong sau")
    screenshot(page, f"editor-{width}")
    assert overflow(page) <= 0 and page.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_translates_paragraph_by_paragraph_aligned(
    server: str, browser: Any, sample_article: str, width: int
) -> None:
    paragraphs = paragraphs_of(sample_article)
    page = open_page(browser, server, width, "reader")
    # every progress text the page shows, to see paragraphs arrive one after another, not all at the end
    page.evaluate(
        """() => { window.progress = []; new MutationObserver(() => progress.push($('reader-status').textContent))
        .observe($('reader-status'), {childList: true, characterData: true, subtree: true}); }"""
    )
    page.fill("#reader-text", sample_article)
    page.click("#translate-article")
    page.wait_for_function("document.querySelector('#reader-status').textContent.startsWith('Xong')")
    sources = page.eval_on_selector_all(".pair:not(.head) .src", "cells => cells.map(c => c.textContent)")
    translations = page.eval_on_selector_all(".pair:not(.head) .dst", "cells => cells.map(c => c.textContent)")
    assert sources == paragraphs and len(translations) == len(paragraphs)
    expected = [
        httpx.post(server + "/v1/translate", json={"text": p, "source": "vi", "target": "en"}, timeout=60).json()
        for p in paragraphs
    ]
    assert translations == [e["results"][0]["translation"] for e in expected]
    counts = {p for p in page.evaluate("progress") if p.startswith("Đã dịch")}
    assert len(counts) >= 3, counts  # 0 of N, some of N, ..., N of N
    first_src, first_dst = page.locator(".pair:not(.head) .src").first, page.locator(".pair:not(.head) .dst").first
    src, dst = first_src.bounding_box(), first_dst.bounding_box()
    if width == DESKTOP:
        assert dst["x"] > src["x"] + src["width"] - 1 and abs(dst["y"] - src["y"]) < 2  # side by side
    else:
        assert dst["y"] >= src["y"] + src["height"] - 1 and abs(dst["x"] - src["x"]) < 2  # stacked
    screenshot(page, f"reader-{width}")
    assert overflow(page) <= 0 and page.errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_archive_upload_progress_and_downloads(server: str, browser: Any, tmp_path: Path, width: int) -> None:
    page = open_page(browser, server, width, "archive")
    path = archive_file(tmp_path, section=f"thoi-su-{width}")
    page.set_input_files("#archive-file", str(path))
    page.wait_for_selector("#field-pickers:not([hidden])")
    fields = page.eval_on_selector_all("#text-field option", "options => options.map(o => o.value)")
    assert fields == ["ma", "chuyen_muc", "noi_dung"]
    assert page.input_value("#text-field") == "noi_dung"  # guessed: the usual Vietnamese name
    job = run_archive_job(page, path)
    assert int(job["events"]) >= 2  # progress arrived over the event stream, not only at the end
    numbers = page.inner_text("#job-numbers")
    assert numbers.startswith("30/30 bài · xong") and "1 bài lỗi" in numbers
    assert page.inner_text("#job-error-list") == "1 — Bài trống, không có nội dung."
    assert page.inner_text("#archive-status").startswith("Đã gửi tệp sau")  # not "Xong" while the job runs
    ids = [f"bai-{i}" for i in range(30)]
    with page.expect_download() as download:
        page.click("#download-jsonl")
    assert download.value.suggested_filename == "kho-bai-results.jsonl"
    rows = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ids  # every id once, in order
    assert rows[7]["error"]["code"] == "empty_text"
    with page.expect_download() as download:
        page.click("#download-csv")
    table = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert [r["id"] for r in csv.DictReader(io.StringIO(table))] == ids
    assert page.locator(f"#jobs-list li[data-job='{job['id']}']").is_visible()
    screenshot(page, f"archive-{width}")
    page.click("#start-job")  # the same file again: the same job, and the page says so
    page.wait_for_function("document.querySelector('#job-note').textContent.startsWith('Tệp này đã được gửi')")
    assert page.get_attribute("#job-panel", "data-job") == job["id"]
    assert overflow(page) <= 0 and page.errors == []


def test_an_id_field_named_like_one_is_offered_as_the_id(server: str, browser: Any, tmp_path: Path) -> None:
    page = open_page(browser, server, DESKTOP, "archive")
    path = tmp_path / "wordpress.csv"
    path.write_text("article_id,post_content\n" + "".join(f'{i},"{article(i)}"\n' for i in range(3)), "utf-8")
    page.set_input_files("#archive-file", str(path))
    page.wait_for_selector("#field-pickers:not([hidden])")
    assert page.input_value("#id-field") == "article_id"


def test_the_reader_is_greyed_out_without_a_translation_model(model_dir: Path, browser: Any) -> None:
    with running_server(models_env(model_dir, SUMMARIZER)) as url:
        page = open_page(browser, url, DESKTOP, "reader")
        page.wait_for_selector("#reader-unavailable:not([hidden])")
        assert page.is_disabled("#translate-article")
        assert page.inner_text("#reader-unavailable").startswith("Chưa dịch được: ")
        assert page.errors == []


def test_parquet_fields_come_from_the_server(server: str, browser: Any, tmp_path: Path) -> None:
    """The page cannot read Parquet: the server's 422 names the file's fields and the page offers them."""
    pq = pytest.importorskip("pyarrow.parquet")
    import pyarrow as pa

    path = tmp_path / "kho.parquet"
    pq.write_table(pa.table({"ma": ["p1", "p2"], "noi_dung": [article(1), article(2)]}), path)
    page = open_page(browser, server, PHONE, "archive")
    page.set_input_files("#archive-file", str(path))
    assert page.is_hidden("#field-pickers")
    page.click("#start-job")
    page.wait_for_selector("#archive-error:not([hidden])")
    assert "hãy chọn trường chứa nội dung bài" in page.inner_text("#archive-error")
    assert page.eval_on_selector_all("#text-field option", "os => os.map(o => o.value)") == ["ma", "noi_dung"]
    page.select_option("#id-field", "ma")
    page.click("#start-job")
    page.wait_for_function("document.querySelector('#job-panel').dataset.state === 'done'")
    assert page.is_hidden("#archive-error")
    assert page.inner_text("#job-numbers").startswith("2/2 bài")


def test_open_a_saved_news_page_in_the_editor(server: str, browser: Any, tmp_path: Path) -> None:
    paragraphs = [sentence + "." for sentence in article(4).rstrip(".").split(". ")]
    path = tmp_path / "bai-bao.html"
    path.write_text(news_page("Cầu mới ở Đà Nẵng", paragraphs), encoding="utf-8")
    page = open_page(browser, server, PHONE)
    page.set_input_files("#file", str(path))
    page.wait_for_function("document.querySelector('#file-status').textContent.startsWith('Đã đọc')")
    assert paragraphs_of(page.input_value("#text")) == paragraphs  # no menu, related links or comments
    assert page.input_value("#title") == "Cầu mới ở Đà Nẵng"


# ---------------------------------------------------------------- errors, cancel, overflow
def test_an_error_after_a_success_leaves_no_stale_result(server: str, browser: Any, sample_article: str) -> None:
    page = open_page(browser, server, PHONE)
    page.fill("#text", sample_article)
    page.click("#summarize")
    page.wait_for_selector("#summary-result:not([hidden])")
    page.fill("#text", "   ")
    page.click("#summarize")
    page.wait_for_selector("#editor-error:not([hidden])")
    assert page.inner_text("#editor-error") == "Bài trống, không có nội dung."
    assert page.is_hidden("#summary-result")
    page.fill("#text", "The city opened a new bridge on Sunday. Thousands of people walked across it in the evening.")
    page.click("#summarize")
    page.wait_for_function("document.querySelector('#editor-error').dataset.code === 'not_vietnamese'")
    assert "Vẫn tóm tắt nếu bài không phải tiếng Việt" in page.inner_text("#editor-error")  # names the page's own box
    page.check("#any-language")
    page.click("#summarize")
    page.wait_for_selector("#summary-result:not([hidden])")
    assert page.is_hidden("#editor-error")


def test_cancel_drops_the_request_on_the_server(server: str, browser: Any, sample_article: str) -> None:
    """The model is busy; the page's request waits in the queue, is cancelled, and never runs."""
    before = httpx.get(server + "/metrics").text
    heavy = {
        "texts": [sample_article] * 8,
        "engine": "abstractive",
        "options": {"min_new_tokens": 900, "max_length": 1000},
    }
    busy = threading.Thread(target=lambda: httpx.post(server + "/v1/summarize", json=heavy, timeout=300))
    busy.start()
    deadline = time.monotonic() + 60
    while metric(httpx.get(server + "/metrics").text, "tomtat_texts_in_model", worker=SUMMARIZER) < 8:
        assert time.monotonic() < deadline and busy.is_alive(), "the heavy batch never reached the model"
        time.sleep(0.02)
    page = open_page(browser, server, PHONE)
    page.fill("#text", sample_article)
    page.click("#summarize")
    page.wait_for_selector("#editor-running:not([hidden])")
    deadline = time.monotonic() + 30
    while metric(httpx.get(server + "/metrics").text, "tomtat_queue_depth", worker=SUMMARIZER) < 1:
        assert time.monotonic() < deadline and busy.is_alive(), "the page's request never queued"
        time.sleep(0.05)
    assert page.inner_text("#editor-running .timer").startswith("Đang xử lý…")
    page.click("#editor-running .cancel")
    page.wait_for_function("document.querySelector('#editor-status').textContent.startsWith('Đã hủy')")
    assert busy.is_alive(), "cancelled while the model was still busy with the other batch"
    assert page.is_hidden("#summary-result") and page.is_hidden("#editor-error")
    busy.join()
    deadline = time.monotonic() + 10
    while True:
        after = httpx.get(server + "/metrics").text
        dropped = metric(after, "tomtat_dropped_texts_total", worker=SUMMARIZER)
        if dropped or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert dropped - metric(before, "tomtat_dropped_texts_total", worker=SUMMARIZER) == 1
    ran = metric(after, "tomtat_batches_total", worker=SUMMARIZER) - metric(
        before, "tomtat_batches_total", worker=SUMMARIZER
    )
    assert ran == 1  # the heavy batch only
    # the editor streams its answer: its request was a stream the page closed, counted as one
    closed = metric(after, "tomtat_streams_left_total")
    assert closed - metric(before, "tomtat_streams_left_total") == 1


def test_nothing_is_wider_than_a_360px_screen(server: str, browser: Any, tmp_path: Path) -> None:
    token = "https://tintuc.example.vn/" + "a1b2c3d4" * 47  # 402 characters, no place to break
    text = "\n".join(f"Câu thứ {i} của bài viết có đường dẫn {token} ở giữa câu này." for i in range(6))
    page = open_page(browser, server, 360)
    page.fill("#text", text)
    page.select_option("#engine", "extractive")
    page.check("#any-language")
    page.click("#summarize")
    page.wait_for_selector("#summary-result:not([hidden])")
    assert token in page.inner_text("#summary")
    assert overflow(page) <= 0
    page.goto(server + "/#reader")
    page.fill("#reader-text", text)
    page.click("#translate-article")
    page.wait_for_function("document.querySelectorAll('.dst.pending').length === 0")
    assert overflow(page) <= 0
    page.goto(server + "/#archive")
    long_name = tmp_path / ("kho-" + "x" * 200 + ".jsonl")
    long_name.write_text(json.dumps({"id": token, "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    page.set_input_files("#archive-file", str(long_name))
    page.select_option("#archive-engine", "extractive")
    page.click("#start-job")
    page.wait_for_function("document.querySelector('#job-panel').dataset.state === 'done'")
    assert overflow(page) <= 0


# ---------------------------------------------------------------- language, accessibility, keyboard
def fill_every_view(page: Any, server: str, sample_article: str, tmp_path: Path) -> None:
    """Each view with its results on screen, so that the walk meets the texts results bring."""
    page.fill("#text", sample_article)
    page.check("#also-en")
    page.click("#summarize")
    page.wait_for_selector("#summary-result:not([hidden])")
    page.goto(server + "/#reader")
    page.fill("#reader-text", sample_article)
    page.click("#translate-article")
    page.wait_for_function("document.querySelector('#reader-status').textContent.startsWith('Xong')")
    page.goto(server + "/#archive")
    run_archive_job(page, archive_file(tmp_path, 10))


def test_every_visible_string_follows_the_language_toggle(
    server: str, browser: Any, sample_article: str, tmp_path: Path
) -> None:
    page = open_page(browser, server, DESKTOP)
    fill_every_view(page, server, sample_article, tmp_path)
    tables = ui_strings(page)
    seen: dict[str, dict[str, list[str]]] = {}
    for lang in ("vi", "en", "vi"):
        page.click(f"[data-lang={lang}]")
        assert page.get_attribute("html", "lang") == lang
        for view in ("editor", "reader", "archive"):
            page.evaluate(f"location.hash = '{view}'")
            page.wait_for_selector(f"#view-{view}:not([hidden])")
            texts = page.evaluate(VISIBLE_TEXT)
            assert tables[lang].foreign(texts) == [], (lang, view)  # no string of the other language left
            seen.setdefault(lang, {})[view] = texts
    for view in ("editor", "reader", "archive"):  # and each string changed: none left as it was
        unchanged = set(seen["vi"][view]) & set(seen["en"][view])
        assert [text for text in unchanged if not NEUTRAL.fullmatch(text)] == [], view
    assert page.errors == []


def test_every_string_has_both_languages(server: str, browser: Any) -> None:
    page = open_page(browser, server, PHONE)
    tables = page.evaluate("window.TOMTAT_STRINGS")
    assert set(tables["vi"]) == set(tables["en"])
    assert [key for key in tables["vi"] if tables["vi"][key] == tables["en"][key]] == []
    used = page.evaluate(
        "[...document.querySelectorAll('[data-i18n]')].map(e => e.dataset.i18n)"
        ".concat([...document.querySelectorAll('[data-i18n-attr]')].flatMap(e => e.dataset.i18nAttr.split(';')"
        ".map(p => p.split(':')[1])))"
    )
    assert set(used) <= set(tables["vi"])


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install --no-save axe-core@4.14.1)")
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_no_serious_violation(
    server: str, browser: Any, sample_article: str, tmp_path: Path, lang: str
) -> None:
    page = open_page(browser, server, PHONE)
    fill_every_view(page, server, sample_article, tmp_path)
    page.click(f"[data-lang={lang}]")
    for view in ("editor", "reader", "archive"):
        page.evaluate(f"location.hash = '{view}'")
        page.wait_for_selector(f"#view-{view}:not([hidden])")
        assert axe_violations(page) == [], (lang, view)


FOCUSED = "(e => e.id || e.dataset.copy || e.dataset.view || e.dataset.lang || '')(document.activeElement)"


def test_every_control_is_reached_with_the_keyboard(server: str, browser: Any, sample_article: str) -> None:
    page = open_page(browser, server, PHONE)
    page.fill("#text", sample_article)
    page.check("#also-en")
    page.click("#summarize")
    page.wait_for_selector("#summary-result:not([hidden])")
    page.evaluate("document.activeElement.blur()")
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate(FOCUSED))
    wanted = {"editor", "reader", "archive", "vi", "en", "title", "text", "file", "engine", "model", "length"}
    wanted |= {"also-en", "any-language", "summarize", "summary", "summary-en"}
    assert wanted <= set(reached), wanted - set(reached)
    page.focus("#file")
    assert page.evaluate("getComputedStyle(document.querySelector('label[for=file]')).outlineStyle") == "solid"


# ---------------------------------------------------------------- keys, the job list across restarts
def test_the_api_key_field_when_the_server_needs_keys(model_dir: Path, browser: Any, sample_article: str) -> None:
    data = Path(tempfile.mkdtemp(prefix="tomtat-data-"))
    _, secret = KeyStore(data / "tomtat.db").add("newsroom", requests_per_minute=100, chars_per_minute=10_000_000)
    env = {**models_env(model_dir, SUMMARIZER), "TOMTAT_DATA_DIR": str(data), "TOMTAT_REQUIRE_API_KEYS": "true"}
    with running_server(env) as url:
        page = open_page(browser, url, PHONE)
        assert page.is_visible("#key-bar")
        page.fill("#text", sample_article)
        page.click("#summarize")
        page.wait_for_selector("#editor-error:not([hidden])")
        assert page.inner_text("#editor-error") == "Cần khóa API hợp lệ: nhập khóa ở đầu trang."
        page.fill("#api-key", secret)
        page.click("#key-bar button")
        page.click("#summarize")
        page.wait_for_selector("#summary-result:not([hidden])")
        page.reload()
        page.wait_for_selector("body[data-ready=true]")
        assert page.input_value("#api-key") == secret  # kept in this browser
        assert page.eval_on_selector_all("#model option", "os => os.map(o => o.value)") == [SUMMARIZER]


def test_recent_jobs_survive_a_reload_and_a_server_restart(model_dir: Path, browser: Any, tmp_path: Path) -> None:
    data = Path(tempfile.mkdtemp(prefix="tomtat-data-"))
    env = {**models_env(model_dir, SUMMARIZER), "TOMTAT_DATA_DIR": str(data)}
    with running_server(env) as url:
        page = open_page(browser, url, PHONE, "archive")
        job = run_archive_job(page, archive_file(tmp_path, 5))
        page.reload()
        page.wait_for_selector(f"#jobs-list li[data-job='{job['id']}']")
    with running_server(env) as url:  # a new process on the same database
        page = open_page(browser, url, PHONE, "archive")
        item = page.wait_for_selector(f"#jobs-list li[data-job='{job['id']}']")
        assert "kho-bai.jsonl" in item.inner_text() and "xong" in item.inner_text()
        item.query_selector("button[data-i18n='archive.follow']").click()
        page.wait_for_function(f"document.querySelector('#job-panel').dataset.job === '{job['id']}'")
        assert page.inner_text("#job-numbers").startswith("5/5 bài · xong")


def test_favicon_and_no_failed_request(server: str, browser: Any) -> None:
    failed: list[str] = []
    page = browser.new_page(viewport={"width": PHONE, "height": 800})
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(server + "/")
    page.wait_for_selector("body[data-ready=true]")
    icon = httpx.get(server + "/favicon.ico")
    assert (
        icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon" and icon.content[:4] == b"\0\0\1\0"
    )
    assert failed == []


def test_flagged_facts_are_highlighted_with_their_reason(tmp_path: Path, browser: Any) -> None:
    """The page marks each flagged span of a summary (reason on hover, in the page's language) and
    leaves the text as it is. The summary comes from a route stub, its flags from the real ``/v1/check``."""
    article_text = "Sáng 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù."
    summary = "Sáng 26/2, tòa phạt Hồ Xuân Hùng 12 năm tù."
    empty = tmp_path / "none"
    empty.mkdir()
    with running_server({"TOMTAT_CHECKPOINT_DIR": str(empty)}) as url:
        flags = httpx.post(url + "/v1/check", json={"source": article_text, "output": summary}).json()["flags"]
        assert [f["text"] for f in flags] == ["Sáng 26/2", "Hồ Xuân Hùng"]
        result = {"id": "0", "summary": summary, "engine": "abstractive", "model": SUMMARIZER}
        body = {"results": [{**result, "input_tokens": 30, "chunked": False, "flags": flags}], "note": None}
        page = open_page(browser, url, PHONE)
        page.route("**/v1/summarize", lambda route: route.fulfill(status=200, body=json.dumps(body)))
        page.fill("#text", article_text)
        page.click("#summarize")
        page.wait_for_selector("#summary mark.flag")
        marks = page.eval_on_selector_all("#summary mark.flag", "ms => ms.map(m => [m.textContent, m.title])")
        assert [text for text, _ in marks] == ["Sáng 26/2", "Hồ Xuân Hùng"]
        assert marks[0][1] == "Ngày giờ: khác với bài gốc (bài gốc ghi: Sáng 25/2)"
        assert page.inner_text("#summary") == summary  # flags never change the text
        assert page.is_visible("#flags-hint")
        page.click("[data-lang=en]")
        assert (
            page.get_attribute("#summary mark.flag", "title")
            == "Date: differs from the article (the article says: Sáng 25/2)"
        )
