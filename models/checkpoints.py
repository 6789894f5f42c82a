"""Finding checkpoints on disk (never downloading at serve time) and fetching them from the hub."""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from tomtat.models.backends import is_ctranslate2_dir
from tomtat.models.errors import BrokenCheckpointError, CheckpointNotFoundError, UnknownModelError
from tomtat.models.registry import REGISTRY, Checkpoint, get_checkpoint


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
    """The checkpoint's snapshot (``main``) in the Hugging Face cache, if any; no network.

    Found by its cached ``config.json``: ``snapshot_download(local_files_only=True)`` refuses a
    snapshot that lacks any file of the repo, and ``tomtat fetch`` leaves out the repo's other weight
    formats on purpose. Whether the files tomtat needs are all there is ``checkpoint_problems``' job.
    """
    from huggingface_hub import try_to_load_from_cache

    try:
        cached = try_to_load_from_cache(checkpoint.repo_id, "config.json")
    except Exception:  # noqa: BLE001 - an unreadable cache means not cached
        return None
    return Path(cached).parent if isinstance(cached, str) else None


def hub_cache_root() -> Path:
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


def locate(name_or_path: str, checkpoint_dir: str | Path | None = None, backend: str = "auto") -> LocatedCheckpoint:
    """Find a checkpoint without any network access.

    An explicit directory wins; else ``checkpoint_dir/<name>-ct2`` (a CTranslate2 conversion, unless
    the backend is transformers), ``checkpoint_dir/<name>``, then the Hugging Face cache.
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        return LocatedCheckpoint(_convention_of(path), path)
    looks_like_path = name_or_path.startswith((".", "/", "~")) or name_or_path.count("/") > 1
    if looks_like_path:  # a hub repo id has exactly one slash; anything else path-like must exist
        raise CheckpointNotFoundError(f"checkpoint directory {name_or_path!r} does not exist")
    checkpoint = get_checkpoint(name_or_path)
    root = Path(checkpoint_dir).expanduser() if checkpoint_dir else default_checkpoint_dir()
    candidates = [] if backend == "transformers" else [root / f"{checkpoint.name}-ct2"]
    if backend != "ctranslate2":
        candidates.append(root / checkpoint.name)
    for local in candidates:
        if local.is_dir() and (backend != "ctranslate2" or is_ctranslate2_dir(local)):
            return LocatedCheckpoint(checkpoint, local)
    cached = _hub_cache_dir(checkpoint) if backend != "ctranslate2" else None
    if cached is not None:
        return LocatedCheckpoint(checkpoint, cached)
    how = f"{fetch_command(checkpoint.name)}" + (" --convert ct2" if backend == "ctranslate2" else "")
    raise CheckpointNotFoundError(
        f"checkpoint {checkpoint.name!r} ({checkpoint.repo_id}) is not on this machine; looked in "
        f"{' and '.join(map(str, candidates))}"
        + ("" if backend == "ctranslate2" else f" and the Hugging Face cache ({hub_cache_root()})")
        + f". Fetch it with: {how}"
    )


def _safetensors_problem(path: Path) -> str | None:
    """Whether a safetensors file is complete: header parses and the data it declares is all there."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        raw = handle.read(8)
        if len(raw) < 8:
            return f"{path.name} is truncated (no header)"
        (header_size,) = struct.unpack("<Q", raw)
        if header_size > size - 8:
            return f"{path.name} is truncated (header larger than the file)"
        try:
            header = json.loads(handle.read(header_size))
        except ValueError:
            return f"{path.name} has an unreadable header"
    end = max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    if 8 + header_size + end > size:
        return f"{path.name} is truncated ({size} bytes, needs {8 + header_size + end})"
    return None


def checkpoint_problems(located: LocatedCheckpoint) -> list[str]:
    """Everything wrong with a checkpoint directory, checked offline; empty when it is complete."""
    directory, checkpoint = located.directory, located.checkpoint
    problems: list[str] = []
    ct2 = is_ctranslate2_dir(directory)
    config = directory / "config.json"
    if not config.is_file():
        problems.append("config.json is missing")
    else:
        try:
            json.loads(config.read_text(encoding="utf-8"))
        except ValueError:
            problems.append("config.json does not parse")
    if not ct2:
        safetensors = sorted(directory.glob("*.safetensors"))
        bins = sorted(directory.glob("pytorch_model*.bin"))
        if not safetensors and not bins:
            problems.append("no weights (model.safetensors or pytorch_model.bin)")
        problems += [p for p in (_safetensors_problem(f) for f in safetensors) if p]
    for name in checkpoint.family.tokenizer_files:
        if not (directory / name).is_file():
            problems.append(f"{name} is missing")
    if not problems:
        try:
            checkpoint.family.load_tokenizer(directory).encode("xin chào")
        except Exception as error:  # noqa: BLE001 - any failure means the tokenizer is unusable
            problems.append(f"the tokenizer does not load: {error}")
    return problems


def check_files(located: LocatedCheckpoint) -> None:
    """Raise ``BrokenCheckpointError`` naming what is wrong with a checkpoint directory."""
    problems = checkpoint_problems(located)
    if problems:
        raise BrokenCheckpointError(
            f"checkpoint {located.checkpoint.name!r} in {located.directory} is broken: {'; '.join(problems)}. "
            f"Fetch it again with: {fetch_command(located.checkpoint.name)}"
        )
