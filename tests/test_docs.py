"""The docs stay true to the code: the settings page is generated from Settings, and every page the
README links to exists."""

from __future__ import annotations

import re
from pathlib import Path

from tomtat.service.settings import Settings
from tomtat_tools.settings_doc import PAGE, render

ROOT = Path(__file__).resolve().parents[1]


def test_the_settings_page_is_what_settings_says() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), "run: python scripts/settings_doc.py"
    for name in Settings.model_fields:
        assert f"`TOMTAT_{name.upper()}`" in render()


def test_the_readme_is_a_front_door_whose_links_lead_somewhere() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    targets = re.findall(r"\]\(((?:docs/|CHANGELOG)[^)#]*)", readme)
    assert targets
    for target in targets:
        assert (ROOT / target).is_file(), target
