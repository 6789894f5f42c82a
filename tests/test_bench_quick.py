"""``scripts/benchmark.py --quick``: every benchmark mode still runs (tiny models; no speed is asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.service_helpers import free_port

pytestmark = pytest.mark.slow  # not in the fast tier: pytest -m "" runs it

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def test_bench_quick_runs_every_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPTS / "benchmark.py"),
            "--quick",
            "--cache",
            str(tmp_path),
            "--port",
            str(free_port()),
            "--json",
            str(tmp_path / "bench.json"),
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    out = result.stdout.decode()
    for row in (
        "model-card loop (HF fp32, one at a time)",
        "raw CTranslate2 int8 translate_batch",
        "tomtat pipeline, CT2 int8, no length bucketing",
        "tomtat translate, CTranslate2 int8",
        "no batching (CT2 int8, max batch 1)",
        "peak RSS summarizing",
        "peak RSS with both models used",
        "RSS holding both models (idle after use)",
    ):
        assert row in out
    import json

    figures = json.loads((tmp_path / "bench.json").read_text())
    assert all(v > 0 for v in figures["summary"].values()) and all(v > 0 for v in figures["http"].values())
    both_models = {"batching (CT2 int8)", "transformers fp32"}  # the servers holding both models used both
    assert set(figures["mixed"]) == set(figures["idle"]) == both_models
    assert all(figures["mixed"][name] > 0 and figures["idle"][name] > 0 for name in both_models)


def test_gpu_benchmark_runs_every_mode_on_cpu(tmp_path: Path) -> None:
    import json

    script = SCRIPTS / "benchmark_gpu.py"
    options = ["--quick", "--device", "cpu", "--cache", str(tmp_path), "--json", str(tmp_path / "gpu.json")]
    result = subprocess.run(
        [sys.executable, str(script), *options],
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    figures = json.loads((tmp_path / "gpu.json").read_text())
    assert figures["notes"] == []  # CTranslate2 loads on CPU, so every mode ran
    assert set(figures["docs_per_s"]) == {
        "model-card loop (HF fp32, one at a time)",
        "HF fp32 batched (8, input order)",
        "tomtat, transformers fp32, batches of 2",
        "tomtat, transformers bf16, batches of 2",
        "tomtat, CTranslate2 int8, batches of ~2",
        "raw CTranslate2 translate_batch int8, ~2",
    }
    assert set(figures["timed_docs"]) == set(figures["docs_per_s"])
    assert all(rate > 0 for rate in figures["docs_per_s"].values())


def test_benchmarks_read_the_shared_data_beside_the_checkout() -> None:
    import tomtat_tools.benchmarking as B

    assert B.SHARED_DATA == Path(__file__).resolve().parents[1].parent / "shared" / "data"
