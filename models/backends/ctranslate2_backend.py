"""CTranslate2 backend: int8 on CPU (~2.7x transformers fp32 on the ViT5-base shape), same interface.

Tokens travel as strings through the converted model's own vocabulary file, so ids mean exactly
what they mean to the transformers model that was converted.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..batching import plan_batches
from ..registry import Decoding


def _vocabulary(directory: Path) -> list[str]:
    for name in ("shared_vocabulary.json", "source_vocabulary.json"):
        if (directory / name).exists():
            return json.loads((directory / name).read_text(encoding="utf-8"))
    for name in ("shared_vocabulary.txt", "source_vocabulary.txt"):
        if (directory / name).exists():
            return (directory / name).read_text(encoding="utf-8").split("\n")[:-1]
    raise FileNotFoundError(f"{directory} has no CTranslate2 vocabulary file")


def default_compute_type(device: str) -> str:
    # float16 overflows in T5's feed-forward layers (NaN outputs); int8_float16/bfloat16 do not
    return "int8" if device == "cpu" else "int8_float16"


class CTranslate2Backend:
    name = "ctranslate2"

    def __init__(
        self,
        directory: str | Path,
        *,
        device: str = "auto",
        compute_type: str | None = None,
        threads: int = 0,
        inter_threads: int = 1,
        max_batch_size: int = 32,
        max_batch_tokens: int = 8192,
    ) -> None:
        import ctranslate2

        directory = Path(directory)
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        compute_type = compute_type or default_compute_type(device)
        if compute_type == "float16":
            raise ValueError("float16 gives NaN outputs with T5 models; use int8_float16 or bfloat16")
        self.device, self.compute_type = device, compute_type
        self.translator = ctranslate2.Translator(
            str(directory),
            device=device,
            compute_type=compute_type,
            inter_threads=inter_threads,
            intra_threads=threads,
        )
        self.tokens = _vocabulary(directory)
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.max_batch_size = max_batch_size
        self.max_batch_tokens = max_batch_tokens
        self.sort_by_length = True  # CTranslate2 sorts and rebatches by length itself

    def generate(self, inputs: list[list[int]], decoding: Decoding) -> list[list[int]]:
        if not inputs:
            return []
        # converted models say add_source_eos=false: the ids already end in their one eos
        sources = [[self.tokens[i] for i in ids] for ids in inputs]
        if not self.sort_by_length:  # input-order batches, for the benchmark's baseline
            lengths = [len(ids) for ids in inputs]
            outputs: list[list[int]] = [[] for _ in inputs]
            for batch in plan_batches(lengths, self.max_batch_size, self.max_batch_tokens, sort_by_length=False):
                for index, ids in zip(batch, self._translate([sources[i] for i in batch], decoding, {}), strict=True):
                    outputs[index] = ids
            return outputs
        return self._translate(sources, decoding, {"max_batch_size": self.max_batch_tokens, "batch_type": "tokens"})

    def _translate(self, sources: list[list[str]], decoding: Decoding, batching: dict) -> list[list[int]]:
        results = self.translator.translate_batch(
            sources,
            **batching,
            beam_size=decoding.num_beams,
            max_decoding_length=decoding.max_new_tokens,
            min_decoding_length=decoding.min_new_tokens,
            no_repeat_ngram_size=decoding.no_repeat_ngram_size,
            repetition_penalty=decoding.repetition_penalty,
        )
        return [[self.ids[token] for token in result.hypotheses[0]] for result in results]
