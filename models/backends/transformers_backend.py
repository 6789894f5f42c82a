"""Transformers/torch backend: ``AutoModelForSeq2SeqLM`` from local files only, never a download."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from tomtat.models.batch_plan import plan_batches
from tomtat.models.registry import Decoding
from tomtat.models.streaming import OnToken


class _RowStreamer:
    """A transformers streamer (``put``/``end``) that hands each row's new token to ``on_token``, in the
    batch's own indices: ``rows[i]`` is row i's index in the caller's inputs. The first ``put`` is the
    decoder's start tokens; a row is finished at its eos (padding follows it), or stopped when
    ``on_token`` answers True (as a stopping criterion, it then ends that row's generation)."""

    def __init__(self, rows: list[int], on_token: OnToken, eos_id: int) -> None:
        self.rows, self.on_token, self.eos_id = rows, on_token, eos_id
        self.started = False
        self.finished = [False] * len(rows)
        self.stopped = [False] * len(rows)

    def put(self, value: Any) -> None:
        if not self.started:
            self.started = True
            return
        for row, token in enumerate(value.reshape(-1).tolist()):
            if self.finished[row]:
                continue
            if token == self.eos_id:
                self.finished[row] = True
                self.on_token(self.rows[row], None)
                continue
            self.stopped[row] = bool(self.on_token(self.rows[row], token)) or self.stopped[row]

    def end(self) -> None:
        pass

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        """As a transformers stopping criterion: true for the rows whose listener said stop."""
        import torch

        return torch.tensor(self.stopped, dtype=torch.bool, device=input_ids.device)


class TransformersBackend:
    """Runs ``model.generate`` on length-sorted batches under a padded-token budget."""

    name = "transformers"

    def __init__(
        self,
        directory: str | Path,
        *,
        device: str = "auto",
        dtype: str = "float32",
        threads: int = 0,
        max_batch_size: int = 32,
        max_batch_tokens: int = 8192,
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call] # a "Loading weights" bar per model is noise in a service log

        if threads:
            torch.set_num_threads(threads)
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = device
        self.max_batch_size = max_batch_size
        self.max_batch_tokens = max_batch_tokens
        self.model = AutoModelForSeq2SeqLM.from_pretrained(
            str(directory), local_files_only=True, dtype=getattr(torch, dtype)
        ).to(device)
        self.model.eval()
        config = self.model.config
        self.pad_id = config.pad_token_id
        self.eos_id = config.eos_token_id
        self.start_id = config.decoder_start_token_id
        self._torch = torch

    parallel_batches = 1

    def generate(self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None = None) -> list[list[int]]:
        single = replace(decoding, num_return_sequences=1)
        return [outputs[0] for outputs in self._hypotheses(inputs, single, on_token)]

    def hypotheses(self, inputs: list[list[int]], decoding: Decoding) -> list[list[list[int]]]:
        return self._hypotheses(inputs, decoding, None)

    def _hypotheses(
        self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None
    ) -> list[list[list[int]]]:
        results: list[list[list[int]]] = [[] for _ in inputs]
        lengths = [len(ids) for ids in inputs]
        for batch in plan_batches(lengths, self.max_batch_size, self.max_batch_tokens):
            # streamers work with greedy decoding only (transformers refuses them with beams)
            streamer = _RowStreamer(batch, on_token, self.eos_id) if on_token and decoding.num_beams == 1 else None
            outputs = self._generate_batch([inputs[i] for i in batch], decoding, streamer)
            for index, hypotheses in zip(batch, outputs, strict=True):
                results[index] = hypotheses
        return results

    def _generate_batch(
        self, inputs: list[list[int]], decoding: Decoding, streamer: _RowStreamer | None = None
    ) -> list[list[list[int]]]:
        from transformers import StoppingCriteriaList

        torch = self._torch
        width = max(len(ids) for ids in inputs)
        input_ids = torch.full((len(inputs), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(inputs), width), dtype=torch.long)
        for row, ids in enumerate(inputs):
            input_ids[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
            mask[row, : len(ids)] = 1
        count = decoding.num_return_sequences
        beams = max(decoding.num_beams, count)
        with torch.inference_mode():
            output = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                do_sample=False,
                num_beams=beams,
                num_return_sequences=count,
                max_length=decoding.max_length,
                min_new_tokens=decoding.min_new_tokens or None,
                no_repeat_ngram_size=decoding.no_repeat_ngram_size,
                repetition_penalty=decoding.repetition_penalty,
                early_stopping=True if beams > 1 else False,
                streamer=streamer,
                stopping_criteria=StoppingCriteriaList([streamer]) if streamer else None,
            )
        rows = [self._strip(row) for row in output.tolist()]
        return [rows[i * count : (i + 1) * count] for i in range(len(inputs))]

    def _strip(self, ids: list[int]) -> list[int]:
        """Drop the decoder start token, then cut at the first eos (padding follows it)."""
        if ids and ids[0] == self.start_id:
            ids = ids[1:]
        if self.eos_id in ids:
            ids = ids[: ids.index(self.eos_id)]
        return ids
