"""``tomtat batch --executor ray``: in local mode the local executor's summaries and a resume; against a cluster
started with ``ray start --head`` (token authentication), a fast message without the token and a run with it."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service_helpers import free_port
from tests.test_archive import article
from tests.test_cli import COMMAND

pytestmark = pytest.mark.ray  # not in the fast tier: pytest -m "" runs it

pytest.importorskip("ray.data", reason="the ray extra is not installed")


def test_ray_matches_local_and_resumes(tmp_path: Path, model_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": article(i)}, ensure_ascii=False) for i in range(29)]
    source.write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    model = ["--model", str(model_dir / "vit5-base-vietnews"), "--no-progress"]
    local_run = subprocess.run(
        [*COMMAND, "batch", str(source), "-o", str(tmp_path / "local.jsonl"), *model], capture_output=True, timeout=300
    )
    assert local_run.returncode == 5, local_run.stderr.decode()[-3000:]  # one unreadable line
    ray_out = tmp_path / "ray-out"
    ray_cmd = [*COMMAND, "batch", str(source), "-o", str(ray_out), "--executor", "ray", *model]
    result = subprocess.run(ray_cmd, capture_output=True, timeout=600, check=False)
    assert result.returncode == 5, result.stderr.decode()[-3000:]

    def rows(paths: list[Path]) -> dict[str, dict]:
        return {r["id"]: r for p in paths for r in map(json.loads, p.read_text(encoding="utf-8").splitlines())}

    local = rows([tmp_path / "local.jsonl"])
    on_ray = rows(sorted(ray_out.glob("*.json")))
    assert len(on_ray) == 30
    good = {k: v["summary"] for k, v in local.items() if "summary" in v}
    assert len(good) == 29
    assert {k: v["summary"] for k, v in on_ray.items() if v.get("summary")} == good
    # each summary's faithfulness flags, as the local run gives them
    assert {k: v["flags"] for k, v in on_ray.items() if v.get("summary")} == {k: local[k]["flags"] for k in good}
    (broken,) = [v for v in on_ray.values() if v.get("error")]
    assert broken["error"]["code"] == "unreadable"
    rerun = subprocess.run(ray_cmd, capture_output=True, timeout=600, check=False)
    assert rerun.returncode == 5 and "30 already done" in rerun.stderr.decode()
    assert len(rows(sorted(ray_out.glob("*.json")))) == 30


@contextlib.contextmanager
def ray_cluster(home: Path) -> Iterator[str]:
    """``ray start --head`` as a user starts it, with a token (so with token authentication), bound to
    127.0.0.1, in the foreground (``--block``) so that stopping it stops only this cluster."""
    port = free_port()
    env = {**os.environ, "HOME": str(home), "RAY_DISABLE_USAGE_STATS": "1"}
    ray_cli = Path(sys.executable).parent / "ray"
    # a token on the head's machine turns token authentication on (ray get-auth-token --generate writes it)
    subprocess.run([str(ray_cli), "get-auth-token", "--generate"], env=env, capture_output=True, check=True)
    # its own temp dir (short: socket paths), so no other test's ray.init() finds this cluster
    temp_dir = tempfile.mkdtemp(prefix="ray-", dir="/tmp")
    head = subprocess.Popen(
        [str(ray_cli), "start", "--head", "--block", f"--port={port}", "--node-ip-address=127.0.0.1",
         "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp_dir}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not _listening(port):
            assert head.poll() is None and time.monotonic() < deadline, "ray start --head did not come up"
            time.sleep(0.5)
        time.sleep(2)  # the GCS listens before the head node has registered
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    return False


def test_a_cluster_started_with_ray_start(tmp_path: Path) -> None:
    """Without RAY_AUTH_MODE=token: a message naming the fix within seconds (ray.init alone retried for
    ~20 s, then a traceback); with it: every record done on the cluster."""
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"c{i}", "text": article(i)}) + "\n" for i in range(60)), "utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("RAY_AUTH")}
    env |= {"HOME": str(home), "RAY_DISABLE_USAGE_STATS": "1"}
    with ray_cluster(home) as address:
        batch = [*COMMAND, "batch", str(source), "--engine", "extractive", "--executor", "ray", "--no-progress"]
        refused = subprocess.run(  # within seconds: ray.init's own ~20 s of retries would run past the timeout
            [*batch, "-o", str(tmp_path / "refused"), "--ray-address", address],
            env=env,
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert refused.returncode == 2, refused.stderr[-2000:]
        assert "RAY_AUTH_MODE=token" in refused.stderr and "Traceback" not in refused.stderr
        done = subprocess.run(
            [*batch, "-o", str(tmp_path / "out"), "--ray-address", address],
            env={**env, "RAY_AUTH_MODE": "token"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    ids = [json.loads(line)["id"] for f in (tmp_path / "out").glob("*.json") for line in f.read_text().splitlines()]
    assert sorted(ids) == sorted(f"c{i}" for i in range(60))
    nobody = subprocess.run(
        [*batch, "-o", str(tmp_path / "none"), "--ray-address", f"127.0.0.1:{free_port()}"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert nobody.returncode == 2 and "no Ray cluster answers at" in nobody.stderr, nobody.stderr[-1000:]


def test_kill_9_of_the_driver_then_rerun_is_exactly_once(tmp_path: Path, model_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"k{i}", "text": article(i)}) + "\n" for i in range(240)), "utf-8")
    output = tmp_path / "out"
    command = [*COMMAND, "batch", str(source), "-o", str(output), "--executor", "ray", "--batch-size", "8"]
    command += ["--model", str(model_dir / "vit5-base-vietnews"), "--no-progress", "--concurrency", "1"]
    driver = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(output.glob("part-*.json")):
        assert driver.poll() is None and time.monotonic() < deadline, "no block was written before the end"
        time.sleep(0.05)
    os.kill(driver.pid, signal.SIGKILL)  # the driver dies mid-run
    driver.wait()
    time.sleep(1)
    os.killpg(driver.pid, signal.SIGKILL)  # and the local Ray it started, as with the machine going down
    first = len(list(output.glob("part-*.json")))
    assert first < 30, "the run finished before the kill"
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    ids = [json.loads(line)["id"] for f in output.glob("*.json") for line in f.read_text("utf-8").splitlines()]
    assert sorted(ids) == sorted(f"k{i}" for i in range(240))  # every id exactly once
    assert not list(output.glob("*.tmp-*"))
