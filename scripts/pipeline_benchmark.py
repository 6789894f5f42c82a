"""The archive path against raw CTranslate2 on a GPU-fast model (issue: the pipeline keeps the model busy).

A tiny look-alike converted to CTranslate2 int8 takes a few ms per article on this CPU, of the order of a
GPU's time on ViT5-base, so the CPU work around the model (preparation, flags, writing) shows. Every mode
runs on the same articles with the same forced output length; ratios are of one run.

python scripts/pipeline_benchmark.py                # 3,000 articles, 16 forced tokens
python scripts/pipeline_benchmark.py --docs 600     # quicker
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat.models.model import load_model
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.service.archive import pipeline
from tomtat.service.archive.core import RecordOptions, RecordProcessor
from tomtat.service.archive.pipeline import run_archive
from tomtat.service.runtime.gateway import LocalGateway
from tomtat.service.runtime.keys import AbstractiveKey, SummaryPlan, overrides_of
from tomtat_tools.gpu_benchmark import NAME, build, convert


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3000)
    parser.add_argument("--new-tokens", type=int, default=16)
    parser.add_argument("--batch-size", type=int, default=64, help="records per model batch (default: 64)")
    parser.add_argument(
        "--model-threads",
        type=int,
        default=1,
        help="CPU threads of the model (default 1: a core stays for the CPU work)",
    )
    args = parser.parse_args()
    articles = B.vietnews_articles(B.SHARED_DATA) or B.generated_articles(300)
    root = Path(tempfile.gettempdir()) / "tomtat-pipeline-bench"
    converted = convert(build(root, articles, quick=True))
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

    def archive(flags: bool, depth: int) -> float:
        pipeline.PIPELINE_DEPTH = depth
        output = root / f"out-{flags}-{depth}.jsonl"
        output.unlink(missing_ok=True)
        processor = RecordProcessor(gateway, RecordOptions(plan, check_facts=flags))
        return B.timed(lambda: run_archive(source, output, processor, batch_size=args.batch_size, progress=False))

    B.raw_ct2_batches(model, docs[:200], args.new_tokens, args.batch_size)  # warm-up
    raw_ct2 = B.timed(lambda: B.raw_ct2_batches(model, docs, args.new_tokens, args.batch_size))
    archive(False, 2)  # warm-up
    rows = {
        "raw CTranslate2, tomtat's batches, all in flight": raw_ct2,
        "raw CTranslate2, one translate_batch call (CT2 splits by tokens)": B.timed(
            lambda: B.raw_ct2(model, docs, args.new_tokens)
        ),
    }
    for depth in (1, 2):
        for flags in (False, True):
            rows[f"tomtat batch path, flags {'on' if flags else 'off'}, {depth} batch(es) in flight"] = archive(
                flags, depth
            )

    def lines(name: str) -> list[dict[str, object]]:  # each result without its timing (batch_seconds)
        rows = [json.loads(line) for line in (root / name).read_text(encoding="utf-8").splitlines()]
        return [{k: v for k, v in row.items() if k != "batch_seconds"} for row in rows]

    same = all(lines(f"out-{flags}-1.jsonl") == lines(f"out-{flags}-2.jsonl") for flags in (False, True))
    print(
        f"{len(docs)} articles, {args.new_tokens} forced tokens, batches of {args.batch_size}, CT2 int8 tiny model "
        f"on {args.model_threads} thread(s)"
    )
    print("| mode | seconds | docs/s | ÷ raw CT2 |")
    print("| --- | --- | --- | --- |")
    for label, seconds in rows.items():
        print(f"| {label} | {seconds:.1f} | {len(docs) / seconds:.0f} | {raw_ct2 / seconds:.2f} |")
    print(f"outputs byte-identical with 1 and 2 batches in flight: {same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
