"""Summarization on a GPU: the model-card way against tomtat's pipeline (``scripts/benchmark_gpu.py``).

The CPU benchmark (``scripts/benchmark.py``) states the project's targets; this one tells a GPU user what
each way gets on the ViT5-base shape (random weights, forced output length, the same articles in
every mode, interleaved) at archive-sized batches. With ``--device cpu --quick`` it runs on tiny
models, for CI.
"""

from __future__ import annotations

import dataclasses
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat.models.checkpoints import LocatedCheckpoint
from tomtat.models.model import Seq2SeqModel, load_model
from tomtat.models.registry import REGISTRY
from tomtat.models.text import split_sentences
from tomtat_tools.testmodels import TINY, VIT5_BASE, build_model

NAME = "vit5-base-vietnews"
CARD = "model-card loop (HF fp32, one at a time)"
CARD_DOCS = 8  # the card loop is ~100x slower: its rate is measured on a few articles
HF_BATCHED_DOCS = 64
CT2_COMPUTE_TYPES = ("int8_float16", "bfloat16")
# CTranslate2 cuts batches by tokens (sum of lengths); this many per document makes ~N documents per batch
CT2_TOKENS_PER_DOC = 512


def build(root: Path, articles: list[str], quick: bool) -> Path:
    """The ViT5-base-shaped model (tiny with ``quick``), built once under ``root``."""
    directory = root / ("gpu-quick" if quick else "gpu-true-shape") / NAME
    if not (directory / "tomtat.json").exists():
        shape = TINY if quick else dataclasses.replace(VIT5_BASE, vocab_pieces=B.BENCH_VOCAB_PIECES)
        corpus = None if quick else [s for a in articles for s in split_sentences(a)]
        build_model(NAME, directory, shape, teach_steps=0, corpus=corpus)
    return directory


def convert(directory: Path) -> Path:
    from tomtat.models.convert import convert_to_ctranslate2

    converted = directory.with_name(f"{NAME}-ct2")
    if not (converted / "tomtat.json").exists():
        convert_to_ctranslate2(LocatedCheckpoint(REGISTRY[NAME], directory), converted, "int8")
    return converted


_PROBE = """
import sys, ctranslate2
translator = ctranslate2.Translator(sys.argv[1], device=sys.argv[2], compute_type=sys.argv[3])
translator.translate_batch([["▁a", "</s>"]], max_decoding_length=2)
"""


def ct2_probe(converted: Path, device: str, compute_type: str) -> str | None:
    """Why CTranslate2 cannot run here (None when it can), tried in a child process: a missing or
    mismatched cuBLAS can kill the process that loads it, and the other modes must still run."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(converted), device, compute_type],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode == 0:
        return None
    lines = (result.stderr.strip() or f"exit status {result.returncode}").splitlines()
    return lines[-1]


def ct2_layouts(batch_docs: list[int], cpu: bool) -> list[tuple[int, int]]:
    """(documents per batch, batches run at once) to try: each size alone, then the largest budget
    split over 2 concurrent batches (``parallel_batches``: CPU work of one overlaps another's GPU work;
    4 measured slower than 2 on an H200)."""
    largest = max(batch_docs)
    layouts = [(size, 1) for size in batch_docs]
    if not cpu and largest >= 2:
        layouts.append((largest // 2, 2))
    return layouts


def run(
    root: Path,
    articles: list[str],
    device: str,
    n_docs: int,
    new_tokens: int,
    reps: int,
    quick: bool,
    batch_docs: list[int],
) -> dict:
    import torch

    directory = build(root, articles, quick)
    converted = convert(directory)

    def transformers(dtype: str, docs_per_batch: int) -> Seq2SeqModel:
        limits = {"max_batch_size": docs_per_batch, "max_batch_tokens": docs_per_batch * 1024}
        return load_model(str(directory), backend="transformers", device=device, dtype=dtype, **limits)

    def ctranslate2(compute_type: str, docs_per_batch: int, parallel: int) -> Seq2SeqModel:
        return load_model(
            str(converted),
            backend="ctranslate2",
            device=device,
            compute_type=compute_type,
            parallel_batches=parallel,
            max_batch_size=docs_per_batch,
            max_batch_tokens=docs_per_batch * CT2_TOKENS_PER_DOC,
        )

    largest = max(batch_docs)
    fp32 = transformers("float32", largest)
    docs = B.fit_to_one_pass(fp32, articles, n_docs)
    card = B.CardLoop(directory, torch.get_num_threads(), device)

    def pipeline(model: Seq2SeqModel) -> Callable[[list[str], int], None]:
        return lambda texts, new: B.pipeline_summaries(model, texts, new)

    # (label, function, how many of the documents it is timed on)
    modes: list[tuple[str, Callable[[list[str], int], None], int]] = [
        (CARD, card.run, min(CARD_DOCS, len(docs))),
        ("HF fp32 batched (8, input order)", card.run_batched, min(HF_BATCHED_DOCS, len(docs))),
        (f"tomtat, transformers fp32, batches of {largest}", pipeline(fp32), len(docs)),
    ]
    for size in batch_docs:
        modes.append(
            (f"tomtat, transformers bf16, batches of {size}", pipeline(transformers("bfloat16", size)), len(docs))
        )
    notes = []
    cpu = device == "cpu"
    for compute_type in ("int8",) if cpu else CT2_COMPUTE_TYPES:
        reason = ct2_probe(converted, device, compute_type)
        if reason:
            notes.append(f"CTranslate2 {compute_type} not measured: {reason}")
            continue
        for size, parallel in ct2_layouts(batch_docs, cpu):
            model = ctranslate2(compute_type, size, parallel)
            layout = f"batches of ~{size}" if parallel == 1 else f"{parallel} batches of ~{size} at once"
            modes.append((f"tomtat, CTranslate2 {compute_type}, {layout}", pipeline(model), len(docs)))
            if size == largest and parallel == 1:
                raw = (lambda m: lambda texts, new: B.raw_ct2(m, texts, new))(model)
                modes.append((f"raw CTranslate2 translate_batch {compute_type}, ~{size}", raw, len(docs)))
    for _, fn, _ in modes:  # warm-up: CUDA kernels load and caches fill on first use
        fn(docs[:2], 2)
    times: dict[str, list[float]] = {label: [] for label, _, _ in modes}
    for _ in range(reps):
        for label, fn, count in modes:
            times[label].append(B.timed(lambda fn=fn, count=count: fn(docs[:count], new_tokens)))
    tokens = [fp32.count_tokens(d) for d in docs]
    return {
        "device": torch.cuda.get_device_name() if device.startswith("cuda") else device,
        "versions": _versions(),
        "docs": len(docs),
        "timed_docs": {label: count for label, _, count in modes},
        "input_tokens": [min(tokens), statistics.median(tokens), max(tokens)],
        "new_tokens": new_tokens,
        "reps": reps,
        "docs_per_s": {label: count / statistics.median(times[label]) for label, _, count in modes},
        "notes": notes,
    }


def _versions() -> str:
    import torch
    import transformers

    found = [f"torch {torch.__version__}", f"transformers {transformers.__version__}"]
    try:
        import ctranslate2

        found.append(f"ctranslate2 {ctranslate2.__version__}")
    except ImportError:
        pass
    return ", ".join(found)


def report(results: dict) -> str:
    low, median, high = results["input_tokens"]
    lines = [
        f"{results['device']} ({results['versions']}): {results['docs']} articles, input tokens median "
        f"{median:.0f} ({low}-{high}), {results['new_tokens']} output tokens forced, "
        f"medians of {results['reps']} interleaved reps",
        "",
        "| summarization | docs timed | docs/s | vs model-card loop |",
        "| --- | --- | --- | --- |",
    ]
    rates = results["docs_per_s"]
    card = rates[CARD]
    lines += [
        f"| {label} | {results['timed_docs'][label]} | {value:.2f} | {value / card:.1f}x |"
        for label, value in rates.items()
    ]
    return "\n".join(lines + [f"\n{note}" for note in results["notes"]])
