"""Generation backends: token ids in, token ids out, results in input order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

from tomtat.models.registry import Decoding
from tomtat.models.streaming import OnToken


def usable_cores() -> int:
    """Cores this process may run on (a container's cpuset, not the whole host)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class Backend(Protocol):
    """What every backend offers: batched generation on token ids."""

    name: str
    parallel_batches: int  # batches it runs at once (CTranslate2 on CPU: one per core; else 1)
    device: str  # where it runs, resolved: "cpu" or "cuda"

    def generate(self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None = None) -> list[list[int]]:
        """Output ids (no start, pad or eos tokens) for each input id list, in input order. With greedy
        decoding, ``on_token(input index, token id)`` is called for each token as it is generated."""

    def hypotheses(self, inputs: list[list[int]], decoding: Decoding) -> list[list[list[int]]]:
        """Up to ``decoding.num_return_sequences`` outputs per input, best first, in input order."""


def is_ctranslate2_dir(directory: Path) -> bool:
    """A CTranslate2 converted model holds ``model.bin`` and no transformers config of weights."""
    return (directory / "model.bin").exists()
