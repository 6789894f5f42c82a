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
