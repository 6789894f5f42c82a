"""Scale evidence for ``tomtat batch`` on this machine: a 100,000-record archive generated from the
Vietnews test articles (their sentences shuffled into new articles; written to a temp folder, never
committed), summarized with the extractive engine. Prints docs/s, the peak RSS after 10k and after
100k records (flat means streamed), and the time to resume after a ``kill -9`` at 50%.

    python scripts/scale_run.py --data ../shared/data [--records 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # the process's peak resident memory so far
            return int(line.split()[1]) / 1024
    return 0.0


def lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def generate(data: Path, records: int, target: Path) -> None:
    rows = [json.loads(line) for line in (data / "vietnews-test" / "articles.jsonl").read_text("utf-8").splitlines()]
    sentences = [s.strip() + " ." for row in rows for s in row["text"].split(" . ") if len(s.split()) > 4]
    rng = random.Random(0)
    with target.open("w", encoding="utf-8") as handle:
        for i in range(records):
            text = " ".join(rng.sample(sentences, rng.randint(8, 25)))
            handle.write(json.dumps({"id": f"s{i:06d}", "text": text}, ensure_ascii=False) + "\n")


def run(source: Path, output: Path, stop_at: int | None, marks: tuple[int, ...]) -> dict[str, float]:
    """``tomtat batch`` in a process of its own; the peak RSS when the output reaches each mark, killed
    with SIGKILL at ``stop_at`` lines."""
    command = [sys.executable, "-m", "tomtat", "batch", str(source), "-o", str(output), "--engine", "extractive"]
    command += ["--no-progress", "--no-flags"]
    started = time.perf_counter()
    before = lines(output)
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    figures: dict[str, float] = {}
    pending = list(marks)
    while process.poll() is None:
        done = lines(output)
        if "first_new_line_s" not in figures and done > before:
            figures["first_new_line_s"] = time.perf_counter() - started
        while pending and done >= pending[0]:
            figures[f"peak_rss_mb_at_{pending.pop(0)}"] = peak_rss_mb(process.pid)
        if stop_at is not None and done >= stop_at:
            figures["peak_rss_mb_at_kill"] = peak_rss_mb(process.pid)
            process.send_signal(signal.SIGKILL)
            process.wait()
            figures["killed_at"] = lines(output)
            break
        time.sleep(0.2)
    figures["seconds"] = time.perf_counter() - started
    if stop_at is None:
        figures["log"] = process.stderr.read().strip().splitlines()[-1]  # type: ignore[assignment, union-attr]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--no-resume", action="store_true", help="one pass only (no kill -9 and rerun)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tomtat-scale-"))
    source = folder / "archive.jsonl"
    generate(args.data, args.records, source)
    print(f"archive: {args.records} records, {source.stat().st_size / 1e6:.0f} MB in {source}")
    whole = run(source, folder / "whole.jsonl", None, (10_000, args.records))
    rate = args.records / whole["seconds"]
    print(f"one pass: {whole['seconds']:.0f} s, {rate:.0f} docs/s; peak RSS after 10k records "
          f"{whole.get('peak_rss_mb_at_10000', 0):.0f} MB, after {args.records // 1000}k "
          f"{whole.get(f'peak_rss_mb_at_{args.records}', 0):.0f} MB; {whole['log']}")  # fmt: skip
    if args.no_resume:
        return 0
    half = args.records // 2
    killed = run(source, folder / "resumed.jsonl", half, ())
    resumed = run(source, folder / "resumed.jsonl", None, ())
    ids = [json.loads(line)["id"] for line in (folder / "resumed.jsonl").read_text("utf-8").splitlines()]
    print(f"kill -9 at {int(killed['killed_at'])} lines ({killed['seconds']:.0f} s in); the rerun wrote its first new "
          f"line after {resumed['first_new_line_s']:.1f} s and finished in {resumed['seconds']:.0f} s; "
          f"{len(ids)} lines, {len(set(ids))} distinct ids; {resumed['log']}")  # fmt: skip
    os.environ.get("KEEP") or subprocess.run(["rm", "-rf", str(folder)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
