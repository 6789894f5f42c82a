"""``tomtat fetch`` end to end against a Hugging Face–compatible hub on 127.0.0.1 (tests/hub_server.py):
only the needed files arrive, revisions are honoured, a killed download resumes, and what was
fetched is what ``tomtat serve`` then serves. Every step is the real CLI in a subprocess."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.hub_server import Hub, HubServer
from tests.service_helpers import served_process
from tests.test_cli import COMMAND
from tomtat.models.registry import REGISTRY

pytestmark = pytest.mark.slow  # not in the fast tier: pytest -m "" runs it

# what the real repos also carry and tomtat must never download
DECOYS = {
    "flax_model.msgpack": b"flax weights" * 100,
    "tf_model.h5": b"tensorflow weights" * 100,
    "pytorch_model.bin": b"pytorch weights next to safetensors" * 100,
    "onnx/encoder_model.onnx": b"onnx" * 100,
    "README.md": b"# model card\n",
}
FETCHED = ["vit5-base-vietnews", "envit5"]


def repo_files(model_dir: Path, name: str) -> dict[str, bytes]:
    """The tiny look-alike of ``name`` as its hub repo holds it (no tomtat.json), plus the decoys."""
    files = {p.name: p.read_bytes() for p in (model_dir / name).iterdir() if p.is_file() and p.name != "tomtat.json"}
    return files | DECOYS


def make_hub(model_dir: Path, broken: str | None = None) -> tuple[Hub, dict[str, str]]:
    """Every registry repo; vit5-base also has an older commit whose config differs. ``broken``: that
    model's safetensors is served truncated (a broken upload: consistent size and hash, bad content)."""
    hub = Hub()
    old_commits = {}
    for name, checkpoint in REGISTRY.items():
        files = repo_files(model_dir, name)
        if name == "vit5-base-vietnews":
            config = json.loads(files["config.json"]) | {"_name_or_path": "an older commit"}
            old = files | {"config.json": json.dumps(config).encode()}
            old_commits[name] = hub.add_commit(checkpoint.repo_id, old, branch=None)
        if name == broken:
            files["model.safetensors"] = files["model.safetensors"][: len(files["model.safetensors"]) // 2]
        hub.add_commit(checkpoint.repo_id, files)
    return hub, old_commits


@pytest.fixture
def hub(model_dir: Path) -> Iterator[tuple[Hub, str, dict[str, str]]]:
    content, old = make_hub(model_dir)
    with HubServer(content) as url:
        yield content, url, old


def env_for(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "HF_ENDPOINT": url,
        "HF_HOME": str(tmp_path / "hf"),
        "TOMTAT_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "TOMTAT_DATA_DIR": str(tmp_path / "data"),
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
    }


def tomtat(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], env=env, capture_output=True, text=True, timeout=600, check=False)


def snapshot(tmp_path: Path, name: str) -> Path:
    repo = REGISTRY[name].repo_id.replace("/", "--")
    (folder,) = (tmp_path / "hf" / "hub" / f"models--{repo}" / "snapshots").iterdir()
    return folder


def test_fetch_brings_only_config_tokenizer_and_one_weight_format(hub, tmp_path: Path) -> None:
    content, url, _ = hub
    env = env_for(url, tmp_path)
    fetched = tomtat(env, "fetch", *FETCHED)
    assert fetched.returncode == 0, fetched.stderr
    for name in FETCHED:
        files = sorted(p.relative_to(snapshot(tmp_path, name)).as_posix() for p in snapshot(tmp_path, name).rglob("*"))
        assert "model.safetensors" in files and "config.json" in files and "spiece.model" in files, files
        assert not set(files) & set(DECOYS) and not any(f.startswith("onnx") for f in files), files
        assert str(snapshot(tmp_path, name)) in fetched.stdout
    assert not any(path.endswith(tuple(DECOYS)) for path in content.sent), content.sent
    checked = tomtat(env, "fetch", *FETCHED, "--check")
    assert checked.returncode == 0 and checked.stdout.count(": ok") == 2, checked.stdout + checked.stderr


def test_revision_pins_the_commit(hub, tmp_path: Path) -> None:
    _, url, old = hub
    env = env_for(url, tmp_path)
    pinned = tomtat(
        env,
        "fetch",
        "vit5-base-vietnews",
        "--output-dir",
        str(tmp_path / "pinned"),
        "--revision",
        old["vit5-base-vietnews"],
    )
    assert pinned.returncode == 0, pinned.stderr
    latest = tomtat(env, "fetch", "vit5-base-vietnews", "--output-dir", str(tmp_path / "latest"))
    assert latest.returncode == 0, latest.stderr
    old_config = json.loads((tmp_path / "pinned" / "vit5-base-vietnews" / "config.json").read_text())
    new_config = json.loads((tmp_path / "latest" / "vit5-base-vietnews" / "config.json").read_text())
    assert old_config["_name_or_path"] == "an older commit" and new_config.get("_name_or_path") != "an older commit"
    unknown = tomtat(
        env, "fetch", "vit5-base-vietnews", "--output-dir", str(tmp_path / "x"), "--revision", "no-such-branch"
    )
    assert unknown.returncode != 0 and "Traceback" not in unknown.stderr, unknown.stderr


def test_a_killed_download_resumes(model_dir: Path, tmp_path: Path) -> None:
    # a 24 MiB weight file, sent at full speed up to 11 MiB, then slowly: the kill lands mid-file
    repo_id = REGISTRY["vit5-base-vietnews"].repo_id
    data = random.Random(0).randbytes(24 * 2**20)
    content = Hub()
    content.add_commit(repo_id, repo_files(model_dir, "vit5-base-vietnews") | {"model.safetensors": data})
    content.slow["model.safetensors"] = (11 * 2**20, 0.05)
    weights, size = f"{repo_id}/model.safetensors", len(data)
    with HubServer(content) as url:
        _resume(content, env_for(url, tmp_path), weights, size)
    fetched = snapshot(tmp_path, "vit5-base-vietnews") / "model.safetensors"
    assert hashlib.sha256(fetched.read_bytes()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert not list((tmp_path / "hf").rglob("*partial")) and not list((tmp_path / "hf").rglob("*.incomplete"))


def _resume(content: Hub, env: dict[str, str], weights: str, size: int) -> None:
    process = subprocess.Popen(
        [*COMMAND, "fetch", "vit5-base-vietnews"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while content.sent[weights] < 11.5 * 2**20 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert sum(p.stat().st_size for p in Path(env["HF_HOME"]).rglob("*.tomtat-partial")) >= 10 * 2**20
    time.sleep(0.2)  # the server notices the closed connection
    first = content.sent[weights]
    assert 0 < first < size, "the download should have been killed in the middle"
    content.slow.clear()
    rerun = tomtat(env, "fetch", "vit5-base-vietnews")
    assert rerun.returncode == 0, rerun.stderr
    second = content.sent[weights] - first
    assert 0 < second <= size - 10 * 2**20, (first, second, size)  # resumed: only what was missing


def test_fetch_convert_then_serve_finds_everything(hub, tmp_path: Path) -> None:
    _, url, _ = hub
    env = env_for(url, tmp_path)
    fetched = tomtat(env, "fetch", *FETCHED, "--convert", "ct2")
    assert fetched.returncode == 0, fetched.stderr
    for name in FETCHED:
        assert (tmp_path / "checkpoints" / f"{name}-ct2" / "model.bin").is_file()
    offline = {k: v for k, v in env.items() if k.startswith(("HF_", "TOMTAT_"))} | {"HF_HUB_OFFLINE": "1"}
    with served_process(offline) as (server, _):
        ready = httpx.get(server + "/readyz").json()["capabilities"]
        assert ready["summarize:abstractive"] == {"ready": True, "model": "vit5-base-vietnews"}
        assert ready["translate:vi-en"]["ready"] and ready["translate:en-vi"]["ready"]
        models = {m["name"]: m for m in httpx.get(server + "/v1/models").json()["models"]}
        assert models["vit5-base-vietnews"]["backend"] == "ctranslate2"
        article = (Path(__file__).resolve().parents[1] / "models" / "data" / "sample_vi.txt").read_text()
        result = httpx.post(server + "/v1/summarize", json={"text": article}, timeout=120).json()["results"][0]
        assert result["engine"] == "abstractive" and result["model"] == "vit5-base-vietnews" and result["summary"]


def test_a_corrupt_download_is_caught_by_check_and_serve(model_dir: Path, tmp_path: Path) -> None:
    content, _ = make_hub(model_dir, broken="envit5")
    with HubServer(content) as url:
        env = env_for(url, tmp_path)
        assert tomtat(env, "fetch", *FETCHED).returncode == 0  # the download itself is consistent
    checked = tomtat(env, "fetch", "envit5", "--check")
    assert checked.returncode == 3 and "model.safetensors is truncated" in checked.stderr, checked.stderr
    offline = {k: v for k, v in env.items() if k.startswith(("HF_", "TOMTAT_"))} | {"HF_HUB_OFFLINE": "1"}
    with served_process(offline) as (server, _):
        models = {m["name"]: m for m in httpx.get(server + "/v1/models").json()["models"]}
        assert models["envit5"]["state"] == "broken" and "model.safetensors" in models["envit5"]["detail"]
        assert models["vit5-base-vietnews"]["state"] == "ready"
