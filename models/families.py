"""Checkpoint families: what differs between architectures lives in one entry per family.

A family says which files hold its tokenizer and how to load it. Adding one (say mBART) means one
``Family`` here plus its tokenizer class; registry entries then name it, and nothing else branches
on the family.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tomtat.models.tokenization import MarianTokenizer, T5Tokenizer, Tokenizer


@dataclass(frozen=True)
class Family:
    name: str
    tokenizer_files: tuple[str, ...]  # must be in a checkpoint dir (and are copied into a CTranslate2 conversion)
    tokenizer_extras: tuple[str, ...]  # also downloaded: the transformers tokenizer files the hub repos carry
    load_tokenizer: Callable[[Path], Tokenizer]

    @property
    def tokenizer_patterns(self) -> tuple[str, ...]:
        return (*self.tokenizer_files, *self.tokenizer_extras)


T5 = Family(
    name="t5",
    tokenizer_files=("spiece.model",),
    tokenizer_extras=("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"),
    load_tokenizer=lambda directory: T5Tokenizer(directory / "spiece.model"),
)
MARIAN = Family(
    name="marian",
    tokenizer_files=("source.spm", "target.spm", "vocab.json"),
    tokenizer_extras=("tokenizer_config.json",),
    load_tokenizer=MarianTokenizer,
)
