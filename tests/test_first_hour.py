"""A new user's first hour: every command says what it did, obeys its options, and can be fixed by rerunning."""

from __future__ import annotations

import argparse
import csv
import json
import logging
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import client_for, served_process
from tests.test_cli import tomtat
from tests.test_jobs import wait_read
from tomtat.models.extractive import MAX_WORDS
from tomtat.models.text import sentences_by_paragraph
from tomtat.service.cli.parser import build_parser

VI = [
    "Sáng nay, UBND tỉnh Quảng Nam tổ chức hội nghị tổng kết công tác phòng chống thiên tai năm 2023. "
    "Hội nghị có sự tham gia của lãnh đạo các sở, ngành và các huyện miền núi. Theo báo cáo, "
    "mưa lũ đã làm hư hỏng hơn 200 căn nhà và nhiều tuyến đường giao thông. Tỉnh đã hỗ trợ kịp thời "
    "cho người dân bị ảnh hưởng. Lãnh đạo tỉnh yêu cầu các địa phương chủ động phương án ứng phó.",
    "Giá vàng trong nước tăng mạnh trong phiên sáng nay. Người dân đổ xô đi mua vàng tại các cửa hàng.",
    "Đội tuyển bóng đá Việt Nam đã giành chiến thắng trong trận đấu tối qua. Huấn luyện viên khen ngợi "
    "tinh thần thi đấu của các cầu thủ. Trận đấu thu hút hàng chục nghìn khán giả đến sân.",
]


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _sentences(text: str) -> int:
    return sum(len(p) for p in sentences_by_paragraph(text))


def test_batch_with_the_wrong_text_field_stops_early_and_a_rerun_fixes_it(bare_env, tmp_path: Path) -> None:
    source, output = tmp_path / "in.csv", tmp_path / "out.jsonl"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["key", "body"])
        writer.writeheader()
        writer.writerows({"key": f"k{i}", "body": text} for i, text in enumerate(VI))
    wrong = tomtat("batch", str(source), "-o", str(output), "--no-progress", env=bare_env)
    message = wrong.stderr.decode()
    assert wrong.returncode == 2 and message.count("\n") == 1, message
    assert "its fields are: key, body" in message and "--text-field" in message
    assert not output.exists()  # nothing written, so nothing to delete
    misspelt = ["--text-field", "body", "--id-field", "kee"]
    wrong_id = tomtat("batch", str(source), "-o", str(output), *misspelt, env=bare_env)
    message = wrong_id.stderr.decode()
    assert wrong_id.returncode == 2 and "field 'kee' is in no record" in message and "--id-field" in message
    assert not output.exists()
    right = tomtat(
        "batch", str(source), "-o", str(output), "--text-field", "body", "--id-field", "key", "--no-progress",
        env=bare_env,
    )  # fmt: skip
    assert right.returncode == 0, right.stderr
    assert [r["id"] for r in _rows(output)] == ["k0", "k1", "k2"] and all("summary" in r for r in _rows(output))


def test_batch_rerun_retries_fixable_errors_keeps_the_others_and_exit_code_says(bare_env, tmp_path: Path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    records = [
        {"id": "a", "text": VI[0]},
        {"id": "b", "body": VI[1]},
        {"id": "c", "text": "   "},
        {"id": "d", "text": VI[2]},
    ]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    first = tomtat("batch", str(source), "-o", str(output), "--no-progress", env=bare_env)
    assert first.returncode == 5, first.stderr  # some records failed
    errors = {r["id"]: r["error"]["code"] for r in _rows(output) if "error" in r}  # type: ignore[index]
    assert errors == {"b": "missing_text", "c": "empty_text"}
    assert [r["id"] for r in _rows(output)] == ["a", "b", "c", "d"]  # input order, not length order

    records[1] = {"id": "b", "text": VI[1]}  # the user fixes the file
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    second = tomtat("batch", str(source), "-o", str(output), "--no-progress", env=bare_env)
    line = second.stderr.decode()
    assert "1 earlier errors retried" in line and "1 earlier errors kept" in line and "3 already done" in line
    assert second.returncode == 5  # c is still empty: said, and the exit code says so too
    rows = _rows(output)
    assert sorted(r["id"] for r in rows) == ["a", "b", "c", "d"]  # every id exactly once
    assert "summary" in next(r for r in rows if r["id"] == "b")

    third = tomtat("batch", str(source), "-o", str(output), "--no-progress", "--retry-errors", env=bare_env)
    assert "1 earlier errors retried" in third.stderr.decode() and third.returncode == 5
    assert sorted(r["id"] for r in _rows(output)) == ["a", "b", "c", "d"]


@pytest.mark.slow  # not in the fast tier
def test_sentences_means_sentences_and_max_words_is_its_own_option(bare_env, sample_article: str) -> None:
    def summary(*options: str) -> str:
        result = tomtat("summarize", "--engine", "extractive", *options, stdin=sample_article, env=bare_env)
        assert result.returncode == 0, result.stderr
        return result.stdout.decode().strip()

    default = summary()
    assert len(default.split()) <= MAX_WORDS or _sentences(default) == 1  # the tuned default: a word budget
    assert _sentences(summary("--sentences", "3")) == 3
    assert _sentences(summary("--sentences", "5")) == 5
    budgeted = summary("--sentences", "5", "--max-words", "30")
    assert _sentences(budgeted) < 5 and budgeted != summary("--sentences", "5")


def test_api_sentences_and_max_words(sample_article: str, tmp_path: Path) -> None:
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        three = client.post("/v1/summarize", json={"text": sample_article, "engine": "extractive", "sentences": 3})
        assert _sentences(three.json()["results"][0]["summary"]) == 3
        schema = client.get("/openapi.json").json()["components"]["schemas"]["SummarizeRequest"]["properties"]
        assert "max_words" in schema and "sentences" in schema["sentences"]["description"]


@pytest.mark.parametrize(
    "args",
    [
        ["summarize", "missing.txt"],
        ["translate", "missing.txt"],
        ["detect", "missing.txt"],
        ["batch", "missing.jsonl", "-o", "out.jsonl"],
        ["batch", "notes.docx", "-o", "out.jsonl"],
        ["eval", "summarize", "--data", "missing.jsonl"],
        ["eval", "summarize", "--data", "notes.docx"],
        ["eval", "translate", "--src", "missing.vi", "--ref", "missing.en"],
        ["convert", "./missing-checkpoint"],
        ["fetch", "no-such-model", "--check"],
        ["keys", "remove", "nobody"],
        ["summarize", "--engine", "extractive", "--model", "vit5-base-vietnews", "notes.txt"],
    ],
)
def test_every_input_problem_is_one_line_and_exit_code_2_or_3(bare_env, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04 not text")
    (tmp_path / "notes.txt").write_text(VI[0], encoding="utf-8")
    env = {**bare_env, "TOMTAT_DATA_DIR": str(tmp_path / "data")}
    result = tomtat(*[str(tmp_path / a) if a.startswith(("missing", "notes")) else a for a in args], env=env)
    stderr = result.stderr.decode()
    assert result.returncode in (2, 3), (args, result.returncode, stderr)
    assert stderr.startswith("tomtat: error: ") and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr


def test_cli_messages_name_cli_options_and_alternatives(bare_env) -> None:
    english = tomtat("summarize", stdin="The government announced a new budget for schools on Monday.", env=bare_env)
    assert english.returncode == 2 and "--allow-any-language" in english.stderr.decode()
    missing = tomtat("translate", stdin="Xin chào các bạn.", env=bare_env)
    message = missing.stderr.decode()
    assert missing.returncode == 3 and "tomtat fetch envit5" in message and "tomtat fetch opus-mt-vi-en" in message


def test_every_cli_option_has_help() -> None:
    undocumented = []

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}")
            elif not isinstance(action, argparse._HelpAction | argparse._VersionAction) and not action.help:
                undocumented.append(f"{prefix} {'/'.join(action.option_strings) or action.dest}")

    walk(build_parser(), "tomtat")
    assert undocumented == []


def test_serve_names_each_model_state_and_readyz_refuses_missing_asked_models(tmp_path: Path) -> None:
    env = {"TOMTAT_CHECKPOINT_DIR": str(tmp_path / "none"), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
    with served_process(env, ["--load-only", "vit5-base-vietnews", "envit5"]) as (url, process):
        ready = httpx.get(url + "/readyz")
        assert ready.status_code == 503 and ready.json()["unavailable"] == ["vit5-base-vietnews", "envit5"]
        translate = httpx.post(url + "/v1/translate", json={"text": VI[1]})
        assert translate.status_code == 503 and "retry-after" not in translate.headers  # missing, not loading
        log = Path(process.log_path).read_text()
    for name in ("vit5-base-vietnews", "envit5"):
        assert f"tomtat: model {name} is missing" in log and f"tomtat fetch {name}" in log, log


def test_missing_models_are_logged_at_startup(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.INFO, logger="tomtat"),
        client_for(checkpoint_dir=tmp_path / "none", models=["vit5-base-vietnews"]) as client,
    ):
        assert client.get("/readyz").status_code == 503
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("tomtat")]
    assert any("vit5-base-vietnews is missing" in line and "tomtat fetch vit5-base-vietnews" in line for line in lines)


def test_docs_work_offline(tmp_path: Path) -> None:
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        page = client.get("/docs").text
        assert "cdn." not in page and "https://" not in page.replace("https://fastapi.tiangolo.com", "")
        for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
            assert f"/static-offline-docs/{asset}" in page
            assert client.get(f"/static-offline-docs/{asset}").status_code == 200


def test_a_job_upload_without_the_text_field_is_refused_with_the_file_fields(tmp_path: Path) -> None:
    upload = "key,body\nk0," + VI[1] + "\n"
    with client_for(checkpoint_dir=tmp_path / "none") as client:
        refused = client.post("/v1/jobs", files={"file": ("archive.csv", upload, "text/csv")})
        error = refused.json()["error"]
        assert (
            refused.status_code == 422 and error["code"] == "missing_field" and error["field"] == "options.text_field"
        )
        assert "its fields are: key, body" in error["message"]
        options = json.dumps({"text_field": "body", "id_field": "key", "engine": "extractive"})
        accepted = client.post(
            "/v1/jobs", files={"file": ("archive.csv", upload, "text/csv")}, data={"options": options}
        )
        assert accepted.status_code == 202 and wait_read(client, accepted.json()["id"])["total"] == 1


def test_serve_refuses_a_taken_port_a_bad_port_and_a_misspelt_setting_in_one_line(bare_env) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        in_use = tomtat("serve", "--port", port, env=bare_env)
    assert in_use.returncode == 2 and f"127.0.0.1:{port} is in use" in in_use.stderr.decode()
    assert "Traceback" not in in_use.stderr.decode() and "Application startup" not in in_use.stderr.decode()
    bad_port = tomtat("serve", "--port", "99999", env=bare_env)
    assert bad_port.returncode == 2 and "99999 is not a port" in bad_port.stderr.decode()
    typo = tomtat("serve", env={**bare_env, "TOMTAT_BACKEND": "ctranslate"})
    assert typo.returncode == 2 and typo.stderr.decode().startswith("tomtat: error: TOMTAT_BACKEND:")
    for name, value in (("TOMTAT_DEVICE", "gpu"), ("TOMTAT_COMPUTE_TYPE", "int4")):
        wrong = tomtat("serve", env={**bare_env, name: value})
        assert wrong.returncode == 2 and wrong.stderr.decode().startswith(f"tomtat: error: {name}:"), name


def test_a_misspelt_checkpoint_dir_is_named(bare_env, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text(VI[1], encoding="utf-8")
    misspelt = str(tmp_path / "chekpoints")
    for command in (["summarize", str(tmp_path / "notes.txt")], ["serve"], ["convert", "vit5-base-vietnews"]):
        result = tomtat(*command, "--checkpoint-dir", misspelt, env=bare_env)
        assert result.returncode == 2 and f"{misspelt} is not a folder" in result.stderr.decode(), command
