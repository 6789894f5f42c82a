"""``tomtat batch``: every id exactly once, errors recorded, resumable after kill -9, all input formats."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.builders import local_processor
from tests.test_cli import COMMAND
from tomtat.models.summarizer import ExtractiveSummarizer
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.archive.pipeline import run_archive
from tomtat.service.archive.records import ResultWriter

SENTENCES = [
    "Người dân phấn khởi khi con đường mới được đưa vào sử dụng tại Đà Nẵng.",
    "Giá vàng trong nước tăng mạnh, vượt mốc 80 triệu đồng mỗi lượng.",
    "Bộ Y tế khuyến cáo người dân tiêm vắc-xin phòng bệnh cúm trước mùa đông.",
    "Công an tỉnh đã bắt giữ đối tượng lừa đảo chiếm đoạt tài sản qua mạng xã hội.",
    "Xuất khẩu gạo của Việt Nam đạt kỷ lục về sản lượng và giá trị trong năm nay.",
]
ENGLISH = "The council approved the new budget for schools and hospitals on Monday afternoon."


def article(i: int) -> str:
    return " ".join(f"{s[:-1]} (tin số {i})." for s in SENTENCES[: 1 + i % len(SENTENCES)])


def write_mixed_jsonl(path: Path, n: int = 200) -> dict[str, str | None]:
    """Good, empty, English and unreadable records; returns id -> expected error code (None = summary)."""
    expected: dict[str, str | None] = {}
    with path.open("w", encoding="utf-8") as handle:
        for i in range(1, n + 1):
            if i % 20 == 0:
                handle.write("{not json\n")
                expected[f"#{i}"] = "unreadable"
            elif i % 15 == 0:
                handle.write(json.dumps({"id": f"doc-{i}", "text": "   "}) + "\n")
                expected[f"doc-{i}"] = "empty_text"
            elif i % 11 == 0:
                handle.write(json.dumps({"id": f"doc-{i}", "text": ENGLISH}) + "\n")
                expected[f"doc-{i}"] = "not_vietnamese"
            elif i % 13 == 0:
                handle.write(json.dumps({"id": f"doc-{i}", "body": "no text field"}) + "\n")
                expected[f"doc-{i}"] = "missing_text"
            else:
                handle.write(json.dumps({"id": f"doc-{i}", "text": article(i)}, ensure_ascii=False) + "\n")
                expected[f"doc-{i}"] = None
    return expected


def read_output(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.slow  # not in the fast tier
def test_mixed_records_every_id_once_with_errors(tmp_path: Path, model_dir: Path, loaded) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    expected = write_mixed_jsonl(source)
    result = subprocess.run(
        [*COMMAND, "batch", str(source), "-o", str(output), "--model", str(model_dir / "vit5-base-vietnews")],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 5, result.stderr.decode()  # done, and some records failed (exit code 5)
    rows = read_output(output)
    assert sorted(r["id"] for r in rows) == sorted(expected)  # every id, exactly once
    for row in rows:
        code = expected[row["id"]]
        if code is None:
            assert row["summary"] and row["engine"] == "abstractive" and row["model"] == "vit5-base-vietnews"
        else:
            assert row["error"]["code"] == code
    from tomtat.models.summarizer import AbstractiveSummarizer

    summarizer = AbstractiveSummarizer(loaded("vit5-base-vietnews"))
    some = [r for r in rows if "summary" in r][:5]
    by_id = {f"doc-{i}": article(i) for i in range(1, 201)}
    assert [r["summary"] for r in some] == [s.summary for s in summarizer.summarize([by_id[r["id"]] for r in some])]
    from tomtat.models.facts import check_summary

    for row in some:  # each result carries the faithfulness flags of its summary against its article
        assert row["flags"] == [f.as_dict() for f in check_summary(by_id[row["id"]], row["summary"])]
    assert "done: 200 records read" in result.stderr.decode()


@pytest.mark.slow  # not in the fast tier
def test_kill_9_then_rerun_is_exactly_once(tmp_path: Path, model_dir: Path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    expected = write_mixed_jsonl(source, 300)
    command = [
        *COMMAND,
        "batch",
        str(source),
        "-o",
        str(output),
        "--model",
        str(model_dir / "vit5-base-vietnews"),
        "--batch-size",
        "4",
        "--window",
        "16",
        "--no-progress",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not output.exists() or output.stat().st_size < 2000):
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = output.read_bytes().count(b"\n")
    assert 0 < partial < len(expected), "the run should have been killed mid-way"
    assert subprocess.run(command, capture_output=True, timeout=300).returncode == 5  # the mix has bad records
    ids = [r["id"] for r in read_output(output)]
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))


def test_torn_last_line_is_repaired_not_duplicated(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text('{"id": "a", "summary": "x"}\n{"id": "b", "summary": "y"}\n{"id": "c", "summ', encoding="utf-8")
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": i, "text": article(n)}, ensure_ascii=False) + "\n" for n, i in enumerate("abcd")),
        encoding="utf-8",
    )
    report = run_archive(source, output, local_processor(ExtractiveSummarizer()), progress=False)
    assert report.repaired_bytes == len('{"id": "c", "summ') and report.skipped_done == 2
    assert [r["id"] for r in read_output(output)] == ["a", "b", "c", "d"]


def test_corrupt_middle_line_is_refused_not_truncated(tmp_path: Path) -> None:
    output = tmp_path / "out.jsonl"
    output.write_text('{"id": "a"}\ngarbage\n{"id": "b"}\n', encoding="utf-8")
    from tomtat.service.archive.records import InputFormatError

    with pytest.raises(InputFormatError, match="line 2 is corrupt"):
        ResultWriter(output)
    assert output.read_text(encoding="utf-8").count("\n") == 3


def _extractive_rows(output: Path) -> dict[str, dict]:
    return {r["id"]: r for r in read_output(output)}


def test_csv_parquet_and_directory_inputs(tmp_path: Path) -> None:
    texts = {f"n{i}": article(i) for i in range(6)}
    processor = local_processor(ExtractiveSummarizer(max_sentences=2))
    expected = {k: ExtractiveSummarizer(max_sentences=2).summarize([t])[0].summary for k, t in texts.items()}

    with (tmp_path / "in.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["key", "body"])
        writer.writeheader()
        writer.writerows({"key": k, "body": t} for k, t in texts.items())
    run_archive(
        tmp_path / "in.csv", tmp_path / "csv.jsonl", processor, text_field="body", id_field="key", progress=False
    )
    assert {k: r["summary"] for k, r in _extractive_rows(tmp_path / "csv.jsonl").items()} == expected

    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": list(texts), "text": list(texts.values())}), tmp_path / "in.parquet")
    run_archive(tmp_path / "in.parquet", tmp_path / "pq.jsonl", processor, progress=False)
    assert {k: r["summary"] for k, r in _extractive_rows(tmp_path / "pq.jsonl").items()} == expected

    folder = tmp_path / "txt"
    (folder / "sub").mkdir(parents=True)
    for k, t in texts.items():
        (folder / "sub" / f"{k}.txt").write_text(t, encoding="utf-8")
    (folder / "bad.txt").write_bytes(b"\xff\xfe broken")
    run_archive(folder, tmp_path / "dir.jsonl", processor, progress=False)
    rows = _extractive_rows(tmp_path / "dir.jsonl")
    assert {
        k.removeprefix("sub/").removesuffix(".txt"): r["summary"] for k, r in rows.items() if "summary" in r
    } == expected
    assert rows["bad.txt"]["error"]["code"] == "unreadable"


def test_length_bucketing_keeps_results_with_their_ids(tmp_path: Path) -> None:
    class Recording:
        engine = "extractive"
        name = "recording"

        def __init__(self) -> None:
            self.batches: list[list[int]] = []

        def summarize(self, texts: list[str], overrides: object = None) -> list:
            self.batches.append([len(t) for t in texts])
            return ExtractiveSummarizer().summarize(texts)

    recording = Recording()
    records = [InputRecord(f"r{i}", article(i)) for i in range(10)]
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": r.id, "text": r.text}, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    run_archive(source, tmp_path / "out.jsonl", local_processor(recording), window=10, batch_size=3, progress=False)
    lengths = sorted(len(r.text) for r in records)
    # batches of similar lengths (two may be in flight at once: the order they reach the model varies)
    assert sorted(recording.batches) == [lengths[i : i + 3] for i in range(0, len(lengths), 3)]
    rows = _extractive_rows(tmp_path / "out.jsonl")
    assert {k: r["summary"] for k, r in rows.items()} == {
        r.id: ExtractiveSummarizer().summarize([r.text])[0].summary for r in records
    }


def test_batch_cli_errors(tmp_path: Path) -> None:
    result = subprocess.run(
        [*COMMAND, "batch", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "o.jsonl")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "does not exist" in result.stderr.decode()
    (tmp_path / "x.xml").write_text("<a/>")
    result = subprocess.run(
        [*COMMAND, "batch", str(tmp_path / "x.xml"), "-o", str(tmp_path / "o.jsonl")],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "unsupported format" in result.stderr.decode()


def test_progress_and_summary_line(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(json.dumps({"id": str(i), "text": article(i)}, ensure_ascii=False) + "\n" for i in range(5)),
        encoding="utf-8",
    )
    env = {**os.environ, "TOMTAT_CHECKPOINT_DIR": str(tmp_path / "none"), "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [*COMMAND, "batch", str(source), "-o", str(tmp_path / "o.jsonl")],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    stderr = result.stderr.decode()
    assert result.returncode == 0 and "doc/s" in stderr and "5/5" in stderr
    assert "done: 5 records read, 5 summarized, 0 errors" in stderr and "extractive" in stderr


def test_flags_on_each_result_unless_no_flags(tmp_path: Path) -> None:
    from tomtat.models.facts import check_summary

    source = tmp_path / "in.jsonl"
    texts = {str(i): article(i) for i in range(3)}
    source.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()), encoding="utf-8")
    env = {**os.environ, "TOMTAT_CHECKPOINT_DIR": str(tmp_path / "none"), "HF_HUB_OFFLINE": "1"}
    for options, output in (([], "flagged.jsonl"), (["--no-flags"], "plain.jsonl")):
        command = [*COMMAND, "batch", str(source), "-o", str(tmp_path / output), "--no-progress", *options]
        result = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
        assert result.returncode == 0, result.stderr.decode()
    flagged = read_output(tmp_path / "flagged.jsonl")
    assert [r["flags"] for r in flagged] == [
        [f.as_dict() for f in check_summary(texts[r["id"]], r["summary"])] for r in flagged
    ]
    assert all("flags" not in r for r in read_output(tmp_path / "plain.jsonl"))


def test_repeated_texts_are_summarized_once_and_marked(tmp_path: Path) -> None:
    source, output = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    a, c = article(1), article(2)
    rows = [
        ("a", a),
        ("b", "  " + a.upper().replace(" ", "   ") + "\n"),  # the same story: case and spacing differ
        ("c", c),
        ("d", a),  # a later window (--window 2)
        ("e", c),
    ]
    source.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in rows), encoding="utf-8")
    env = {**os.environ, "TOMTAT_CHECKPOINT_DIR": str(tmp_path / "none"), "HF_HUB_OFFLINE": "1"}
    command = [*COMMAND, "batch", str(source), "-o", str(output), "--window", "2", "--no-progress"]
    result = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert "2 summarized" in result.stderr.decode() and "3 repeated texts" in result.stderr.decode()
    out = {r["id"]: r for r in read_output(output)}
    assert [r["id"] for r in read_output(output)] == ["a", "b", "c", "d", "e"]  # input order, every id once
    assert {i: r.get("duplicate_of") for i, r in out.items()} == {"a": None, "b": "a", "c": None, "d": "a", "e": "c"}
    assert out["b"]["summary"] == out["d"]["summary"] == out["a"]["summary"]
    assert out["e"]["summary"] == out["c"]["summary"]


def test_a_repeat_too_far_back_is_summarized_again_and_still_marked() -> None:
    from tomtat.service.archive.input_record import InputRecord
    from tomtat.service.archive.pipeline import SameText

    same = SameText(keep=1)
    first, other, again = (
        InputRecord("a", article(1), None),
        InputRecord("b", article(2), None),
        InputRecord("c", article(1), None),
    )
    for record in (first, other):
        todo, repeats, firsts = same.split([record])
        assert todo == [record] and repeats == {} and list(firsts) == [record.id]
        same.remember(firsts[record.id], {"id": record.id, "summary": "s-" + record.id})
    todo, repeats, firsts = same.split([again])  # "a"'s result was dropped to keep memory bounded
    assert todo == [again] and list(repeats) == ["c"] and firsts == {}
    line = same.result_for("c", repeats["c"], {"c": {"id": "c", "summary": "recomputed"}})
    assert line == {"id": "c", "summary": "recomputed", "duplicate_of": "a"}


def test_what_a_run_finished_before_a_crash_is_on_disk_in_input_order(tmp_path: Path) -> None:
    """A window of 12 in batches of 3, the model failing at the third batch: the two batches before it
    are written (the window's complete head), not lost with the window; the rerun finishes the rest."""
    source = tmp_path / "in.jsonl"
    texts = [f"Tin số {i}. " + article(i) for i in range(12)]
    source.write_text("".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(texts)), "utf-8")
    processor = local_processor(ExtractiveSummarizer())
    calls = []
    plain = processor.process

    def crashing(batch: list[InputRecord]) -> list[dict]:
        calls.append([r.id for r in batch])
        if len(calls) == 3:
            raise RuntimeError("killed")
        return plain(batch)

    processor.process = crashing  # type: ignore[method-assign]
    output = tmp_path / "out.jsonl"
    with pytest.raises(RuntimeError):
        run_archive(source, output, processor, window=12, batch_size=3, progress=False)
    processed = {record_id for batch in calls[:2] for record_id in batch}
    order = [f"r{i}" for i in range(12)]
    on_disk = [r["id"] for r in read_output(output)]
    head = next(i for i, record_id in enumerate(order) if record_id not in processed)
    assert on_disk == order[:head] and head > 0  # the complete head of the window, in input order
    processor.process = plain  # type: ignore[method-assign]
    run_archive(source, output, processor, window=12, batch_size=3, progress=False)
    assert [r["id"] for r in read_output(output)] == order


@pytest.mark.slow  # not in the fast tier
def test_worker_processes_give_the_lines_threads_give(tmp_path: Path, model_dir: Path) -> None:
    """``--cpu-workers 2`` (articles read and facts checked in two processes) writes the same lines,
    errors and flags included, as ``--cpu-workers 0`` (threads of the one process)."""
    source = tmp_path / "in.jsonl"
    write_mixed_jsonl(source, 120)
    lines = {}
    for workers in ("0", "2"):
        output = tmp_path / f"out-{workers}.jsonl"
        command = [*COMMAND, "batch", str(source), "-o", str(output), "--no-progress", "--cpu-workers", workers]
        command += ["--model", str(model_dir / "vit5-base-vietnews"), "--batch-size", "8", "--window", "32"]
        result = subprocess.run(command, capture_output=True, timeout=300, check=False)
        assert result.returncode == 5, result.stderr.decode()  # some records fail, as written
        lines[workers] = [{k: v for k, v in row.items() if k != "batch_seconds"} for row in read_output(output)]
    assert lines["0"] == lines["2"] and len(lines["0"]) == 120
    assert sum("flags" in row for row in lines["2"]) > 50


def test_cpu_work_runs_in_another_process_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tomtat.service.runtime import cpu_work

    async def pids(work: cpu_work.CpuWork) -> set[int]:
        return set(await asyncio.gather(*(work.run(os.getpid) for _ in range(4))))

    assert asyncio.run(pids(cpu_work.IN_THREADS)) == {os.getpid()}
    pool = cpu_work.CpuWork(2)
    try:
        found = asyncio.run(pids(pool))
        assert os.getpid() not in found and 1 <= len(found) <= 2
    finally:
        pool.close()
    monkeypatch.setattr(cpu_work, "usable_cores", lambda: 2)
    assert cpu_work.auto_workers(2) == 0 and cpu_work.auto_workers(1) == 1  # a model on every core: as before
    monkeypatch.setattr(cpu_work, "usable_cores", lambda: 16)
    assert cpu_work.auto_workers(1) == 8 and cpu_work.auto_workers(12) == 4 and cpu_work.auto_workers(16) == 0
