"""Helpers for service tests: an in-process client that waits for models, and a real server process."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from tomtat.service.api.app import create_app
from tomtat.service.settings import Settings


@contextlib.contextmanager
def client_for(**settings: object) -> Iterator[TestClient]:
    settings.setdefault("data_dir", tempfile.mkdtemp(prefix="tomtat-data-"))
    app = create_app(Settings(**settings))
    with TestClient(app) as client:
        deadline = time.monotonic() + 60
        while client.get("/readyz").json()["loading"]:  # loaded; models asked for may still be missing
            assert time.monotonic() < deadline, "models did not load"
            time.sleep(0.05)
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(env: dict[str, str], args: list[str] = ()) -> Iterator[str]:  # type: ignore[assignment]
    """``tomtat serve`` on a free loopback port; yields its base URL once its models are loaded."""
    with served_process(env, args) as (url, _):
        yield url


@contextlib.contextmanager
def served_process(
    env: dict[str, str],
    args: list[str] = (),  # type: ignore[assignment]
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Like ``running_server``, and the process too (for signals and exit codes)."""
    port = free_port()
    script = Path(sys.executable).parent / "tomtat"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "tomtat"]
    # the log goes to a file: a pipe nobody reads fills up after a few thousand access lines and blocks the server
    log = tempfile.NamedTemporaryFile(prefix="tomtat-serve-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [*command, "serve", "--port", str(port), *args],
        env={"TOMTAT_DATA_DIR": tempfile.mkdtemp(prefix="tomtat-data-"), **os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    process.log_path = log.name  # type: ignore[attr-defined]  # what the server logged, for tests to read
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, Path(log.name).read_text(errors="replace")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/readyz", timeout=2).json()["loading"] is False:
                    break
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.1)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def metric(text: str, name: str, **labels: str) -> float:
    """The value of one Prometheus sample in ``/metrics`` text (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.split()[-1])
    return 0.0


def models_env(model_dir: Path, *names: str) -> dict[str, str]:
    return {"TOMTAT_CHECKPOINT_DIR": str(model_dir), "TOMTAT_MODELS": json.dumps(list(names))}
