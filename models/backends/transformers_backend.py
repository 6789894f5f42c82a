"""Transformers/torch backend: ``AutoModelForSeq2SeqLM`` from local files only, never a download."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tomtat.models.batch_plan import plan_batches
from tomtat.models.registry import Decoding


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

    def generate(self, inputs: list[list[int]], decoding: Decoding) -> list[list[int]]:
        return [outputs[0] for outputs in self.hypotheses(inputs, replace(decoding, num_return_sequences=1))]

    def hypotheses(self, inputs: list[list[int]], decoding: Decoding) -> list[list[list[int]]]:
        results: list[list[list[int]]] = [[] for _ in inputs]
        lengths = [len(ids) for ids in inputs]
        for batch in plan_batches(lengths, self.max_batch_size, self.max_batch_tokens):
            for index, outputs in zip(batch, self._generate_batch([inputs[i] for i in batch], decoding), strict=True):
                results[index] = outputs
        return results

    def _generate_batch(self, inputs: list[list[int]], decoding: Decoding) -> list[list[list[int]]]:
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
