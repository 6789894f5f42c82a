"""``scripts/benchmark.py``: tomtat against the model-card way and raw CTranslate2, one run.

Every mode runs on the same documents in the same process run, interleaved over repetitions; the
table gives medians and the ratios the performance targets are stated in. ``--quick`` uses tiny
models and asserts nothing about speed (CI runs it to prove every mode still works).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx

import tomtat_tools.benchmarking as B


def _server(env: dict[str, str], port: int) -> tuple[subprocess.Popen, float]:
    """Start ``tomtat serve``; return it and the seconds from process start to ``/readyz`` = 200."""
    script = Path(sys.executable).parent / "tomtat"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "tomtat"]
    started = time.perf_counter()
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while True:
        if process.poll() is not None:
            raise RuntimeError("benchmark server exited")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)


def _free_from(port: int) -> int:
    """``port``, or the next one nothing holds: each server of a run takes its own, and the one after
    ``--port`` may be a client's (the previous server's connections) or another program's."""
    while True:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
                return port
            except OSError:
                port += 1


def proc_status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_rss_mb(pid: int) -> float:
    return proc_status_mb(pid, "VmHWM")


def _reset_peak_rss(pid: int) -> None:
    """Start a new VmHWM from the current RSS (Linux: ``5`` into ``clear_refs``)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _rss_mb(pid: int) -> float:
    return proc_status_mb(pid, "VmRSS")


def _clients(url: str, texts: list[str], new_tokens: int, clients: int = 16, leads: list[str] = ()) -> float:
    """``clients`` threads post ``texts`` one per summarize request, and ``leads`` (if any) one per
    translate request (vi→en, 32 tokens forced per sentence); returns the seconds until all answered."""
    body = {"options": {"max_length": new_tokens + 1, "min_new_tokens": new_tokens}, "allow_any_language": True}
    translate = {"source": "vi", "target": "en", "options": {"max_length": 33, "min_new_tokens": 32}}

    def summarize(text: str) -> None:
        response = httpx.post(url + "/v1/summarize", json={"text": text, **body}, timeout=600)
        response.raise_for_status()
        assert response.json()["results"][0]["engine"] == "abstractive"

    def english(text: str) -> None:
        response = httpx.post(url + "/v1/translate", json={"text": text, **translate}, timeout=600)
        response.raise_for_status()

    work = [(summarize, t) for t in texts]
    for i, lead in enumerate(leads):  # alternate, so both models are busy at once
        work.insert(2 * i + 1, (english, lead))
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda w: w[0](w[1]), work))
    return time.perf_counter() - started


def run(args: argparse.Namespace) -> dict:
    quick = args.quick
    threads = args.threads or os.cpu_count() or 1
    articles = B.vietnews_articles(Path(args.data))
    source = "vietnews-test" if articles else "bundled generator"
    articles = articles or B.generated_articles(64)
    corpus = [s for a in articles for s in B.split_sentences(a)]
    models = B.prepare_models(Path(args.cache).expanduser(), corpus, quick)
    n_docs = 4 if quick else args.docs
    new_tokens = 8 if quick else args.new_tokens
    reps = 1 if quick else args.reps

    hf = B.load(models.vit5, threads, "transformers")
    ct2 = B.load(models.vit5_ct2, threads, "ctranslate2")
    docs = B.fit_to_one_pass(hf, articles, n_docs)
    card = B.CardLoop(models.vit5, threads)
    tokens = [hf.count_tokens(d) for d in docs]
    print(
        f"summarization: {len(docs)} articles ({source}), input tokens median {statistics.median(tokens):.0f} "
        f"(min {min(tokens)}, max {max(tokens)}), output forced to {new_tokens} tokens, {reps} reps",
        flush=True,
    )
    modes = {
        "model-card loop (HF fp32, one at a time)": lambda texts, new: card.run(texts, new),
        "HF fp32 batched (8, input order)": lambda texts, new: card.run_batched(texts, new),
        "tomtat pipeline, transformers fp32": lambda texts, new: B.pipeline_summaries(hf, texts, new),
        "raw CTranslate2 int8 translate_batch": lambda texts, new: B.raw_ct2(ct2, texts, new),
        "tomtat pipeline, CTranslate2 int8": lambda texts, new: B.pipeline_summaries(ct2, texts, new),
        "tomtat pipeline, CT2 int8, no length bucketing": (
            lambda texts, new: B.pipeline_summaries(ct2, texts, new, bucketing=False)
        ),
    }
    times: dict[str, list[float]] = {name: [] for name in modes}
    for fn in modes.values():  # warm-up: first-call allocations are not what we measure
        fn(docs[:2], 2)
    for rep in range(reps):
        for name, fn in modes.items():
            times[name].append(B.timed(lambda fn=fn: fn(docs, new_tokens)))
            print(f"  rep {rep + 1} {name}: {times[name][-1]:.2f} s", flush=True)
    summary = {name: len(docs) / statistics.median(ts) for name, ts in times.items()}

    # translation of whole articles into English, sentence-level segments, output forced per sentence
    envit5_card = B.CardLoop(models.envit5, threads)
    envit5_ct2 = B.load(models.envit5_ct2, threads, "ctranslate2")
    t_docs = docs[: (1 if quick else args.translate_docs)]
    sentences = B.article_sentences(t_docs)
    t_new = 8 if quick else 32
    print(f"translation: {len(t_docs)} articles = {len(sentences)} sentences, {t_new} output tokens each", flush=True)
    t_modes = {
        "model-card loop per sentence (HF fp32)": lambda: B.card_translation_loop(envit5_card, t_docs, t_new),
        "tomtat translate, CTranslate2 int8": lambda: B.pipeline_translation(envit5_ct2, t_docs, t_new),
    }
    t_times: dict[str, list[float]] = {name: [] for name in t_modes}
    for rep in range(reps):
        for name, fn in t_modes.items():
            t_times[name].append(B.timed(fn))
            print(f"  rep {rep + 1} {name}: {t_times[name][-1]:.2f} s", flush=True)
    translation = {name: len(sentences) / statistics.median(ts) for name, ts in t_times.items()}

    # HTTP: 16 concurrent clients, batching server vs max batch size 1; memory and cold start
    http: dict[str, float] = {}
    memory: dict[str, float] = {}
    cold: dict[str, float] = {}
    # every server runs with the default batching settings, as users get them
    base_env = {"TOMTAT_THREADS": str(threads), "TOMTAT_DATA_DIR": str(Path(args.cache).expanduser() / "bench-data")}
    servers = {
        "batching (CT2 int8)": {"TOMTAT_MODELS": json.dumps([str(models.vit5_ct2), str(models.envit5_ct2)])},
        "no batching (CT2 int8, max batch 1)": {
            "TOMTAT_MODELS": json.dumps([str(models.vit5_ct2)]),
            "TOMTAT_MAX_BATCH_SIZE": "1",
        },
        "transformers fp32": {
            "TOMTAT_MODELS": json.dumps([str(models.vit5), str(models.envit5)]),
            "TOMTAT_BACKEND": "transformers",
        },
    }
    clients_docs = (docs * 16)[:16]
    # the mixed load: the 16 articles to summarize and their leads (3 sentences) to put into English
    leads = [" ".join(B.split_sentences(d)[:3]) for d in clients_docs]
    rest: dict[str, float] = {}
    mixed: dict[str, float] = {}
    idle: dict[str, float] = {}
    port = args.port - 1
    for name, env in servers.items():
        port = _free_from(port + 1)
        process, cold[name] = _server(base_env | env, port)
        url = f"http://127.0.0.1:{port}"
        try:
            rest[name] = _rss_mb(process.pid)
            _clients(url, clients_docs[:2], new_tokens)  # warm-up
            seconds = [_clients(url, clients_docs, new_tokens) for _ in range(reps)]
            http[name] = len(clients_docs) / statistics.median(seconds)
            memory[name] = _peak_rss_mb(process.pid)  # after the same 16-client load on every server
            if "TOMTAT_MAX_BATCH_SIZE" not in env:  # the servers that hold both models: use both
                _reset_peak_rss(process.pid)
                _clients(url, clients_docs, new_tokens, leads=leads)
                mixed[name] = _peak_rss_mb(process.pid)
                time.sleep(1)
                idle[name] = _rss_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    offline = B.timed(lambda: B.pipeline_summaries(ct2, clients_docs, new_tokens))
    http["offline pipeline (CT2 int8, same 16 docs)"] = len(clients_docs) / offline
    return {
        "summary": summary,
        "translation": translation,
        "http": http,
        "memory": memory,
        "mixed": mixed,
        "idle": idle,
        "cold": cold,
        "rest": rest,
        "docs": len(docs),
        "source": source,
        "new_tokens": new_tokens,
        "reps": reps,
        "threads": threads,
    }


def report(results: dict) -> str:
    s, t, h, m = results["summary"], results["translation"], results["http"], results["memory"]
    ct2 = s["tomtat pipeline, CTranslate2 int8"]
    lines = [
        f"tomtat benchmark, {date.today()}, {platform.machine()} {os.cpu_count()} cores, "
        f"{results['threads']} threads, {results['source']}, medians of {results['reps']} interleaved reps",
        "",
        "| summarization | docs/s | vs model-card loop |",
        "| --- | --- | --- |",
    ]
    card = s["model-card loop (HF fp32, one at a time)"]
    lines += [f"| {name} | {value:.3f} | {value / card:.2f}x |" for name, value in s.items()]
    tr_card = t["model-card loop per sentence (HF fp32)"]
    lines += ["", "| translation (whole articles, vi→en) | sentences/s | vs card loop |", "| --- | --- | --- |"]
    lines += [f"| {name} | {value:.2f} | {value / tr_card:.2f}x |" for name, value in t.items()]
    lines += ["", "| HTTP, 16 concurrent clients | docs/s |", "| --- | --- |"]
    lines += [f"| {name} | {value:.3f} |" for name, value in h.items()]
    mixed, idle = results["mixed"], results["idle"]
    lines += [
        "",
        "| server | RSS at ready MB | peak RSS, 16 clients summarizing MB | peak RSS, 16 clients summarizing "
        "and translating MB | RSS idle after both loads MB | cold start to /readyz s |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {name} | {results['rest'][name]:.0f} | {m[name]:.0f} | {mixed.get(name, 0):.0f} | "
        f"{idle.get(name, 0):.0f} | {results['cold'][name]:.1f} |"
        for name in results["cold"]
    ]
    batching = h["batching (CT2 int8)"]
    targets = [
        ("tomtat CT2 int8 / raw CT2 int8", ct2 / s["raw CTranslate2 int8 translate_batch"], 0.9),
        ("tomtat CT2 int8 / model-card loop", ct2 / card, 5.0),
        ("length bucketing / no bucketing", ct2 / s["tomtat pipeline, CT2 int8, no length bucketing"], 1.3),
        ("article translation / per-sentence card loop", t["tomtat translate, CTranslate2 int8"] / tr_card, 10.0),
        ("HTTP batching / offline pipeline", batching / h["offline pipeline (CT2 int8, same 16 docs)"], 0.8),
        ("HTTP batching / no-batching server", batching / h["no batching (CT2 int8, max batch 1)"], 3.0),
        # not at ready: transformers maps its weight files and reads them on first use, so at ready it
        # holds almost none of its two models; after both served requests it holds both
        (
            "RSS holding both models (idle after use), CT2 int8 / transformers fp32",
            idle["batching (CT2 int8)"] / idle["transformers fp32"],
            0.35,
        ),
        ("peak RSS summarizing, CT2 int8 / transformers fp32", m["batching (CT2 int8)"] / m["transformers fp32"], 0.35),
        (
            "peak RSS with both models used, CT2 int8 / transformers fp32",
            mixed["batching (CT2 int8)"] / mixed["transformers fp32"],
            0.35,
        ),
    ]
    lines += ["", "| target | measured | goal | met |", "| --- | --- | --- | --- |"]
    for name, value, goal in targets:
        smaller = "RSS" in name  # memory targets are upper bounds
        met = value <= goal if smaller else value >= goal
        lines.append(f"| {name} | {value:.2f} | {'≤' if smaller else '≥'} {goal} | {'yes' if met else 'NO'} |")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    bench = argparse.ArgumentParser(description="benchmark tomtat against the model-card way and raw CTranslate2")
    bench.add_argument("--quick", action="store_true", help="tiny models, every mode once (CI)")
    bench.add_argument("--docs", type=int, default=16)
    bench.add_argument("--translate-docs", type=int, default=2)
    bench.add_argument("--new-tokens", type=int, default=64)
    bench.add_argument("--reps", type=int, default=3)
    bench.add_argument("--threads", type=int, default=0)
    bench.add_argument("--port", type=int, default=8790)
    bench.add_argument("--data", default=str(B.SHARED_DATA), help="the shared data folder (vietnews-test)")
    bench.add_argument("--cache", default="~/.cache/tomtat/bench", help="where the benchmark models are built")
    bench.add_argument("--json", help="also write the raw figures here")
    return bench


def main(args: argparse.Namespace) -> int:
    results = run(args)
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0
