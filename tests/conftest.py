"""Shared fixtures: tiny look-alike checkpoints built once per test session (no network, seconds)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tomtat_tools import PRODUCT_DATA
from tomtat_tools.testmodels import cached_test_models

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkpoint directory holding one tiny model per registry entry, named after the entry (a copy of
    the models cached by a hash of their builder: see ``cached_test_models``)."""
    return cached_test_models(tmp_path_factory.mktemp("checkpoints"))


@pytest.fixture(scope="session")
def sample_article() -> str:
    return (PRODUCT_DATA / "sample_vi.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def loaded(model_dir: Path):
    """Load (and cache) a tiny model by registry name."""
    from tomtat.models.model import load_model

    cache: dict[str, object] = {}

    def load(name: str):
        if name not in cache:
            cache[name] = load_model(str(model_dir / name))
        return cache[name]

    return load


@pytest.fixture
def no_checkpoints(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An environment where no checkpoint can be found: empty checkpoint dir and empty HF cache."""
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("TOMTAT_CHECKPOINT_DIR", str(empty))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return empty


@pytest.fixture
def bare_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine with no checkpoint: for the command line run as a process."""
    empty = tmp_path / "none"
    empty.mkdir()
    return {**os.environ, "TOMTAT_CHECKPOINT_DIR": str(empty), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1"}
