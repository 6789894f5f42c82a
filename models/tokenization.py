"""Tokenizers built on ``sentencepiece`` directly: no protobuf, no transformers tokenizer conversion.

T5: ids are the pieces of the text followed by exactly one eos, as T5 was trained.
Marian: pieces of ``source.spm`` looked up in the shared ``vocab.json``, then eos.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import sentencepiece as spm

# transformers' clean_up_tokenization (used where a model card decodes with clean_up_tokenization_spaces)
_CLEANUP_REPLACEMENTS = (
    (" .", "."),
    (" ?", "?"),
    (" !", "!"),
    (" ,", ","),
    (" ' ", "'"),
    (" n't", "n't"),
    (" 'm", "'m"),
    (" 's", "'s"),
    (" 've", "'ve"),
    (" 're", "'re"),
)


def clean_up_tokenization_spaces(text: str) -> str:
    for old, new in _CLEANUP_REPLACEMENTS:
        text = text.replace(old, new)
    return text


class Tokenizer(Protocol):
    eos_id: int
    pad_id: int

    def encode(self, text: str) -> list[int]:
        """Ids of the text's pieces, without eos."""

    def decode(self, ids: list[int]) -> str:
        """Text of the ids with special tokens (pad, eos, unk, sentinels) removed."""

    def pieces(self, text: str) -> list[str]:
        """The text's pieces (for splitting over-long sentences on token boundaries)."""


class T5Tokenizer:
    """A T5 ``spiece.model``: pad=0, eos=1, unk=2; sentinels (<extra_id_N>) sit above the piece vocab."""

    def __init__(self, model_file: str | Path) -> None:
        self.processor = spm.SentencePieceProcessor(model_file=str(model_file))
        self.eos_id = self.processor.eos_id()
        self.pad_id = self.processor.pad_id()
        self.unk_id = self.processor.unk_id()
        self._special = {self.eos_id, self.pad_id, self.unk_id}
        self._size = self.processor.get_piece_size()

    def encode(self, text: str) -> list[int]:
        ids: list[int] = self.processor.encode(text)
        return ids

    def pieces(self, text: str) -> list[str]:
        pieces: list[str] = self.processor.encode(text, out_type=str)
        return pieces

    def decode(self, ids: list[int]) -> str:
        return str(self.processor.decode([i for i in ids if i not in self._special and 0 <= i < self._size]))


class MarianTokenizer:
    """Marian (OPUS-MT): separate source/target spm models sharing one ``vocab.json``."""

    def __init__(self, directory: str | Path) -> None:
        directory = Path(directory)
        self.source = spm.SentencePieceProcessor(model_file=str(directory / "source.spm"))
        self.target = spm.SentencePieceProcessor(model_file=str(directory / "target.spm"))
        self.vocab: dict[str, int] = json.loads((directory / "vocab.json").read_text(encoding="utf-8"))
        self.id_to_piece = {i: p for p, i in self.vocab.items()}
        self.eos_id = self.vocab["</s>"]
        self.pad_id = self.vocab["<pad>"]
        self.unk_id = self.vocab["<unk>"]
        self._special = {self.eos_id, self.pad_id, self.unk_id}

    def pieces(self, text: str) -> list[str]:
        pieces: list[str] = self.source.encode(text, out_type=str)
        return pieces

    def encode(self, text: str) -> list[int]:
        return [self.vocab.get(p, self.unk_id) for p in self.pieces(text)]

    def decode(self, ids: list[int]) -> str:
        pieces = [self.id_to_piece[i] for i in ids if i not in self._special and i in self.id_to_piece]
        return str(self.target.decode_pieces(pieces))
