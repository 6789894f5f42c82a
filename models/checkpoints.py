"""Finding checkpoints on disk (never downloading at serve time) and fetching them from the hub."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import BrokenCheckpointError, CheckpointNotFoundError, UnknownModelError
from .registry import REGISTRY, Checkpoint, get_checkpoint


def default_checkpoint_dir() -> Path:
    """``$TOMTAT_CHECKPOINT_DIR``, else ``~/.cache/tomtat/checkpoints`` (read at call time)."""
    return Path(os.environ.get("TOMTAT_CHECKPOINT_DIR", "~/.cache/tomtat/checkpoints")).expanduser()


@dataclass(frozen=True)
class LocatedCheckpoint:
    checkpoint: Checkpoint
    directory: Path


def fetch_command(name: str) -> str:
    return f"tomtat fetch {name}"


def _convention_of(directory: Path) -> Checkpoint:
    """Which registry entry a checkpoint directory follows: its tomtat.json, else its (hub) folder name."""
    marker = directory / "tomtat.json"
    if marker.exists():
        return get_checkpoint(json.loads(marker.read_text(encoding="utf-8"))["convention"])
    candidates = [directory.name, *[p.name for p in directory.parents][:3]]
    for candidate in candidates:
        hub_name = candidate.removeprefix("models--").replace("--", "/")
        try:
            return get_checkpoint(hub_name)
        except UnknownModelError:
            continue
    raise UnknownModelError(
        f"cannot tell which model {str(directory)!r} is: add a tomtat.json with "
        f'{{"convention": "<name>"}} (one of: {", ".join(REGISTRY)}) or name the folder after the model'
    )


def _hub_cache_dir(checkpoint: Checkpoint) -> Path | None:
    """The newest snapshot of the checkpoint in the Hugging Face cache, if any (no network)."""
    try:
        from huggingface_hub import snapshot_download

        path = snapshot_download(checkpoint.repo_id, local_files_only=True)
    except Exception:
        return None
    return Path(path)


def hub_cache_root() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def locate(name_or_path: str, checkpoint_dir: str | Path | None = None) -> LocatedCheckpoint:
    """Find a checkpoint: an explicit directory, ``checkpoint_dir/<name>``, or the Hugging Face cache."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return LocatedCheckpoint(_convention_of(path), path)
    looks_like_path = name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1
    if looks_like_path:  # a hub repo id has exactly one slash; anything else path-like must exist
        raise CheckpointNotFoundError(f"checkpoint directory {name_or_path!r} does not exist")
    checkpoint = get_checkpoint(name_or_path)
    root = Path(checkpoint_dir).expanduser() if checkpoint_dir else default_checkpoint_dir()
    local = root / checkpoint.name
    if local.is_dir():
        return LocatedCheckpoint(checkpoint, local)
    cached = _hub_cache_dir(checkpoint)
    if cached is not None:
        return LocatedCheckpoint(checkpoint, cached)
    raise CheckpointNotFoundError(
        f"checkpoint {checkpoint.name!r} ({checkpoint.repo_id}) is not on this machine; looked in {local} "
        f"and the Hugging Face cache ({hub_cache_root()}). Fetch it with: {fetch_command(checkpoint.name)}"
    )


def check_files(located: LocatedCheckpoint) -> None:
    """Raise ``BrokenCheckpointError`` naming the first missing file of a checkpoint directory."""
    directory = located.directory
    from .backends import is_ctranslate2_dir

    if is_ctranslate2_dir(directory):
        required = ["model.bin"]
    else:
        required = ["config.json"]
        if not any(directory.glob("*.safetensors")) and not any(directory.glob("pytorch_model*.bin")):
            raise BrokenCheckpointError(
                f"checkpoint {located.checkpoint.name!r} in {directory} has no weights (model.safetensors or "
                f"pytorch_model.bin); fetch it again with: {fetch_command(located.checkpoint.name)}"
            )
    required += (
        ["source.spm", "target.spm", "vocab.json"] if located.checkpoint.family == "marian" else ["spiece.model"]
    )
    for name in required:
        if not (directory / name).is_file():
            raise BrokenCheckpointError(
                f"checkpoint {located.checkpoint.name!r} in {directory} is missing {name}; "
                f"fetch it again with: {fetch_command(located.checkpoint.name)}"
            )
