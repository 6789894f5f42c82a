"""Summarization on a GPU: the model-card way against tomtat's pipeline (``scripts/benchmark_gpu.py``).

The CPU benchmark (``scripts/benchmark.py``) states the project's targets; this one tells a GPU user what
each way gets on the ViT5-base shape (random weights, forced output length, the same articles in
every mode, interleaved). With ``--device cpu --quick`` it runs on tiny models, for CI.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Callable
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat.models.checkpoints import LocatedCheckpoint
from tomtat.models.model import Seq2SeqModel, load_model
from tomtat.models.registry import REGISTRY
from tomtat.models.text import split_sentences
from tomtat_tools.testmodels import TINY, VIT5_BASE, build_model

NAME = "vit5-base-vietnews"
GPU_LIMITS = {"max_batch_size": 64, "max_batch_tokens": 32768}  # a GPU wants big batches


def build(root: Path, articles: list[str], quick: bool) -> Path:
    """The ViT5-base-shaped model (tiny with ``quick``), built once under ``root``."""
    directory = root / ("gpu-quick" if quick else "gpu-true-shape") / NAME
    if not (directory / "tomtat.json").exists():
        shape = TINY if quick else dataclasses.replace(VIT5_BASE, vocab_pieces=B.BENCH_VOCAB_PIECES)
        corpus = None if quick else [s for a in articles for s in split_sentences(a)]
        build_model(NAME, directory, shape, teach_steps=0, corpus=corpus)
    return directory


def _ctranslate2(directory: Path, device: str) -> Seq2SeqModel:
    from tomtat.models.convert import convert_to_ctranslate2

    converted = directory.with_name(f"{NAME}-ct2")
    if not (converted / "tomtat.json").exists():
        convert_to_ctranslate2(LocatedCheckpoint(REGISTRY[NAME], directory), converted, "int8")
    return load_model(str(converted), backend="ctranslate2", device=device, **GPU_LIMITS)


def run(root: Path, articles: list[str], device: str, n_docs: int, new_tokens: int, reps: int, quick: bool) -> dict:
    import torch

    directory = build(root, articles, quick)
    fp32 = load_model(str(directory), backend="transformers", device=device, **GPU_LIMITS)
    bf16 = load_model(str(directory), backend="transformers", device=device, dtype="bfloat16", **GPU_LIMITS)
    docs = B.fit_to_one_pass(fp32, articles, n_docs)
    card = B.CardLoop(directory, torch.get_num_threads(), device)
    modes: dict[str, Callable[[list[str], int], None]] = {
        "model-card loop (HF fp32, one at a time)": card.run,
        "HF fp32 batched (8, input order)": card.run_batched,
        "tomtat pipeline, transformers fp32": lambda texts, new: B.pipeline_summaries(fp32, texts, new),
        "tomtat pipeline, transformers bf16": lambda texts, new: B.pipeline_summaries(bf16, texts, new),
    }
    notes = []
    try:  # the PyPI wheels of CTranslate2 need CUDA 12's cuBLAS on a GPU
        ct2 = _ctranslate2(directory, device)
        B.pipeline_summaries(ct2, docs[:1], 2)
        modes[f"tomtat pipeline, CTranslate2 {ct2.backend.compute_type}"] = lambda texts, new: B.pipeline_summaries(
            ct2, texts, new
        )
    except Exception as error:  # noqa: BLE001 - reported in the table, the other modes still run
        notes.append(f"CTranslate2 not measured: {type(error).__name__}: {error}")
    for fn in modes.values():  # warm-up: CUDA kernels load and caches fill on first use
        fn(docs[:2], 2)
    times: dict[str, list[float]] = {name: [] for name in modes}
    for _ in range(reps):
        for name, fn in modes.items():
            times[name].append(B.timed(lambda fn=fn: fn(docs, new_tokens)))
    tokens = [fp32.count_tokens(d) for d in docs]
    return {
        "device": torch.cuda.get_device_name() if device.startswith("cuda") else device,
        "docs": len(docs),
        "input_tokens": [min(tokens), statistics.median(tokens), max(tokens)],
        "new_tokens": new_tokens,
        "reps": reps,
        "docs_per_s": {name: len(docs) / statistics.median(ts) for name, ts in times.items()},
        "notes": notes,
    }


def report(results: dict) -> str:
    low, median, high = results["input_tokens"]
    lines = [
        f"{results['device']}: {results['docs']} articles, input tokens median {median:.0f} ({low}-{high}), "
        f"{results['new_tokens']} output tokens forced, medians of {results['reps']} interleaved reps",
        "",
        "| summarization | docs/s | vs model-card loop |",
        "| --- | --- | --- |",
    ]
    rates = results["docs_per_s"]
    card = rates["model-card loop (HF fp32, one at a time)"]
    lines += [f"| {name} | {value:.2f} | {value / card:.2f}x |" for name, value in rates.items()]
    return "\n".join(lines + [f"\n{note}" for note in results["notes"]])
