"""Batch keys: requests with equal keys can share a model batch. Frozen, so they hash; JSON
round-trips, so an archive job keeps the exact plan it was accepted with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Overrides = tuple[tuple[str, float], ...]  # sorted (name, value) decoding overrides


def overrides_of(options: dict[str, Any]) -> Overrides:
    return tuple(sorted((k, v) for k, v in options.items() if v is not None))


@dataclass(frozen=True)
class AbstractiveKey:
    overrides: Overrides = ()


@dataclass(frozen=True)
class ExtractiveKey:
    sentences: int
    max_words: int | None = None  # the word budget, when there is one


@dataclass(frozen=True)
class TranslateKey:
    source: str
    target: str
    overrides: Overrides = ()


SummaryKey = AbstractiveKey | ExtractiveKey
BatchKey = AbstractiveKey | ExtractiveKey | TranslateKey


@dataclass(frozen=True)
class SummaryPlan:
    """Which worker summarizes, with which key, and the note to show when the engine is not the one asked."""

    worker: str
    key: SummaryKey
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        key: dict[str, Any] = (
            {"sentences": self.key.sentences, "max_words": self.key.max_words}
            if isinstance(self.key, ExtractiveKey)
            else {"overrides": [list(pair) for pair in self.key.overrides]}
        )
        return {"worker": self.worker, "key": key}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SummaryPlan:
        key = data["key"]
        if "sentences" in key:
            return cls(data["worker"], ExtractiveKey(int(key["sentences"]), key.get("max_words")))
        return cls(data["worker"], AbstractiveKey(tuple((str(k), v) for k, v in key["overrides"])))
