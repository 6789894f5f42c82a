"""Fetching checkpoints from the Hugging Face hub (only what is needed) and checking them offline."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import socket
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from tomtat.models.checkpoints import LocatedCheckpoint, checkpoint_problems, hub_cache_root, locate
from tomtat.models.errors import InputError, TomtatError
from tomtat.models.registry import Checkpoint, get_checkpoint

HUB_CONNECT_TIMEOUT_S = 5.0
RESUME_CHUNK = 2**20  # written to disk as it arrives: what a killed run keeps


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
    already complete are not downloaded again; a file cut off mid-way resumes from its ``.tomtat-partial`` copy.

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
    """Delete huggingface_hub's partial files of killed downloads: since its PR #4228 it downloads each
    file to a name unique to the process and never resumes it, so a ``kill -9`` leaves them behind for
    good. (tomtat's own ``.tomtat-partial`` files are kept: they resume.) Safe here: the caller holds
    the repo's fetch lock."""
    for partial in folder.rglob("*.incomplete") if folder.is_dir() else []:
        partial.unlink(missing_ok=True)


def _download(checkpoint: Checkpoint, revision: str | None, local_dir: Path | None, where: str) -> Path:
    from huggingface_hub import HfApi, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.hf_api import RepoFile

    api = HfApi(endpoint=hub_endpoint())
    try:
        commit = api.repo_info(checkpoint.repo_id, revision=revision).sha
        assert commit is not None, "the hub names the commit of a revision"
        tree = [
            f
            for f in api.list_repo_tree(checkpoint.repo_id, revision=commit, recursive=True)
            if isinstance(f, RepoFile)
        ]
        files = select_files(checkpoint, [f.path for f in tree])
        for entry in tree:
            if entry.path in files and entry.lfs is not None:
                _fetch_resumably(checkpoint, commit, entry.path, entry.lfs.sha256, entry.size, local_dir)
        # the revision as asked (not its commit), so that the cache records the branch (refs/main)
        path = snapshot_download(checkpoint.repo_id, revision=revision, allow_patterns=files, local_dir=local_dir)
    except RevisionNotFoundError:
        raise InputError(f"revision {revision!r} of {where} does not exist", field="revision") from None
    except RepositoryNotFoundError:
        raise InputError(f"{where} does not exist (or needs a token: set HF_TOKEN)", field="name") from None
    except (HfHubHTTPError, OSError, urllib.error.URLError) as error:  # an error answer, or a broken connection
        raise HubUnreachableError(f"downloading {where} failed: {error}; rerun the command to try again") from None
    if local_dir is not None:
        (local_dir / "tomtat.json").write_text(json.dumps({"convention": checkpoint.name}), encoding="utf-8")
    return Path(path)


def _fetch_resumably(
    checkpoint: Checkpoint, commit: str, filename: str, sha256: str, size: int, local_dir: Path | None
) -> None:
    """Download a large (LFS) file with HTTP ``Range`` into a partial file that survives a killed run,
    so the next run resumes it; then put it where huggingface_hub looks first (the cache's blob named
    by its SHA-256, or the file in ``local_dir``), and ``snapshot_download`` only links it. (Since its
    PR #4228, huggingface_hub itself restarts every interrupted file from zero.) No token is sent:
    the registry's repos are public, and the hub redirects these downloads to a CDN."""
    from huggingface_hub import constants, hf_hub_url
    from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]  # public, not re-exported
    from tqdm import tqdm

    if local_dir is None:
        blobs = hub_cache_root() / f"models--{checkpoint.repo_id.replace('/', '--')}" / "blobs"
        target = blobs / sha256
    else:
        target = local_dir / filename
    if target.is_file():
        return  # complete (huggingface_hub checks it against the hub itself)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".tomtat-partial")
    start = partial.stat().st_size if partial.is_file() else 0
    if start < size:
        url = hf_hub_url(checkpoint.repo_id, filename, revision=commit, endpoint=hub_endpoint())
        request = urllib.request.Request(url, headers={**build_hf_headers(token=False), "Range": f"bytes={start}-"})
        with urllib.request.urlopen(request, timeout=60) as response:
            resumed = start > 0 and response.status == 206
            with (
                partial.open("ab" if resumed else "wb") as out,
                tqdm(
                    total=size,
                    initial=start if resumed else 0,
                    unit="B",
                    unit_scale=True,
                    desc=filename,
                    disable=constants.HF_HUB_DISABLE_PROGRESS_BARS,
                ) as bar,
            ):
                while chunk := response.read(RESUME_CHUNK):
                    out.write(chunk)
                    out.flush()  # on disk as it arrives: a killed run keeps what it received
                    bar.update(len(chunk))
    digest = hashlib.sha256()
    with partial.open("rb") as handle:
        while block := handle.read(RESUME_CHUNK):
            digest.update(block)
    if digest.hexdigest() != sha256:
        partial.unlink()
        raise HubUnreachableError(
            f"{checkpoint.repo_id}/{filename} arrived damaged (SHA-256 mismatch); rerun to fetch it again"
        )
    partial.replace(target)


def check_checkpoint(
    name_or_path: str, checkpoint_dir: str | Path | None = None
) -> tuple[LocatedCheckpoint, list[str]]:
    """Locate a checkpoint (no network) and list its problems."""
    located = locate(name_or_path, checkpoint_dir)
    return located, checkpoint_problems(located)
