"""A loaded checkpoint: its conventions, tokenizer and backend behind one batched ``run``."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tomtat.models.backends import Backend, is_ctranslate2_dir
from tomtat.models.checkpoints import LocatedCheckpoint, check_files, locate
from tomtat.models.errors import BrokenCheckpointError, InputError
from tomtat.models.registry import Checkpoint, Task
from tomtat.models.streaming import OnText, OnToken, StopSignal
from tomtat.models.text import split_long_sentence
from tomtat.models.tokenization import Tokenizer, clean_up_tokenization_spaces


@dataclass
class Generated:
    text: str
    input_tokens: int
    output_tokens: int
    alternatives: list[str] = field(default_factory=list)  # other distinct hypotheses, best first


class Seq2SeqModel:
    """Applies a checkpoint's task conventions around a backend: prompt, ids + one eos, decode, clean up."""

    def __init__(self, checkpoint: Checkpoint, directory: Path, tokenizer: Tokenizer, backend: Backend) -> None:
        self.checkpoint = checkpoint
        self.directory = directory
        self.tokenizer = tokenizer
        self.backend = backend

    @property
    def name(self) -> str:
        return self.checkpoint.name

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer.encode(text))

    def input_budget(self, task: Task) -> int:
        """Tokens left for the text itself once the task prompt and the eos are counted."""
        prompt = self.checkpoint.convention(task).prompt.replace("{text}", "").strip()
        overhead = self.count_tokens(prompt) if prompt else 0
        return self.checkpoint.max_input_tokens - overhead - 1

    def split_text(self, text: str, budget: int) -> list[str]:
        """Split an over-long sentence into pieces of at most ``budget`` tokens, on token boundaries."""
        runs = split_long_sentence(self.tokenizer.pieces(text), budget)
        return ["".join(run).replace("▁", " ").strip() for run in runs]

    def input_ids(self, task: Task, text: str) -> list[int]:
        """Exactly what the model card feeds the model: the prompt's pieces followed by one eos."""
        prompt = self.checkpoint.convention(task).prompt.format(text=text)
        return [*self.tokenizer.encode(prompt), self.tokenizer.eos_id]

    def clean_output(self, task: Task, ids: list[int]) -> str:
        convention = self.checkpoint.convention(task)
        text = self.tokenizer.decode(ids)
        if convention.clean_up_spaces:
            text = clean_up_tokenization_spaces(text)
        text = text.strip()
        if convention.answer_prefix and text.startswith(convention.answer_prefix):
            text = text[len(convention.answer_prefix) :].strip()
        return text

    def run(
        self,
        task: Task,
        texts: list[str],
        overrides: Mapping[str, Any] | None = None,
        on_text: OnText | None = None,
        stop: StopSignal | None = None,
    ) -> list[Generated]:
        """One flat batch of ``texts`` for ``task`` with the card's decoding (plus overrides); input order kept.

        ``on_text(i, text so far, finished)``: text ``i``'s output as generated, cleaned as its final
        text is (greedy decoding; called from the backend's threads). True from it: nobody waits for it.
        ``stop``: once set, every input's decoding ends at its next token (greedy decoding), so the batch
        returns early with partial outputs, which its caller discards (the server's batch worker sets it
        to free a model lane for an editor's request).
        """
        decoding = self.checkpoint.convention(task).decoding.merged(**(overrides or {}))
        inputs = [self.input_ids(task, text) for text in texts]
        if not inputs:
            return []
        if decoding.num_return_sequences == 1:
            on_token = self._token_handler(task, len(inputs), on_text, stop) if on_text or stop else None
            outputs = [[out] for out in self.backend.generate(inputs, decoding, on_token)]
        else:
            outputs = self.backend.hypotheses(inputs, decoding)
        results = []
        for inp, hypotheses in zip(inputs, outputs, strict=True):
            best = self.clean_output(task, hypotheses[0])
            others = [self.clean_output(task, ids) for ids in hypotheses[1:]]
            alternatives = [t for t in dict.fromkeys(others) if t and t != best]
            results.append(Generated(best, len(inp), len(hypotheses[0]), alternatives))
        return results

    def _token_handler(self, task: Task, count: int, on_text: OnText | None, stop: StopSignal | None) -> OnToken:
        generated: list[list[int]] = [[] for _ in range(count)]
        special = {self.tokenizer.eos_id, self.tokenizer.pad_id}
        lock = threading.Lock()  # CTranslate2 calls back from one thread per parallel batch

        def on_token(index: int, token: int | None) -> bool:
            if stop is not None and stop.poll():
                return True
            if on_text is None or token in special:
                return False
            with lock:
                if token is not None:
                    generated[index].append(token)
                ids = list(generated[index])
            return bool(on_text(index, self.clean_output(task, ids), token is None))

        return on_token


def load_model(
    name_or_path: str,
    *,
    checkpoint_dir: str | Path | None = None,
    backend: str = "auto",
    device: str = "auto",
    dtype: str = "float32",
    threads: int = 0,
    max_batch_size: int = 32,
    max_batch_tokens: int = 8192,
    compute_type: str | None = None,
    parallel_batches: int = 0,
) -> Seq2SeqModel:
    """Locate a checkpoint (local files only), check it, and load tokenizer and backend."""
    located: LocatedCheckpoint = locate(name_or_path, checkpoint_dir, backend)
    check_files(located)
    tokenizer = located.checkpoint.family.load_tokenizer(located.directory)
    is_ct2 = is_ctranslate2_dir(located.directory)
    if backend == "auto":
        backend = "ctranslate2" if is_ct2 else "transformers"
    if backend not in ("transformers", "ctranslate2"):
        raise InputError(f"unknown backend {backend!r}; use auto, transformers or ctranslate2", field="backend")
    if (backend == "ctranslate2") != is_ct2:
        kind = "a CTranslate2" if is_ct2 else "a transformers"
        raise BrokenCheckpointError(
            f"{located.directory} is {kind} checkpoint and cannot run on the {backend} backend"
            + ("" if is_ct2 else f"; convert it with: tomtat fetch {located.checkpoint.name} --convert ct2")
        )
    if backend == "ctranslate2":
        from tomtat.models.backends.ctranslate2_backend import CTranslate2Backend

        engine: Backend = CTranslate2Backend(
            located.directory,
            device=device,
            compute_type=compute_type,
            threads=threads,
            parallel_batches=parallel_batches,
            max_batch_size=max_batch_size,
            max_batch_tokens=max_batch_tokens,
        )
    else:
        from tomtat.models.backends.transformers_backend import TransformersBackend

        engine = TransformersBackend(
            located.directory,
            device=device,
            dtype=dtype,
            threads=threads,
            max_batch_size=max_batch_size,
            max_batch_tokens=max_batch_tokens,
        )
    model = Seq2SeqModel(located.checkpoint, located.directory, tokenizer, engine)
    return model
