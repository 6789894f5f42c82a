"""Time to the first streamed text vs time to the whole answer, on the true ViT5-base shape (CT2 int8, CPU).

python scripts/streaming_benchmark.py                  # random weights of the true shape, built once
python scripts/streaming_benchmark.py --docs 8 --new-tokens 64
For one batch: seconds to the first generated token of any document (from inside the batch), to each
document's first token (median), and to the whole batch; and whether every streamed text equals the
result without streaming.
A benchmark, not a test: nothing here fails on a threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat.models.registry import SUMMARIZE
from tomtat.models.streaming import Delta
from tomtat.models.summarizer import AbstractiveSummarizer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", default="~/.cache/tomtat/bench", help="where the benchmark models are built")
    parser.add_argument("--data", default=str(B.SHARED_DATA), help="Vietnews test articles (else generated text)")
    parser.add_argument("--docs", type=int, default=8, help="documents per batch")
    parser.add_argument("--new-tokens", type=int, default=64, help="forced output length")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (default: every core)")
    args = parser.parse_args()
    threads = args.threads or os.cpu_count() or 1
    articles = B.vietnews_articles(Path(args.data)) or B.generated_articles(64)
    corpus = [s for a in articles for s in B.split_sentences(a)]
    models = B.prepare_models(Path(args.cache).expanduser(), corpus, quick=False)
    model = B.load(models.vit5_ct2, threads, "ctranslate2")
    docs = B.fit_to_one_pass(model, articles, args.docs)
    summarizer = AbstractiveSummarizer(model)
    options = B.forced(args.new_tokens)
    plain = summarizer.summarize(docs, options)  # warm-up, and the answer without streaming

    # random weights mostly emit ids outside the tokenizer's pieces (their text is empty), so time is
    # taken at the first token each document gets from inside the batch, and the text is compared
    first: dict[int, float] = {}
    started = time.perf_counter()

    def on_text(index: int, text: str, finished: bool) -> None:
        first.setdefault(index, time.perf_counter() - started)

    outputs = model.run(SUMMARIZE, docs, options, on_text)
    total = time.perf_counter() - started
    texts: dict[int, str] = {}

    def on_delta(delta: Delta) -> None:
        texts[delta.index] = texts.get(delta.index, "") + delta.text

    streamed = summarizer.summarize(docs, options, on_delta)
    figures = {
        "docs": len(docs),
        "new_tokens": args.new_tokens,
        "threads": threads,
        "first_token_s": min(first.values()),
        "median_first_token_per_doc_s": statistics.median(first.values()),
        "whole_batch_s": total,
        "first_token_share_of_whole": min(first.values()) / total,
        "streamed_equals_result": all(texts.get(i, "") == s.summary for i, s in enumerate(streamed)),
        "result_equals_unstreamed": [s.summary for s in streamed] == [s.summary for s in plain]
        and [o.text for o in outputs] == [s.summary for s in plain],
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
