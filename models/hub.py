"""Fetching checkpoints from the Hugging Face hub (only what is needed) and checking them offline."""

from __future__ import annotations

import fnmatch
import json
import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from tomtat.models.checkpoints import LocatedCheckpoint, checkpoint_problems, hub_cache_root, locate
from tomtat.models.errors import InputError, TomtatError
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
    """Download a registry checkpoint's needed files; to the HF cache, or ``output_dir/<name>``. Files
    already complete are not downloaded again; a file cut off mid-way is downloaded again whole.

    Progress bars are huggingface_hub's (``HF_HUB_DISABLE_PROGRESS_BARS=1`` hides them).
    """
    from filelock import FileLock

    checkpoint = get_checkpoint(name)
    ensure_hub_reachable(checkpoint.name)
    local_dir = Path(output_dir) / checkpoint.name if output_dir else None
    where = f"{checkpoint.repo_id} on {hub_endpoint()}"
    partials, lock = _download_folders(checkpoint, local_dir)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(lock):  # one tomtat fetch of a repo at a time
        _remove_stale_partials(partials)
        return _download(checkpoint, revision, local_dir, where)


def _download_folders(checkpoint: Checkpoint, local_dir: Path | None) -> tuple[Path, Path]:
    """Where huggingface_hub keeps a repo's partial downloads, and tomtat's fetch lock beside its own locks."""
    if local_dir is not None:
        return local_dir / ".cache" / "huggingface" / "download", local_dir / ".cache" / "huggingface" / "tomtat.lock"
    folder = f"models--{checkpoint.repo_id.replace('/', '--')}"
    return hub_cache_root() / folder / "blobs", hub_cache_root() / ".locks" / folder / "tomtat-fetch.lock"


def _remove_stale_partials(folder: Path) -> None:
    """Delete the partial files of killed downloads. huggingface_hub (since its PR #4228) downloads each
    file to a name unique to the process and never resumes it, so a ``kill -9`` leaves up to a whole
    weight file behind for good. Safe here: the caller holds the repo's fetch lock."""
    for partial in folder.rglob("*.incomplete") if folder.is_dir() else []:
        partial.unlink(missing_ok=True)


def _download(checkpoint: Checkpoint, revision: str | None, local_dir: Path | None, where: str) -> Path:
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError

    try:
        listing = HfApi(endpoint=hub_endpoint()).list_repo_files(checkpoint.repo_id, revision=revision)
        path = snapshot_download(
            checkpoint.repo_id, revision=revision, allow_patterns=select_files(checkpoint, listing), local_dir=local_dir
        )
    except RevisionNotFoundError:
        raise InputError(f"revision {revision!r} of {where} does not exist", field="revision") from None
    except RepositoryNotFoundError:
        raise InputError(f"{where} does not exist (or needs a token: set HF_TOKEN)", field="name") from None
    except (HfHubHTTPError, OSError) as error:  # the hub answered with an error, or the connection broke
        raise HubUnreachableError(f"downloading {where} failed: {error}; rerun the command to try again") from None
    if local_dir is not None:
        (local_dir / "tomtat.json").write_text(json.dumps({"convention": checkpoint.name}), encoding="utf-8")
    return Path(path)


def check_checkpoint(
    name_or_path: str, checkpoint_dir: str | Path | None = None
) -> tuple[LocatedCheckpoint, list[str]]:
    """Locate a checkpoint (no network) and list its problems."""
    located = locate(name_or_path, checkpoint_dir)
    return located, checkpoint_problems(located)
