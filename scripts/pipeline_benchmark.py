"""The archive path against raw CTranslate2 on a small model (issue: the pipeline keeps the model busy).

A tiny look-alike converted to CTranslate2 int8 on one thread (about 45 ms an article of ~320 words at
16 forced tokens on this project's 2-core machine) leaves the other core to the CPU work around the
model (reading, language checks, flags, writing): tomtat keeps up with raw CTranslate2 only if that
work overlaps the model's. Every mode runs on the same articles with the same forced output length,
interleaved over ``--repeats`` runs; the table gives medians.

python scripts/pipeline_benchmark.py                      # 600 articles, 3 runs of each mode
python scripts/pipeline_benchmark.py --docs 300 --repeats 1   # quicker
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import tempfile
from collections.abc import Callable
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat.models.model import load_model
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.service.archive import pipeline
from tomtat.service.archive.core import RecordOptions, RecordProcessor
from tomtat.service.archive.pipeline import run_archive
from tomtat.service.runtime.cpu_work import CpuWork
from tomtat.service.runtime.gateway import LocalGateway
from tomtat.service.runtime.keys import AbstractiveKey, SummaryPlan, overrides_of
from tomtat_tools.gpu_benchmark import NAME, build, convert

RAW = "raw CTranslate2, tomtat's batches, all in flight"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=600)
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64, help="records per model batch (default: 64)")
    parser.add_argument(
        "--model-threads",
        type=int,
        default=1,
        help="CPU threads of the model (default 1: a core stays for the CPU work)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each mode, interleaved (median; default 3)")
    parser.add_argument("--cpu-workers", type=int, default=1, help="worker processes of the last two rows (default: 1)")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="a CTranslate2 summarization model to use instead of the tiny one (e.g. the true ViT5-base shape "
        "that scripts/benchmark.py builds: ~/.cache/tomtat/bench/true-shape/vit5-base-vietnews-ct2)",
    )
    args = parser.parse_args()
    articles = B.vietnews_articles(B.SHARED_DATA) or B.generated_articles(300)
    root = Path(tempfile.gettempdir()) / "tomtat-pipeline-bench"
    converted = args.checkpoint.expanduser() if args.checkpoint else convert(build(root, articles, quick=True))
    limits = {"max_batch_size": args.batch_size, "max_batch_tokens": args.batch_size * 512}
    model = load_model(str(converted), backend="ctranslate2", device="cpu", threads=args.model_threads, **limits)
    fitted = B.fit_to_one_pass(model, articles, len(articles))
    # each copy made distinct: the archive path summarizes a repeated story once (duplicate_of), which
    # would compare less work with more
    docs = [f"Bản {i}. {fitted[i % len(fitted)]}" for i in range(args.docs)]
    source = root / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": f"a{i}", "text": d}) + "\n" for i, d in enumerate(docs)), "utf-8")
    plan = SummaryPlan(NAME, AbstractiveKey(overrides_of(B.forced(args.new_tokens))))
    gateway = LocalGateway(AbstractiveSummarizer(model))

    def archive(flags: bool, depth: int, workers: int = 0) -> float:
        pipeline.PIPELINE_DEPTH = depth
        output = root / f"out-{flags}-{depth}-{workers}.jsonl"
        output.unlink(missing_ok=True)
        gateway.cpu = CpuWork(workers)
        gateway.cpu.wait_started()
        processor = RecordProcessor(gateway, RecordOptions(plan, check_facts=flags))
        try:
            return B.timed(lambda: run_archive(source, output, processor, batch_size=args.batch_size, progress=False))
        finally:
            gateway.cpu.close()

    B.raw_ct2_batches(model, docs[:200], args.new_tokens, args.batch_size)  # warm-up
    archive(False, 2)  # warm-up
    modes: dict[str, Callable[[], float]] = {
        RAW: lambda: B.timed(lambda: B.raw_ct2_batches(model, docs, args.new_tokens, args.batch_size)),
        "raw CTranslate2, one translate_batch call (CT2 splits by tokens)": lambda: B.timed(
            lambda: B.raw_ct2(model, docs, args.new_tokens)
        ),
    }
    for depth, workers in ((1, 0), (2, 0), (2, args.cpu_workers)):
        for flags in (False, True):
            where = f"{workers} CPU worker process(es)" if workers else "CPU work in threads"
            label = f"tomtat batch path, flags {'on' if flags else 'off'}, {depth} batch(es) in flight, {where}"
            modes[label] = functools.partial(archive, flags, depth, workers)
    times: dict[str, list[float]] = {label: [] for label in modes}
    for _ in range(args.repeats):  # interleaved: a slow spell of the machine falls on every mode alike
        for label, mode in modes.items():
            times[label].append(mode())
    rows = {label: statistics.median(seconds) for label, seconds in times.items()}
    raw_ct2 = rows[RAW]

    def lines(name: str) -> list[dict[str, object]]:  # each result without its timing (batch_seconds)
        rows = [json.loads(line) for line in (root / name).read_text(encoding="utf-8").splitlines()]
        return [{k: v for k, v in row.items() if k != "batch_seconds"} for row in rows]

    same = all(
        lines(f"out-{flags}-1-0.jsonl")
        == lines(f"out-{flags}-2-0.jsonl")
        == lines(f"out-{flags}-2-{args.cpu_workers}.jsonl")
        for flags in (False, True)
    )
    print(
        f"{len(docs)} articles, {args.new_tokens} forced tokens, batches of {args.batch_size}, CT2 int8 {model.name} "
        f"on {args.model_threads} thread(s); median of {args.repeats} interleaved runs"
    )
    print("| mode | seconds | docs/s | ÷ raw CT2 |")
    print("| --- | --- | --- | --- |")
    for label, seconds in rows.items():
        print(f"| {label} | {seconds:.1f} | {len(docs) / seconds:.3g} | {raw_ct2 / seconds:.2f} |")
    print(f"outputs byte-identical with 1 and 2 batches in flight, threads and worker processes: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
