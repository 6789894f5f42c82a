"""Offline benchmark pieces: true-shape random models, realistic inputs, and each way of running them.

Speed does not depend on weight values, so random weights of the true ViT5-base / envit5 shapes with
a forced output length (min = max new tokens) measure what real checkpoints would cost.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from tomtat.models.backends.ctranslate2_backend import CTranslate2Backend
from tomtat.models.evaluation import detokenize
from tomtat.models.model import Seq2SeqModel, load_model
from tomtat.models.registry import SUMMARIZE, Decoding
from tomtat.models.streaming import OnToken
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.models.text import sentences_by_paragraph, split_sentences
from tomtat.models.translator import Translator
from tomtat_tools.testmodels import ENVIT5, TINY, VIT5_BASE, build_model, corpus_lines

BENCH_VOCAB_PIECES = 8000  # a sentencepiece vocabulary big enough for realistic token counts
SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"  # ../shared/data beside the checkout


def vietnews_articles(shared_data: Path) -> list[str]:
    path = shared_data / "vietnews-test" / "articles.jsonl"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [detokenize(json.loads(line)["text"]) for line in handle if line.strip()]


def generated_articles(n: int, seed: int = 0) -> list[str]:
    """Vietnamese-like articles of varied length from the bundled sentences (when no data is present)."""
    rng = random.Random(seed)
    sentences = [s for line in corpus_lines() for s in split_sentences(line) if not line.isascii()]
    sentences = [s for s in sentences if len(s.split()) > 5]
    return [" ".join(rng.choice(sentences) for _ in range(rng.randint(4, 40))) for _ in range(n)]


@dataclasses.dataclass
class BenchModels:
    vit5: Path
    vit5_ct2: Path
    envit5: Path
    envit5_ct2: Path


def prepare_models(root: Path, corpus: list[str], quick: bool) -> BenchModels:
    """Build (once; reused when present) the true-shape models and their CTranslate2 int8 conversions."""
    from tomtat.models.checkpoints import LocatedCheckpoint
    from tomtat.models.convert import convert_to_ctranslate2
    from tomtat.models.registry import REGISTRY

    root = root / ("quick" if quick else "true-shape")
    dirs = {}
    for name, shape in (("vit5-base-vietnews", VIT5_BASE), ("envit5", ENVIT5)):
        shape = TINY if quick else dataclasses.replace(shape, vocab_pieces=BENCH_VOCAB_PIECES)
        directory, converted = root / name, root / f"{name}-ct2"
        if not (directory / "tomtat.json").exists():
            build_model(name, directory, shape, teach_steps=0, corpus=None if quick else corpus)
        if not (converted / "tomtat.json").exists():
            convert_to_ctranslate2(LocatedCheckpoint(REGISTRY[name], directory), converted, "int8")
        dirs[name] = (directory, converted)
    return BenchModels(*dirs["vit5-base-vietnews"], *dirs["envit5"])


def fit_to_one_pass(model: Seq2SeqModel, articles: list[str], n: int) -> list[str]:
    """The first ``n`` articles, each cut at a sentence boundary to fit the model's input in one pass."""
    budget = model.input_budget(SUMMARIZE)
    out = []
    for article in articles[:n]:
        kept, used = [], 0
        for sentence in (s for p in sentences_by_paragraph(article) for s in p):
            size = model.count_tokens(sentence)
            if used + size > budget:
                break
            kept.append(sentence)
            used += size
        out.append(" ".join(kept))
    return out


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


class CardLoop:
    """The model-card way: transformers tokenizer + fp32 ``generate``, one input at a time."""

    def __init__(self, directory: Path, threads: int, device: str = "cpu") -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

        torch.set_num_threads(threads)
        self.torch, self.device = torch, device
        self.tokenizer = AutoTokenizer.from_pretrained(str(directory))
        self.model = AutoModelForSeq2SeqLM.from_pretrained(str(directory)).eval().to(device)

    def _generate(self, texts: list[str], new_tokens: int) -> None:
        encoding = self.tokenizer(texts, return_tensors="pt", padding=True).to(self.device)
        with self.torch.inference_mode():
            output = self.model.generate(
                **encoding, min_new_tokens=new_tokens, max_new_tokens=new_tokens, do_sample=False
            )
        output.tolist()  # on a GPU: wait until it is done

    def run(self, texts: list[str], new_tokens: int) -> None:
        for text in texts:
            self._generate([text], new_tokens)

    def run_batched(self, texts: list[str], new_tokens: int, batch_size: int = 8) -> None:
        """ "HF fp32 batched": padded batches in input order, as a user of generate() would write it."""
        for i in range(0, len(texts), batch_size):
            self._generate(texts[i : i + batch_size], new_tokens)


def forced(new_tokens: int) -> dict[str, int]:
    return {"max_length": new_tokens + 1, "min_new_tokens": new_tokens}


class InputOrderCT2:
    """The "no bucketing" baseline: CTranslate2 fed input-order batches (same translator, same budget).

    Wraps a loaded CTranslate2 backend without changing it; the batches are submitted together
    (``asynchronous=True``) so they run in parallel, as the real backend's batches do.
    """

    name = "ctranslate2-input-order"

    def __init__(self, backend: CTranslate2Backend) -> None:
        self.backend = backend

    @property
    def parallel_batches(self) -> int:
        return self.backend.parallel_batches

    def generate(
        self, inputs: list[list[int]], decoding: Decoding, on_token: OnToken | None = None
    ) -> list[list[int]]:  # a baseline: nothing streams
        backend = self.backend
        options = backend.decoding_options(decoding)
        batches: list[list[int]] = [[]]
        for index, ids in enumerate(inputs):
            widest = max([len(inputs[i]) for i in batches[-1]] + [len(ids)])
            full = len(batches[-1]) >= backend.max_batch_size or (len(batches[-1]) + 1) * widest > backend.batch_tokens
            if batches[-1] and full:
                batches.append([])
            batches[-1].append(index)
        pending = [
            (
                batch,
                backend.translator.translate_batch(
                    backend.to_tokens([inputs[i] for i in batch]), asynchronous=True, **options
                ),
            )
            for batch in batches
            if batch
        ]
        outputs: list[list[int]] = [[] for _ in inputs]
        for batch, results in pending:
            for index, result in zip(batch, results, strict=True):
                outputs[index] = backend.to_ids(result.result().hypotheses[0])
        return outputs

    def hypotheses(self, inputs: list[list[int]], decoding: Decoding) -> list[list[list[int]]]:
        return [[ids] for ids in self.generate(inputs, decoding)]  # the benchmark asks one each


def pipeline_summaries(model: Seq2SeqModel, texts: list[str], new_tokens: int, bucketing: bool = True) -> None:
    if not bucketing:
        assert isinstance(model.backend, CTranslate2Backend), "the no-bucketing baseline runs on CTranslate2"
        model = Seq2SeqModel(model.checkpoint, model.directory, model.tokenizer, InputOrderCT2(model.backend))
    AbstractiveSummarizer(model).summarize(texts, forced(new_tokens))


def raw_ct2(model: Seq2SeqModel, texts: list[str], new_tokens: int) -> None:
    """CTranslate2's own ``translate_batch`` on exactly the token ids the pipeline feeds, with the
    same translator (threads, parallel batches) and the same per-batch token budget."""
    backend = model.backend
    assert isinstance(backend, CTranslate2Backend)
    sources = backend.to_tokens([model.input_ids(SUMMARIZE, t) for t in texts])
    backend.translator.translate_batch(
        sources,
        max_batch_size=backend.batch_tokens,
        batch_type="tokens",
        beam_size=1,
        min_decoding_length=new_tokens,
        max_decoding_length=new_tokens,
    )


def raw_ct2_batches(model: Seq2SeqModel, texts: list[str], new_tokens: int, records_per_batch: int) -> None:
    """The fair baseline for the archive path: CTranslate2's ``translate_batch`` on the same token ids
    grouped as tomtat groups them (``records_per_batch`` records in file order, each group planned by
    length under the backend's budgets), every batch submitted at once (``asynchronous``) so the model
    never waits: what the model alone needs for tomtat's batches."""
    from tomtat.models.batch_plan import plan_batches

    backend = model.backend
    assert isinstance(backend, CTranslate2Backend)
    ids = [model.input_ids(SUMMARIZE, t) for t in texts]
    pending = []
    for start in range(0, len(ids), records_per_batch):
        group = ids[start : start + records_per_batch]
        for batch in plan_batches([len(i) for i in group], backend.max_batch_size, backend.batch_tokens):
            pending += backend.translator.translate_batch(
                backend.to_tokens([group[i] for i in batch]),
                asynchronous=True,
                beam_size=1,
                min_decoding_length=new_tokens,
                max_decoding_length=new_tokens,
            )
    for result in pending:
        result.result()


def article_sentences(texts: list[str]) -> list[str]:
    return [s for t in texts for p in sentences_by_paragraph(t) for s in p]


def card_translation_loop(card: CardLoop, texts: list[str], new_tokens: int) -> None:
    """The envit5 card's way, one sentence at a time: ``"vi: " + sentence`` -> generate."""
    card.run([f"vi: {s}" for s in article_sentences(texts)], new_tokens)


def pipeline_translation(model: Seq2SeqModel, texts: list[str], new_tokens: int) -> None:
    Translator([model], segment_tokens=0).translate(texts, "vi", "en", forced(new_tokens))


def load(directory: Path, threads: int, backend: str = "auto", max_batch_tokens: int = 4096) -> Seq2SeqModel:
    return load_model(
        str(directory), backend=backend, threads=threads, max_batch_size=8, max_batch_tokens=max_batch_tokens
    )
