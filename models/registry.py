"""Checkpoint registry: every convention of every supported checkpoint lives here and nowhere else.

A convention error (missing prefix, doubled ``</s>``, unstripped ``en: ``) silently ruins output, so
each entry states exactly what its model card feeds the model and how the card cleans the answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal

from tomtat.models.errors import UnknownModelError, UnsupportedTaskError
from tomtat.models.families import MARIAN, T5, Family

Language = Literal["vi", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "en")


@dataclass(frozen=True)
class Task:
    """What a checkpoint is asked to do: summarize (Vietnamese), or translate one direction."""

    kind: Literal["summarize", "translate"]
    source: Language = "vi"
    target: Language | None = None

    @property
    def is_translation(self) -> bool:
        return self.kind == "translate"

    @property
    def direction(self) -> str:
        """``vi-en`` for a translation; empty for summarization."""
        return f"{self.source}-{self.target}" if self.is_translation else ""

    def __str__(self) -> str:
        return f"translate:{self.direction}" if self.is_translation else self.kind


SUMMARIZE = Task("summarize")


def translate_task(source: Language, target: Language) -> Task:
    return Task("translate", source, target)


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
    num_return_sequences: int = 1  # hypotheses per input, best first (beam search keeps at least this many)

    def merged(self, **overrides: Any) -> Decoding:
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
    tasks: Mapping[Task, TaskConvention]
    max_input_tokens: int  # the input length the model was trained on
    description: str = ""
    # facts of the published config.json that differ from the family's defaults (the look-alike
    # test models copy them): ViT5 is T5 v1.0 (relu, tied), envit5 T5 v1.1 (gated-gelu, untied)
    config: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def allow_patterns(self) -> tuple[str, ...]:
        """Files a working checkpoint needs: config, tokenizer, one weight format (safetensors preferred)."""
        return (*COMMON_FILES, *SAFETENSORS_FILES, *self.family.tokenizer_patterns)

    @property
    def fallback_weight_patterns(self) -> tuple[str, ...]:
        return PYTORCH_BIN_FILES

    def supports(self, task: Task) -> bool:
        return task in self.tasks

    def convention(self, task: Task) -> TaskConvention:
        try:
            return self.tasks[task]
        except KeyError:
            supported = ", ".join(map(str, self.tasks))
            raise UnsupportedTaskError(
                f"checkpoint {self.name!r} does not support {str(task)!r}; it supports: {supported}"
            ) from None


COMMON_FILES = ("config.json", "generation_config.json")
SAFETENSORS_FILES = ("*.safetensors", "*.safetensors.index.json")
PYTORCH_BIN_FILES = ("pytorch_model.bin", "pytorch_model.bin.index.json", "pytorch_model-*.bin")


_CARD_SUMMARY = Decoding(num_beams=1, max_length=256)
_CARD_TRANSLATION = Decoding(num_beams=1, max_length=512)

REGISTRY: dict[str, Checkpoint] = {
    c.name: c
    for c in (
        Checkpoint(
            name="vit5-base-vietnews",
            repo_id="VietAI/vit5-base-vietnews-summarization",
            family=T5,
            # card: text + " </s>", no task prefix; decode with clean_up_tokenization_spaces=True
            tasks={SUMMARIZE: TaskConvention(prompt="{text}", decoding=_CARD_SUMMARY, clean_up_spaces=True)},
            max_input_tokens=1024,
            description="ViT5-base fine-tuned on Vietnews (abstractive summarization)",
        ),
        Checkpoint(
            name="vit5-large-vietnews",
            repo_id="VietAI/vit5-large-vietnews-summarization",
            family=T5,
            # card: "vietnews: " + text + " </s>"
            tasks={SUMMARIZE: TaskConvention(prompt="vietnews: {text}", decoding=_CARD_SUMMARY, clean_up_spaces=True)},
            max_input_tokens=1024,
            description="ViT5-large fine-tuned on Vietnews (abstractive summarization)",
        ),
        Checkpoint(
            name="envit5",
            repo_id="VietAI/envit5-translation",
            family=T5,
            config=MappingProxyType({"feed_forward_proj": "gated-gelu", "tie_word_embeddings": False}),
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
            family=MARIAN,
            # Marian: no prefix; generation_config.json of the repo uses 4 beams, max_length 512
            tasks={translate_task("vi", "en"): TaskConvention(decoding=Decoding(num_beams=4, max_length=512))},
            max_input_tokens=512,
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


def checkpoints_for(task: Task) -> list[Checkpoint]:
    """Registry entries that can do ``task``, in registry order (the preferred one first)."""
    return [c for c in REGISTRY.values() if c.supports(task)]


def default_model(task: Task) -> str:
    """The registry's preferred checkpoint for ``task`` (the first entry that does it)."""
    candidates = checkpoints_for(task)
    if not candidates:
        raise UnsupportedTaskError(f"no registered checkpoint does {task}")
    return candidates[0].name
