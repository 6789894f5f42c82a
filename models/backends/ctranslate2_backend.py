"""CTranslate2 backend: int8 on CPU, bfloat16 on a GPU that has it, same interface as the transformers backend.

Tokens travel as strings through the converted model's own vocabulary file, so ids mean exactly
what they mean to the transformers model that was converted.

On CPU it runs one batch per core (``inter_threads``) rather than splitting each matrix product
over the cores: greedy decoding multiplies small matrices, where splitting costs more than it
gains (the README's Performance section has the measurements).
"""

from __future__ import annotations

import ctypes
import functools
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from tomtat.models.backends import usable_cores
from tomtat.models.registry import Decoding
from tomtat.models.streaming import OnToken


def _vocabulary(directory: Path) -> list[str]:
    for name in ("shared_vocabulary.json", "source_vocabulary.json"):
        if (directory / name).exists():
            tokens: list[str] = json.loads((directory / name).read_text(encoding="utf-8"))
            return tokens
    for name in ("shared_vocabulary.txt", "source_vocabulary.txt"):
        if (directory / name).exists():
            return (directory / name).read_text(encoding="utf-8").split("\n")[:-1]
    raise FileNotFoundError(f"{directory} has no CTranslate2 vocabulary file")


CPU_BATCH_TOKENS = 2048  # per parallel batch on CPU: bigger was slower and costs memory (README, Performance)
MAX_DEFAULT_PARALLEL = 4  # each parallel batch has its own buffers: a 64-core host should not get 64 by default


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc only
    except (AttributeError, OSError):
        return None


def release_freed_memory() -> None:
    """Give the pages of freed batch buffers back to the OS.

    CTranslate2 frees a batch's buffers (its cross-attention cache alone is ~150 MB per 2,048
    tokens) with ``free``, and glibc keeps them: without this an idle server stays at its
    high-water mark (figures in the README's Performance section).
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def default_compute_type(device: str, supported: set[str]) -> str:
    """int8 on CPU; on a GPU bfloat16 where the card has it (1.14x int8_float16 on an H200, README
    "On a GPU"), else int8_float16. float16 overflows in T5's feed-forward layers (NaN outputs)."""
    if device == "cpu":
        return "int8"
    return "bfloat16" if "bfloat16" in supported else "int8_float16"


class CTranslate2Backend:
    name = "ctranslate2"

    def __init__(
        self,
        directory: str | Path,
        *,
        device: str = "auto",
        compute_type: str | None = None,
        threads: int = 0,
        parallel_batches: int = 0,
        max_batch_size: int = 32,
        max_batch_tokens: int = 8192,
    ) -> None:
        """``threads``: CPU threads in all (0: every core this process may use); ``parallel_batches``:
        batches run at once (0: one per thread on CPU, at most 4; 1 on GPU)."""
        import ctranslate2

        directory = Path(directory)
        if device == "auto":
            device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
        compute_type = compute_type or default_compute_type(device, ctranslate2.get_supported_compute_types(device))
        if compute_type == "float16":
            raise ValueError("float16 gives NaN outputs with T5 models; use int8_float16 or bfloat16")
        self.device, self.compute_type = device, compute_type
        if device == "cpu":
            cores = threads or usable_cores()
            self.parallel_batches = min(parallel_batches or min(cores, MAX_DEFAULT_PARALLEL), cores)
            intra_threads = max(1, cores // self.parallel_batches)
            self.batch_tokens = min(max_batch_tokens, CPU_BATCH_TOKENS)
        else:
            self.parallel_batches, intra_threads, self.batch_tokens = parallel_batches or 1, threads, max_batch_tokens
        self.translator = ctranslate2.Translator(
            str(directory),
            device=device,
            compute_type=compute_type,
            inter_threads=self.parallel_batches,  # replicas share one copy of the weights
            intra_threads=intra_threads,
        )
        self.tokens = _vocabulary(directory)
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.max_batch_size = max_batch_size

    def generate(self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None = None) -> list[list[int]]:
        single = replace(decoding, num_return_sequences=1)
        return [outputs[0] for outputs in self._hypotheses(inputs, single, on_token)]

    def hypotheses(self, inputs: list[list[int]], decoding: Decoding) -> list[list[list[int]]]:
        return self._hypotheses(inputs, decoding, None)

    def _hypotheses(
        self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None
    ) -> list[list[list[int]]]:
        if not inputs:
            return []
        try:
            return self._generate(inputs, decoding, on_token)
        finally:
            if self.device == "cpu":
                release_freed_memory()

    def _generate(self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None) -> list[list[list[int]]]:
        # converted models say add_source_eos=false: the ids already end in their one eos.
        # CTranslate2 sorts by length, cuts batches of batch_tokens and runs them in parallel.
        options: dict[str, Any] = self.decoding_options(decoding)
        if on_token is not None and options["beam_size"] == 1:
            # called from CTranslate2's threads for every token of every input (batch_id: its index
            # in ``inputs``); True stops that input's decoding (its caller went away)
            ids = self.ids

            def step(result: Any) -> bool:
                stop = bool(on_token(result.batch_id, ids[result.token]))
                if result.is_last:
                    stop = bool(on_token(result.batch_id, None)) or stop
                return stop

            options["callback"] = step
        results = self.translator.translate_batch(
            self.to_tokens(inputs),
            max_batch_size=self.batch_tokens,
            batch_type="tokens",
            num_hypotheses=decoding.num_return_sequences,
            **options,
        )
        return [[self.to_ids(hypothesis) for hypothesis in result.hypotheses] for result in results]

    def to_tokens(self, inputs: list[list[int]]) -> list[list[str]]:
        """Ids as the converted model's vocabulary strings (what ``translate_batch`` takes)."""
        return [[self.tokens[i] for i in ids] for ids in inputs]

    def to_ids(self, tokens: list[str]) -> list[int]:
        return [self.ids[token] for token in tokens]

    @staticmethod
    def decoding_options(decoding: Decoding) -> dict[str, Any]:
        return {
            "beam_size": max(decoding.num_beams, decoding.num_return_sequences),
            "max_decoding_length": decoding.max_new_tokens,
            "min_decoding_length": decoding.min_new_tokens,
            "no_repeat_ngram_size": decoding.no_repeat_ngram_size,
            "repetition_penalty": decoding.repetition_penalty,
        }
