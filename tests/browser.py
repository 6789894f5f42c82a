"""Driving the page in Debian's Chromium through Playwright: launching, screenshots, the UI-language
check (visible text against the page's own string tables) and axe-core."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# screenshots of each view, per width: a test artifact, never committed (README's copies live in docs/)
ARTIFACTS = Path(os.environ.get("TOMTAT_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"
# axe-core from npm (`npm install --no-save axe-core@4.14.1`, as .ci/run does)
AXE = Path(os.environ.get("TOMTAT_AXE_JS", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
PHONE, DESKTOP = 390, 1280

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Any, url: str, width: int, view: str = "editor", **context: Any) -> Any:
    """A fresh browser context (its own storage) at ``width`` px, the page loaded and ready."""
    page = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True, **context).new_page()
    page.errors = []  # uncaught script errors: every test asserts there are none
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{url}/#{view}")
    page.wait_for_selector("body[data-ready=true]")
    return page


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def overflow(page: Any) -> int:
    """How many px the page is wider than the viewport (0 when nothing overflows)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


# visible text of the UI: text nodes outside user content (.user: articles, outputs, file and model names)
VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || el.closest(".user, script, style, textarea")) continue;
    const box = el.tagName === "OPTION" ? el.closest("select") : el;  // options have no box of their own
    if (box.checkVisibility()) texts.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [aria-label]")) {
    if (!el.closest(".user") && el.checkVisibility()) {
      for (const attr of ["placeholder", "aria-label"]) if (el.hasAttribute(attr)) texts.push(el.getAttribute(attr));
    }
  }
  texts.push(document.title);
  return texts;
}"""
NEUTRAL = re.compile(r"[\d\s.,:;/%·—–()+-]*|tomtat|t|VI|EN")  # the name, the logo, language codes, numbers
NESTED = ("engine", "error")  # placeholders that hold another string of the same table


class UiStrings:
    """One language's table from the page (``window.TOMTAT_STRINGS``), as patterns."""

    def __init__(self, table: dict[str, str]) -> None:
        self.patterns = [re.compile(_pattern(value)) for value in table.values()]

    def matches(self, text: str) -> bool:
        return bool(NEUTRAL.fullmatch(text)) or any(self._match(p, text) for p in self.patterns)

    def _match(self, pattern: re.Pattern[str], text: str) -> bool:
        found = pattern.fullmatch(text)
        if not found:
            return False
        return all(self.matches(value) for name, value in found.groupdict().items() if name in NESTED)

    def foreign(self, texts: list[str]) -> list[str]:
        """Texts that are no string of this table (parts joined with " · " checked one by one)."""
        return [text for text in texts if not all(self.matches(part.strip()) for part in text.split(" · "))]


def _pattern(template: str) -> str:
    parts = re.split(r"\{(\w+)\}", template)
    pattern = ""
    for index, part in enumerate(parts):
        pattern += re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
    return pattern


def ui_strings(page: Any) -> dict[str, UiStrings]:
    tables = page.evaluate("window.TOMTAT_STRINGS")
    return {lang: UiStrings(table) for lang, table in tables.items()}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document)).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]
