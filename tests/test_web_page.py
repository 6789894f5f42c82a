"""The web page in headless Chromium (Debian's chromium driven by Playwright): paste, click, read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.service_helpers import models_env, running_server
from tomtat.models.summarizer import AbstractiveSummarizer

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def test_paste_click_and_see_summary(model_dir: Path, loaded, sample_article: str, tmp_path: Path) -> None:
    expected = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize([sample_article])[0].summary
    with running_server(models_env(model_dir, "vit5-base-vietnews", "envit5")) as url, sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        page.goto(url + "/")
        page.fill("#text", sample_article)
        page.click("#summarize")
        page.wait_for_selector("#result:not([hidden])", timeout=30_000)
        assert page.inner_text("#output") == expected
        assert "engine: abstractive" in page.inner_text("#engine")
        page.click("#translate")
        page.wait_for_function("document.querySelector('#engine').textContent.includes('detected language: vi')")
        assert page.inner_text("#result-title") == "English"
        page.screenshot(path=str(tmp_path / "page.png"), full_page=True)
        browser.close()
    assert (tmp_path / "page.png").stat().st_size > 1000


def test_flagged_facts_are_highlighted_with_their_reason(tmp_path: Path) -> None:
    """The page marks each flagged span of a summary (reason on hover) and leaves the text as it is.
    The summary comes from a route stub, its flags from the server's real ``/v1/check``."""
    import json

    import httpx

    article = "Sáng 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù."
    summary = "Sáng 26/2, tòa phạt Hồ Xuân Hùng 12 năm tù."
    empty = tmp_path / "none"
    empty.mkdir()
    with running_server({"TOMTAT_CHECKPOINT_DIR": str(empty)}) as url, sync_api.sync_playwright() as p:
        flags = httpx.post(url + "/v1/check", json={"source": article, "output": summary}).json()["flags"]
        assert [f["text"] for f in flags] == ["Sáng 26/2", "Hồ Xuân Hùng"]
        result = {"id": "0", "summary": summary, "engine": "abstractive", "model": "vit5-base-vietnews"}
        body = {"results": [{**result, "input_tokens": 30, "chunked": False, "flags": flags}], "note": None}
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.route("**/v1/summarize", lambda route: route.fulfill(status=200, body=json.dumps(body)))
        page.goto(url + "/")
        page.fill("#text", article)
        page.click("#summarize")
        page.wait_for_selector("#output mark.flag", timeout=30_000)
        marks = page.eval_on_selector_all("#output mark.flag", "ms => ms.map(m => [m.textContent, m.title])")
        assert [text for text, _ in marks] == ["Sáng 26/2", "Hồ Xuân Hùng"]
        assert all("differs from the source" in title for _, title in marks)
        assert "Sáng 25/2" in marks[0][1]  # what the article has instead
        assert page.inner_text("#output") == summary  # flags never change the text
        browser.close()
