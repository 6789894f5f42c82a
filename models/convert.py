"""Conversion to CTranslate2, into a self-contained directory that also carries the tokenizer."""

from __future__ import annotations

import json
from pathlib import Path

from tomtat.models.checkpoints import LocatedCheckpoint


def ct2_dir_name(name: str) -> str:
    """Where a conversion of ``name`` lives inside the checkpoint dir (found before the original)."""
    return f"{name}-ct2"


def convert_to_ctranslate2(located: LocatedCheckpoint, output_dir: str | Path, quantization: str = "int8") -> Path:
    """Convert a transformers checkpoint with ``ctranslate2.converters.TransformersConverter``."""
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError:
        raise ImportError("CTranslate2 is not installed: pip install 'tomtat[ct2]'") from None
    output_dir = Path(output_dir)
    copy = list(located.checkpoint.family.tokenizer_files)
    TransformersConverter(str(located.directory), copy_files=copy).convert(
        str(output_dir), quantization=quantization, force=True
    )
    marker = {"convention": located.checkpoint.name, "quantization": quantization, "source": str(located.directory)}
    (output_dir / "tomtat.json").write_text(json.dumps(marker), encoding="utf-8")
    return output_dir
