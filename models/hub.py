"""Fetching checkpoints from the Hugging Face hub (only what is needed) and checking them offline."""

from __future__ import annotations

import fnmatch
import json
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from tomtat.models.checkpoints import LocatedCheckpoint, checkpoint_problems, locate
from tomtat.models.errors import TomtatError
from tomtat.models.registry import Checkpoint, get_checkpoint

HUB_CONNECT_TIMEOUT_S = 5.0


class HubUnreachableError(TomtatError, ConnectionError):
    """The hub cannot be reached; the message says how to bring a checkpoint in by hand."""


def select_files(checkpoint: Checkpoint, repo_files: list[str]) -> list[str]:
    """The files of a repo listing worth downloading: config, tokenizer and one weight format.

    safetensors is preferred; pytorch_model.bin only when the repo has no safetensors. Flax, TF,
    ONNX and other weights are never selected (envit5's repo carries all three formats).
    """
    chosen = [f for f in repo_files if any(fnmatch.fnmatch(f, p) for p in checkpoint.allow_patterns)]
    if not any(f.endswith(".safetensors") for f in chosen):
        chosen += [f for f in repo_files if any(fnmatch.fnmatch(f, p) for p in checkpoint.fallback_weight_patterns)]
    return sorted(set(chosen))


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def ensure_hub_reachable(name: str) -> None:
    """Fail in seconds, not after minutes of retries, when the hub cannot be reached."""
    url = urlparse(hub_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "", port), timeout=HUB_CONNECT_TIMEOUT_S).close()
    except OSError as error:
        raise HubUnreachableError(
            f"could not reach the Hugging Face hub at {hub_endpoint()} ({error}). On a machine with internet, "
            f"run `tomtat fetch {name} --output-dir DIR` and copy DIR/{name} to this machine's checkpoint dir "
            f"(~/.cache/tomtat/checkpoints/{name}, or set TOMTAT_CHECKPOINT_DIR); then check it with "
            f"`tomtat fetch {name} --check`"
        ) from None


def download_model(name: str, output_dir: str | Path | None = None, revision: str | None = None) -> Path:
    """Download a registry checkpoint's needed files; to the HF cache, or ``output_dir/<name>``. Resumable.

    Progress bars are huggingface_hub's (``HF_HUB_DISABLE_PROGRESS_BARS=1`` hides them).
    """
    from huggingface_hub import HfApi, snapshot_download

    checkpoint = get_checkpoint(name)
    ensure_hub_reachable(checkpoint.name)
    files = select_files(
        checkpoint, HfApi(endpoint=hub_endpoint()).list_repo_files(checkpoint.repo_id, revision=revision)
    )
    local_dir = Path(output_dir) / checkpoint.name if output_dir else None
    path = snapshot_download(
        checkpoint.repo_id,
        revision=revision,
        allow_patterns=files,
        local_dir=local_dir,
    )
    if local_dir is not None:
        (local_dir / "tomtat.json").write_text(json.dumps({"convention": checkpoint.name}), encoding="utf-8")
    return Path(path)


def check_checkpoint(
    name_or_path: str, checkpoint_dir: str | Path | None = None
) -> tuple[LocatedCheckpoint, list[str]]:
    """Locate a checkpoint (no network) and list its problems."""
    located = locate(name_or_path, checkpoint_dir)
    return located, checkpoint_problems(located)
