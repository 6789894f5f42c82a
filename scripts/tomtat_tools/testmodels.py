"""Build random-weight look-alike checkpoints in exactly the on-disk layout of the public ones.

Nothing can be downloaded here, so tests and benchmarks run on these: a real sentencepiece
``spiece.model`` trained on bundled Vietnamese and English text, a T5 (or Marian) config, safetensors
weights and the transformers tokenizer files. ``tiny`` shapes are for tests (seconds to build);
``true`` shapes are ViT5-base / envit5 for benchmarks (speed does not depend on weight values).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tomtat.models.registry import REGISTRY
from tomtat_tools import PRODUCT_DATA, TOOLS_DATA


@dataclass(frozen=True)
class Shape:
    d_model: int
    d_ff: int
    layers: int
    heads: int
    d_kv: int
    vocab_pieces: int  # sentencepiece vocabulary (plus sentinels up to vocab_size)
    vocab_size: int


TINY = Shape(d_model=64, d_ff=128, layers=2, heads=4, d_kv=16, vocab_pieces=600, vocab_size=640)
VIT5_BASE = Shape(d_model=768, d_ff=3072, layers=12, heads=12, d_kv=64, vocab_pieces=600, vocab_size=36096)
ENVIT5 = Shape(d_model=768, d_ff=2048, layers=12, heads=12, d_kv=64, vocab_pieces=600, vocab_size=50048)


def corpus_lines() -> list[str]:
    """Bundled Vietnamese and English text (written for this project) used to train tokenizers."""
    lines: list[str] = []
    for path in (PRODUCT_DATA / "sample_vi.txt", TOOLS_DATA / "corpus_extra.txt"):
        lines += [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def train_spiece(output: Path, vocab_pieces: int, *, t5_ids: bool = True, corpus: list[str] | None = None) -> None:
    """Train a unigram sentencepiece model; T5 id layout (pad 0, eos 1, unk 2) or spm's default (Marian)."""
    import sentencepiece as spm

    ids = dict(pad_id=0, eos_id=1, unk_id=2, bos_id=-1) if t5_ids else dict(unk_id=0, bos_id=1, eos_id=2, pad_id=-1)
    model = io.BytesIO()  # written in memory: a model_prefix path would be recorded in the model file
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus or corpus_lines()),
        model_writer=model,
        vocab_size=vocab_pieces,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=1,
        minloglevel=2,
        **ids,
    )
    output.write_bytes(model.getvalue())


def _teaching_pairs(name: str, encode) -> list[tuple[list[int], list[int]]]:
    """(input ids, answer ids) that follow the checkpoint's conventions: the answer repeats the input's start.

    Random weights only ever emit one token; a few hundred steps of this make the tiny models answer
    with varied, input-dependent text of varied length that ends in eos, and envit5's look-alike
    answer with its ``en: ``/``vi: `` prefix, so tests can see that conventions are applied.
    """
    from tomtat.models.text import split_sentences

    checkpoint = REGISTRY[name]
    english = [line for line in corpus_lines() if line.isascii()]
    vietnamese = [line for line in corpus_lines() if not line.isascii()]
    pairs = []
    for task, convention in checkpoint.tasks.items():
        lines = english if task.source == "en" else vietnamese
        for line in lines:
            for sentence in split_sentences(line):
                if len(sentence.split()) < 4:
                    continue
                answer = (convention.answer_prefix + " " if convention.answer_prefix else "") + sentence
                pairs.append((encode(convention.prompt.format(text=sentence)), encode(answer)[:10]))
    return pairs


def _teach(
    model,
    pairs: list[tuple[list[int], list[int]]],
    eos: int,
    pad: int,
    steps: int,
    seed: int,
    after_step: Callable[[], None] = lambda: None,
) -> None:
    import torch

    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-3)
    model.train()
    for _ in range(steps):
        batch = [pairs[i] for i in torch.randint(len(pairs), (16,), generator=generator).tolist()]
        width = max(len(x) for x, _ in batch) + 1
        length = max(len(y) for _, y in batch) + 1
        inputs = torch.tensor([x + [eos] + [pad] * (width - len(x) - 1) for x, _ in batch])
        labels = torch.tensor([y + [eos] + [-100] * (length - len(y) - 1) for _, y in batch])
        loss = model(input_ids=inputs, attention_mask=(inputs != pad).long(), labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        after_step()
    model.eval()


def _t5(directory: Path, shape: Shape, *, name: str, seed: int, teach_steps: int, corpus: list[str] | None) -> None:
    import torch
    from transformers import T5Config, T5ForConditionalGeneration
    from transformers import T5Tokenizer as HFT5Tokenizer

    directory.mkdir(parents=True, exist_ok=True)
    train_spiece(directory / "spiece.model", shape.vocab_pieces, corpus=corpus)
    torch.manual_seed(seed)
    defaults: dict[str, object] = dict(
        vocab_size=shape.vocab_size,
        d_model=shape.d_model,
        d_ff=shape.d_ff,
        d_kv=shape.d_kv,
        num_layers=shape.layers,
        num_decoder_layers=shape.layers,
        num_heads=shape.heads,
        feed_forward_proj="relu",  # T5 v1.0, as ViT5; a registry entry's config says where it differs
        tie_word_embeddings=True,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    config = T5Config(**(defaults | dict(REGISTRY[name].config)))
    model = T5ForConditionalGeneration(config)
    if teach_steps:
        from tomtat.models.tokenization import T5Tokenizer

        tokenizer = T5Tokenizer(directory / "spiece.model")
        _teach(model, _teaching_pairs(name, tokenizer.encode), 1, 0, teach_steps, seed)
    model.eval().save_pretrained(directory)
    import sentencepiece as spm

    pieces = spm.SentencePieceProcessor(model_file=str(directory / "spiece.model")).get_piece_size()
    # the transformers tokenizer files, as the hub repos carry them (needs protobuf to convert)
    HFT5Tokenizer.from_pretrained(directory, extra_ids=shape.vocab_size - pieces).save_pretrained(directory)


def _marian(directory: Path, shape: Shape, *, name: str, seed: int, teach_steps: int, corpus: list[str] | None) -> None:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    directory.mkdir(parents=True, exist_ok=True)
    train_spiece(directory / "source.spm", shape.vocab_pieces, t5_ids=False, corpus=corpus)
    shutil.copy(directory / "source.spm", directory / "target.spm")
    processor = spm.SentencePieceProcessor(model_file=str(directory / "source.spm"))
    vocab = {"</s>": 0, "<unk>": 1}
    for i in range(processor.get_piece_size()):
        if not (processor.is_control(i) or processor.is_unknown(i)):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    vocab["<pad>"] = len(vocab)
    (directory / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    torch.manual_seed(seed)
    config = MarianConfig(
        vocab_size=len(vocab),
        d_model=shape.d_model,
        encoder_layers=shape.layers,
        decoder_layers=shape.layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.d_ff,
        decoder_ffn_dim=shape.d_ff,
        max_position_embeddings=512,
        pad_token_id=len(vocab) - 1,
        eos_token_id=0,
        decoder_start_token_id=len(vocab) - 1,
        forced_eos_token_id=0,
    )
    model = MarianMTModel(config)
    pad = len(vocab) - 1
    # as in the converted OPUS-MT checkpoints: decoding starts from <pad>'s all-zero embedding (Marian
    # NMT starts from a zero vector) and <pad> is never generated
    model.generation_config.bad_words_ids = [[pad]]

    embeddings = [p for n, p in model.named_parameters() if "shared" in n or "embed_tokens" in n]

    def zero_pad_embedding() -> None:
        with torch.no_grad():
            for weight in embeddings:
                weight[pad].zero_()

    zero_pad_embedding()
    if teach_steps:
        from tomtat.models.tokenization import MarianTokenizer

        tokenizer = MarianTokenizer(directory)
        _teach(model, _teaching_pairs(name, tokenizer.encode), 0, pad, teach_steps, seed, zero_pad_embedding)
    model.eval().save_pretrained(directory)
    (directory / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "MarianTokenizer", "source_lang": "vi", "target_lang": "en"}), encoding="utf-8"
    )


BUILDERS = {"t5": _t5, "marian": _marian}  # one look-alike builder per checkpoint family


def build_model(
    name: str,
    directory: Path,
    shape: Shape = TINY,
    seed: int = 0,
    teach_steps: int | None = None,
    corpus: list[str] | None = None,
) -> Path:
    """Build the look-alike of registry entry ``name`` into ``directory`` (tagged with tomtat.json).

    Tiny models are taught (see ``_teaching_pairs``) unless ``teach_steps`` is 0; true shapes are not.
    """
    steps = (150 if shape == TINY else 0) if teach_steps is None else teach_steps
    BUILDERS[REGISTRY[name].family.name](directory, shape, name=name, seed=seed, teach_steps=steps, corpus=corpus)
    (directory / "tomtat.json").write_text(json.dumps({"convention": name}), encoding="utf-8")
    return directory


def build_test_models(output_dir: str | Path, shape: Shape = TINY) -> dict[str, Path]:
    """One look-alike per registry entry, each in ``output_dir/<name>`` (a valid checkpoint dir)."""
    output_dir = Path(output_dir)
    return {name: build_model(name, output_dir / name, shape) for name in REGISTRY}


def _builder_fingerprint(shape: Shape) -> str:
    """What the built models depend on: this builder, the registry, the bundled corpora, the shape and the
    versions of the libraries that write the files; a change to any of them builds the models again."""
    import sentencepiece
    import torch
    import transformers

    from tomtat.models import registry

    digest = hashlib.sha256(repr((shape, torch.__version__, transformers.__version__)).encode())
    digest.update(sentencepiece.__version__.encode())
    for source in (Path(__file__), Path(registry.__file__)):
        digest.update(source.read_bytes())
    for folder in (PRODUCT_DATA, TOOLS_DATA):
        for data in sorted(folder.rglob("*")):
            if data.is_file():
                digest.update(data.name.encode() + data.read_bytes())
    return digest.hexdigest()[:16]


def default_cache_dir() -> Path:
    """``$TOMTAT_TEST_MODELS_CACHE``, else the user's cache folder (``~/.cache/tomtat/test-models``)."""
    configured = os.environ.get("TOMTAT_TEST_MODELS_CACHE")
    base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tomtat" / "test-models"
    return Path(configured) if configured else base


def cached_test_models(output_dir: str | Path, cache_dir: str | Path | None = None, shape: Shape = TINY) -> Path:
    """``build_test_models`` built once per fingerprint into a cache and copied to ``output_dir`` (5.7 MB:
    tests may change their copy). The first build takes about a minute on 2 cores: it says so."""
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    built = cache / _builder_fingerprint(shape)
    if not (built / "complete").is_file():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"tomtat: building the tiny test models into {built} (about a minute, once)", file=sys.stderr)
        staging = Path(tempfile.mkdtemp(prefix="building-", dir=cache))
        build_test_models(staging, shape)
        (staging / "complete").write_text("", encoding="utf-8")
        try:
            staging.rename(built)  # atomic: a concurrent build that finished first wins, this copy goes
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
    output_dir = Path(output_dir)
    for name in REGISTRY:
        shutil.copytree(built / name, output_dir / name, dirs_exist_ok=True)
    return output_dir
