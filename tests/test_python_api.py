"""``tomtat`` as a library, imported as a user would: the names it exports, the extractive default, real
(tiny) checkpoints giving what the command line gives, HTML, and errors naming the text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cms import block_editor
from tests.test_archive import article
from tests.test_cli import tomtat as run_cli
from tomtat.models.summarizer import ExtractiveSummarizer


def test_import_tomtat_lists_the_library_and_loads_no_model_library() -> None:
    code = "import json, sys, tomtat; print(json.dumps([tomtat.__all__, 'torch' in sys.modules]))"
    names, torch_loaded = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                    check=True).stdout)  # fmt: skip
    assert {"Summarizer", "Translator", "SummaryOutput", "TranslationOutput", "Flag", "InputError"} <= set(names)
    assert torch_loaded is False


def test_the_extractive_default_summarizes_text_and_html(no_checkpoints: Path) -> None:
    import tomtat

    summarizer = tomtat.Summarizer()
    assert summarizer.note and "tomtat fetch" in summarizer.note  # no checkpoint here: says so
    post = block_editor(3)
    results = summarizer.summarize([article(4), post.body])
    assert results[0].summary == ExtractiveSummarizer().summarize([article(4)])[0].summary
    assert results[1].summary == ExtractiveSummarizer().summarize(["\n".join(post.paragraphs)])[0].summary
    assert results[0].engine == "extractive" and isinstance(results[0].flags, tuple)
    with pytest.raises(tomtat.InputError) as refused:
        summarizer.summarize([article(1), "   "])
    assert refused.value.code == "empty_text" and "texts[1]" in str(refused.value)


@pytest.mark.slow  # not in the fast tier
def test_real_checkpoints_answer_as_the_command_line_does(model_dir: Path, bare_env: dict[str, str]) -> None:
    import tomtat

    summarizer = tomtat.Summarizer("vit5-base-vietnews", checkpoint_dir=model_dir)
    (summary,) = summarizer.summarize(article(3))
    env = {**bare_env, "TOMTAT_CHECKPOINT_DIR": str(model_dir)}
    cli = run_cli("summarize", "--model", "vit5-base-vietnews", stdin=article(3), env=env)
    assert summary.engine == "abstractive" and summary.summary == cli.stdout.decode().strip()
    translator = tomtat.Translator("envit5", target="en", checkpoint_dir=model_dir)
    post = block_editor(2)
    plain, html = translator.translate([post.paragraphs[0], post.body])
    cli = run_cli("translate", "--model", "envit5", "--target", "en", stdin=post.paragraphs[0], env=env)
    assert plain.translation == cli.stdout.decode().strip() and not plain.html and plain.source == "vi"
    tags = re.compile(r"<[^>]+>")
    assert html.html and tags.findall(html.translation) == tags.findall(post.body)
