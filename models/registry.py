"""Checkpoint registry: every convention of every supported checkpoint lives here and nowhere else.

A convention error (missing prefix, doubled ``</s>``, unstripped ``en: ``) silently ruins output, so
each entry states exactly what its model card feeds the model and how the card cleans the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from tomtat.models.errors import UnknownModelError, UnsupportedTaskError

SUMMARIZE = "summarize"
Family = Literal["t5", "marian"]


def translate_task(source: str, target: str) -> str:
    """Task key for a translation direction, e.g. ``translate:vi-en``."""
    return f"translate:{source}-{target}"


@dataclass(frozen=True)
class Decoding:
    """Generation options; the card's values are the defaults of each task, any can be overridden per call.

    ``max_length`` follows transformers' meaning for encoder-decoders (decoder start token included),
    which is what the model cards pass; ``min_new_tokens`` exists for benchmarks that force a length.
    """

    num_beams: int = 1
    max_length: int = 256
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    min_new_tokens: int = 0

    def merged(self, **overrides: object) -> Decoding:
        """A copy with the given non-None overrides applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def max_new_tokens(self) -> int:
        return max(1, self.max_length - 1)


@dataclass(frozen=True)
class TaskConvention:
    """How one task is asked of a checkpoint and how its answer is cleaned."""

    prompt: str = "{text}"  # the card's input text; the tokenizer appends exactly one eos after it
    answer_prefix: str = ""  # stripped from the decoded answer when present (envit5 answers "en: ...")
    decoding: Decoding = field(default_factory=Decoding)
    # transformers' clean_up_tokenization_spaces (" ." -> "."), applied only where the card asks for it
    clean_up_spaces: bool = False


@dataclass(frozen=True)
class Checkpoint:
    """One public checkpoint and all of its conventions."""

    name: str
    repo_id: str
    family: Family
    tasks: dict[str, TaskConvention]
    max_input_tokens: int  # the input length the model was trained on
    description: str = ""
    # files a working checkpoint needs: one weight format (safetensors preferred), config, tokenizer
    allow_patterns: tuple[str, ...] = (
        "config.json",
        "generation_config.json",
        "*.safetensors",
        "*.safetensors.index.json",
        "spiece.model",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
    )
    fallback_weight_patterns: tuple[str, ...] = (
        "pytorch_model.bin",
        "pytorch_model.bin.index.json",
        "pytorch_model-*.bin",
    )

    def convention(self, task: str) -> TaskConvention:
        try:
            return self.tasks[task]
        except KeyError:
            raise UnsupportedTaskError(
                f"checkpoint {self.name!r} does not support {task!r}; it supports: {', '.join(self.tasks)}"
            ) from None


_CARD_SUMMARY = Decoding(num_beams=1, max_length=256)
_CARD_TRANSLATION = Decoding(num_beams=1, max_length=512)

REGISTRY: dict[str, Checkpoint] = {
    c.name: c
    for c in (
        Checkpoint(
            name="vit5-base-vietnews",
            repo_id="VietAI/vit5-base-vietnews-summarization",
            family="t5",
            # card: text + " </s>", no task prefix; decode with clean_up_tokenization_spaces=True
            tasks={SUMMARIZE: TaskConvention(prompt="{text}", decoding=_CARD_SUMMARY, clean_up_spaces=True)},
            max_input_tokens=1024,
            description="ViT5-base fine-tuned on Vietnews (abstractive summarization)",
        ),
        Checkpoint(
            name="vit5-large-vietnews",
            repo_id="VietAI/vit5-large-vietnews-summarization",
            family="t5",
            # card: "vietnews: " + text + " </s>"
            tasks={SUMMARIZE: TaskConvention(prompt="vietnews: {text}", decoding=_CARD_SUMMARY, clean_up_spaces=True)},
            max_input_tokens=1024,
            description="ViT5-large fine-tuned on Vietnews (abstractive summarization)",
        ),
        Checkpoint(
            name="envit5",
            repo_id="VietAI/envit5-translation",
            family="t5",
            # card: "vi: " + text -> "en: ..." and "en: " + text -> "vi: ..."; batch_decode(skip_special_tokens)
            tasks={
                translate_task("vi", "en"): TaskConvention(
                    prompt="vi: {text}", answer_prefix="en:", decoding=_CARD_TRANSLATION
                ),
                translate_task("en", "vi"): TaskConvention(
                    prompt="en: {text}", answer_prefix="vi:", decoding=_CARD_TRANSLATION
                ),
            },
            max_input_tokens=512,
            description="EnViT5 (mTet) Vietnamese<->English translation",
        ),
        Checkpoint(
            name="opus-mt-vi-en",
            repo_id="Helsinki-NLP/opus-mt-vi-en",
            family="marian",
            # Marian: no prefix; generation_config.json of the repo uses 4 beams, max_length 512
            tasks={translate_task("vi", "en"): TaskConvention(decoding=Decoding(num_beams=4, max_length=512))},
            max_input_tokens=512,
            allow_patterns=(
                "config.json",
                "generation_config.json",
                "*.safetensors",
                "source.spm",
                "target.spm",
                "vocab.json",
                "tokenizer_config.json",
            ),
            description="OPUS-MT Marian Vietnamese->English translation",
        ),
    )
}


def get_checkpoint(name: str) -> Checkpoint:
    """The registry entry for ``name``; also accepts the hub repo id or its last path part."""
    for checkpoint in REGISTRY.values():
        if name in (checkpoint.name, checkpoint.repo_id, checkpoint.repo_id.split("/")[-1]):
            return checkpoint
    raise UnknownModelError(f"unknown model {name!r}; known models: {', '.join(REGISTRY)}")


def checkpoints_for(task: str) -> list[Checkpoint]:
    """Registry entries that can do ``task``, in registry order (the preferred one first)."""
    return [c for c in REGISTRY.values() if task in c.tasks]
