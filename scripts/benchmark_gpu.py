"""Summarization on a GPU: model-card loop vs tomtat (transformers fp32/bf16, CTranslate2 when it loads).

python scripts/benchmark_gpu.py                       # ViT5-base shape on cuda, 512 articles
python scripts/benchmark_gpu.py --quick --device cpu  # tiny model, every mode once (CI)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat_tools import gpu_benchmark


def batch_sizes(value: str) -> list[int]:
    try:
        sizes = [int(part) for part in value.split(",")]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: give positive whole numbers, comma-separated (64,128,256)")
    return sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny model, every mode once")
    parser.add_argument("--docs", type=int, default=512, help="articles (repeated when the data has fewer)")
    parser.add_argument(
        "--batch-docs",
        type=batch_sizes,
        default="128,256,512",
        help="documents per batch to try, comma-separated (archive-sized; default: 128,256,512)",
    )
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--data", default=str(B.SHARED_DATA), help="the shared data folder (vietnews-test)")
    parser.add_argument("--cache", default="~/.cache/tomtat/bench", help="where the benchmark model is built")
    parser.add_argument("--json", help="also write the raw figures here")
    args = parser.parse_args()
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        parser.error(f"--device {args.device}: torch sees no CUDA device here (use --device cpu)")
    articles = B.vietnews_articles(Path(args.data)) or B.generated_articles(max(64, args.docs))
    articles = (articles * (args.docs // len(articles) + 1))[: args.docs]  # repeated when --docs asks for more
    results = gpu_benchmark.run(
        Path(args.cache).expanduser(),
        articles,
        args.device,
        n_docs=4 if args.quick else args.docs,
        new_tokens=8 if args.quick else args.new_tokens,
        reps=1 if args.quick else args.reps,
        quick=args.quick,
        batch_docs=[2] if args.quick else args.batch_docs,
    )
    print(gpu_benchmark.report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
