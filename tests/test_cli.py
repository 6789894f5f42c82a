"""The ``tomtat`` command as a user runs it: a real process, stdin/files in, stdout/stderr and exit codes out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tomtat.models.summarizer import ExtractiveSummarizer

SCRIPT = Path(sys.executable).parent / "tomtat"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "tomtat"]


def tomtat(*args: str, stdin: str | bytes = b"", env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run([*COMMAND, *args], input=data, capture_output=True, env=env, timeout=120, check=False)


def test_summarize_without_checkpoints_uses_extractive(bare_env, sample_article: str) -> None:
    result = tomtat("summarize", stdin=sample_article, env=bare_env)
    assert result.returncode == 0, result.stderr
    expected = ExtractiveSummarizer().summarize([sample_article])[0].summary
    assert result.stdout.decode().strip() == expected
    stderr = result.stderr.decode()
    assert "extractive" in stderr and "tomtat fetch vit5-base-vietnews" in stderr


@pytest.mark.slow  # not in the fast tier
def test_summarize_json_with_test_model_by_path(model_dir: Path, loaded, sample_article: str, tmp_path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(sample_article, encoding="utf-8")
    result = tomtat("summarize", str(article), "--model", str(model_dir / "vit5-large-vietnews"), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["engine"] == "abstractive" and payload["model"] == "vit5-large-vietnews"
    from tomtat.models.summarizer import AbstractiveSummarizer

    expected = AbstractiveSummarizer(loaded("vit5-large-vietnews")).summarize([sample_article])[0]
    assert payload["summary"] == expected.summary and payload["summary"]
    assert payload["input_tokens"] == expected.input_tokens


@pytest.mark.slow  # not in the fast tier
@pytest.mark.parametrize(
    ("text", "source", "target"),
    [("Giá vàng trong nước tăng mạnh.", "vi", "en"), ("Gold prices rose sharply.", "en", "vi")],
)
def test_translate_both_directions(model_dir: Path, loaded, text: str, source: str, target: str) -> None:
    from tomtat.models.translator import Translator

    result = tomtat("translate", "--model", str(model_dir / "envit5"), "--target", target, "--json", stdin=text)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["source"], payload["target"], payload["detected"]["language"]) == (source, target, source)
    expected = Translator([loaded("envit5")]).translate([text], "auto", target)[0].translation
    assert payload["translation"] == expected and expected


def test_detect() -> None:
    result = tomtat("detect", stdin="Người dân phấn khởi khi con đường mới được đưa vào sử dụng.")
    assert result.returncode == 0 and result.stdout.decode().split("\t")[0] == "vi"


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (["summarize"], "   \n", 2, "text is empty"),
        (
            ["summarize"],
            "The council approved the new budget for schools and hospitals on Monday.",
            2,
            "not Vietnamese",
        ),
        (["summarize", "/no/such/file.txt"], "", 2, "no such file"),
        (["summarize"], b"\xff\xfe\xfa bad", 2, "not UTF-8"),
        (["summarize", "--model", "gpt-9"], "Giá vàng tăng mạnh trong phiên sáng nay.", 2, "unknown model"),
        (["summarize", "--engine", "abstractive"], "Giá vàng tăng mạnh trong phiên sáng nay.", 3, "tomtat fetch"),
        (["translate"], "Giá vàng tăng mạnh.", 3, "tomtat fetch envit5"),
        (["summarize", "--max-length", "0", "--engine", "extractive"], "Giá vàng tăng mạnh.", 2, "max-length"),
        (["summarize", "--sentences", "0", "--engine", "extractive"], "Giá vàng tăng mạnh.", 2, "--sentences: '0'"),
        (["summarize", "--threads", "-1", "--engine", "extractive"], "Giá vàng tăng mạnh.", 2, "--threads: '-1'"),
        (["batch", "in.jsonl", "-o", "out.jsonl", "--batch-size", "0"], "", 2, "--batch-size: '0'"),
        (["batch", "in.jsonl", "-o", "out.jsonl", "--window", "x"], "", 2, "--window: 'x'"),
        (["eval", "summarize", "--data", "d.jsonl", "--limit", "-2"], "", 2, "--limit: '-2'"),
    ],
)
def test_errors_go_to_stderr_with_nonzero_exit(bare_env, args, stdin, code, message) -> None:
    result = tomtat(*args, stdin=stdin, env=bare_env)
    assert result.returncode == code
    assert message in result.stderr.decode() and result.stdout == b""
    assert "Traceback" not in result.stderr.decode()


def test_batch_size_reaches_the_model_whole() -> None:
    """``tomtat batch --batch-size 512`` on a GPU must give the model batches of 512 articles: the token
    budget grows with the size instead of cutting them back to the 8,192-token default."""
    from tomtat.service.cli.common import placement
    from tomtat.service.cli.parser import build_parser

    parser = build_parser()
    large = placement(parser.parse_args(["batch", "in.jsonl", "-o", "out.jsonl", "--batch-size", "512"]))
    assert (large.max_batch_size, large.max_batch_tokens) == (512, 512 * 512)
    small = placement(parser.parse_args(["batch", "in.jsonl", "-o", "out.jsonl", "--batch-size", "4"]))
    assert (small.max_batch_size, small.max_batch_tokens) == (4, 8192)
    single = placement(parser.parse_args(["summarize", "--engine", "extractive"]))
    assert (single.max_batch_size, single.max_batch_tokens) == (32, 8192)


def test_the_loaded_model_gets_the_batch_limits(model_dir: Path) -> None:
    from tomtat.models.backends.transformers_backend import TransformersBackend
    from tomtat.models.summarizer import AbstractiveSummarizer
    from tomtat.service.runtime.local import Placement, summarizing_gateway

    gateway, _ = summarizing_gateway(
        "abstractive", "vit5-base-vietnews", Placement.for_batches(model_dir, "transformers", "cpu", 1, 64)
    )
    summarizer = gateway.summarizer
    assert isinstance(summarizer, AbstractiveSummarizer)
    backend = summarizer.model.backend
    assert isinstance(backend, TransformersBackend)
    assert (backend.max_batch_size, backend.max_batch_tokens) == (64, 64 * 512)


def test_check_command(tmp_path: Path) -> None:
    source, output = tmp_path / "article.txt", tmp_path / "summary.txt"
    source.write_text("Sáng 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù.", encoding="utf-8")
    output.write_text("Sáng 25/2, tòa phạt Hồ Xuân Hùng 15 năm tù.", encoding="utf-8")
    plain = tomtat("check", "--source", str(source), "--output", str(output))
    assert plain.returncode == 0, plain.stderr.decode()
    assert plain.stdout.decode().splitlines() == [
        "name 'Hồ Xuân Hùng' (output 20-32): changed, the source has 'Hồ Xuân Huy'",
        "number '15' (output 33-35): unsupported",
    ]
    as_json = tomtat("check", "--source", "-", "--output", str(output), "--json", stdin=source.read_bytes())
    assert [f["text"] for f in json.loads(as_json.stdout)["flags"]] == ["Hồ Xuân Hùng", "15"]
    both_stdin = tomtat("check", "--source", "-", "--output", "-")
    assert both_stdin.returncode == 2 and "standard input" in both_stdin.stderr.decode()


def test_summarize_json_carries_flags(bare_env, sample_article: str) -> None:
    result = tomtat("summarize", "--json", "--engine", "extractive", stdin=sample_article, env=bare_env)
    assert result.returncode == 0, result.stderr.decode()
    body = json.loads(result.stdout)
    from tomtat.models.facts import check_summary

    assert body["flags"] == [f.as_dict() for f in check_summary(sample_article, body["summary"])]
