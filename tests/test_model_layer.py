from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tomtat.models.batch_plan import plan_batches
from tomtat.models.checkpoints import locate
from tomtat.models.engine_choice import choose_summarizer
from tomtat.models.errors import (
    BrokenCheckpointError,
    CheckpointNotFoundError,
    InputError,
    UnknownModelError,
    UnsupportedTaskError,
)
from tomtat.models.extractive import lead, select_sentences
from tomtat.models.langdetect import detect_language, surely_vietnamese
from tomtat.models.model import load_model
from tomtat.models.registry import REGISTRY, SUMMARIZE, get_checkpoint, translate_task
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer, check_article
from tomtat.models.text import latin_share, letters_by_script, sentences_by_paragraph, split_sentences
from tomtat.models.translator import Translator


def test_registry_holds_each_convention_once() -> None:
    assert REGISTRY["vit5-base-vietnews"].convention(SUMMARIZE).prompt == "{text}"
    assert REGISTRY["vit5-large-vietnews"].convention(SUMMARIZE).prompt == "vietnews: {text}"
    envit5 = REGISTRY["envit5"]
    assert envit5.convention(translate_task("vi", "en")).prompt == "vi: {text}"
    assert envit5.convention(translate_task("en", "vi")).answer_prefix == "vi:"
    assert REGISTRY["vit5-base-vietnews"].convention(SUMMARIZE).decoding.max_length == 256
    assert envit5.convention(translate_task("vi", "en")).decoding.max_length == 512
    assert REGISTRY["vit5-base-vietnews"].max_input_tokens == 1024
    assert get_checkpoint("VietAI/envit5-translation") is envit5
    with pytest.raises(UnsupportedTaskError, match="translate:vi-en"):
        REGISTRY["vit5-base-vietnews"].convention(translate_task("vi", "en"))
    with pytest.raises(UnknownModelError, match="known models"):
        get_checkpoint("gpt-9")


def test_input_ids_have_exactly_one_eos(loaded) -> None:
    model = loaded("vit5-large-vietnews")
    ids = model.input_ids(SUMMARIZE, "Giá vàng tăng.")
    assert ids[-1] == model.tokenizer.eos_id and ids.count(model.tokenizer.eos_id) == 1
    assert ids[:-1] == model.tokenizer.encode("vietnews: Giá vàng tăng.")
    assert model.tokenizer.decode(ids) == "vietnews: Giá vàng tăng."


def test_decoding_overrides_apply_per_call(loaded) -> None:
    model = loaded("vit5-base-vietnews")
    (short,) = model.run(SUMMARIZE, ["Người dân phấn khởi khi con đường mới được đưa vào sử dụng."], {"max_length": 3})
    assert short.output_tokens <= 2
    (full,) = model.run(SUMMARIZE, ["Người dân phấn khởi khi con đường mới được đưa vào sử dụng."])
    assert full.output_tokens > 2


def test_plan_batches_sorted_and_within_budget() -> None:
    lengths = [5, 50, 7, 49, 30, 3]
    batches = plan_batches(lengths, max_batch_size=2, max_batch_tokens=100)
    assert sorted(i for b in batches for i in b) == list(range(6))
    assert batches[0] == [1, 3]
    for batch in batches:
        assert len(batch) <= 2 and len(batch) * max(lengths[i] for i in batch) <= 100
    assert plan_batches([500], 4, 100) == [[0]]  # an over-budget sequence still runs, alone


def test_batching_invariance_summaries(loaded, sample_article: str) -> None:
    summarizer = AbstractiveSummarizer(loaded("vit5-base-vietnews"))
    texts = [p for p in sample_article.split("\n") if p.strip()]
    batched = summarizer.summarize(texts)
    one_by_one = [summarizer.summarize([t])[0] for t in texts]
    assert [s.summary for s in batched] == [s.summary for s in one_by_one]
    assert len({s.summary for s in batched}) > 1  # inputs differ, so do the answers


def test_batching_invariance_translation(loaded, sample_article: str) -> None:
    translator = Translator([loaded("envit5")])
    texts = [sample_article, "Giá vàng tăng mạnh.", "Người dân phấn khởi."]
    batched = translator.translate(texts, source="vi", target="en")
    assert [r.translation for r in batched] == [translator.translate([t], "vi", "en")[0].translation for t in texts]
    # paragraphs are kept: one output line per input paragraph
    assert batched[0].translation.count("\n") == len(sentences_by_paragraph(sample_article)) - 1


def test_long_article_is_chunked_on_sentence_boundaries(loaded, sample_article: str) -> None:
    model = loaded("vit5-base-vietnews")
    summarizer = AbstractiveSummarizer(model)
    sentences = [s for p in sentences_by_paragraph(sample_article) for s in p]
    long_sentences = [
        f"Mục {i}: {s}" for i in range(60) for s in sentences[i % len(sentences) : i % len(sentences) + 1]
    ]
    article = " ".join(long_sentences)
    assert model.count_tokens(article) > 3 * model.checkpoint.max_input_tokens
    chunks = summarizer.plan_chunks(article)
    assert len(chunks) >= 3
    for chunk in chunks:
        assert len(model.input_ids(SUMMARIZE, chunk)) <= model.checkpoint.max_input_tokens
    assert " ".join(chunks) == article  # every sentence is in some chunk, in order, whole
    (summary,) = summarizer.summarize([article])
    assert summary.chunked and summary.chunks == len(chunks) and summary.summary


def test_overlong_sentence_is_split_not_dropped(loaded) -> None:
    model = loaded("vit5-base-vietnews")
    words = [f"từ{i}" for i in range(1500)]
    chunks = AbstractiveSummarizer(model).plan_chunks(" ".join(words))
    assert len(chunks) >= 2
    assert " ".join(chunks).split() == words
    assert all(len(model.input_ids(SUMMARIZE, c)) <= model.checkpoint.max_input_tokens for c in chunks)


@pytest.mark.parametrize(("text", "code"), [("", "empty_text"), ("  \n\t ", "empty_text"), ("123 456 !!", "no_words")])
def test_check_article_rejects_empty(text: str, code: str) -> None:
    with pytest.raises(InputError) as error:
        check_article(text)
    assert error.value.code == code and error.value.field == "text"


def test_check_article_rejects_english_unless_allowed() -> None:
    english = "The city council approved the new budget for schools and hospitals on Monday afternoon."
    with pytest.raises(InputError, match="not Vietnamese") as error:
        check_article(english)
    assert error.value.code == "not_vietnamese"
    assert check_article(english, allow_any_language=True) == english


def test_language_detection_is_deterministic(sample_article: str) -> None:
    first = detect_language(sample_article)
    assert first.language == "vi" and first.probability > 0.9
    mixed = "Hello xin chào OK"
    assert len({detect_language(mixed) for _ in range(10)}) == 1
    assert detect_language("The weather is nice today in London.").language == "en"
    assert detect_language("1234 !!").language == "und"


ENGLISH_SENTENCES = [
    "The city council approved the new budget for schools and hospitals on Monday afternoon.",
    "Officials said the bridge would reopen next month after repairs to its main span.",
    "Prime Minister Phạm Minh Chính met investors in Hà Nội to discuss the new rail line.",
    "Exports of rice and coffee rose sharply in the first quarter, the ministry reported.",
    "Heavy rain flooded several districts of Đà Nẵng, and thousands of people were moved to safety.",
    "The company plans to hire two thousand workers at its factory in Bắc Ninh province.",
]


def test_only_vietnamese_text_skips_language_detection(sample_article: str) -> None:
    """The shortcut past langdetect fires only where langdetect itself answers Vietnamese: over English
    and Vietnamese sentences mixed in every proportion and order, never on a text it would refuse."""
    import random

    vietnamese = split_sentences(sample_article)
    shuffle = random.Random(0)
    fired = 0
    for _ in range(300):
        parts = shuffle.choices(ENGLISH_SENTENCES, k=shuffle.randint(0, 12)) + shuffle.sample(
            vietnamese, k=shuffle.randint(0, min(6, len(vietnamese)))
        )
        if shuffle.random() < 0.5:
            shuffle.shuffle(parts)
        text = " ".join(parts)
        if text and surely_vietnamese(text):
            fired += 1
            assert detect_language(text).language == "vi", text
    assert fired > 50  # the shortcut does fire on mostly Vietnamese text
    assert surely_vietnamese(sample_article)
    assert not surely_vietnamese(" ".join(ENGLISH_SENTENCES))  # English naming Vietnamese places
    with pytest.raises(InputError, match="not Vietnamese"):
        check_article(" ".join(ENGLISH_SENTENCES))


@pytest.mark.parametrize(
    "text",
    ["Giá vàng tăng", "Tokyo 東京 と 大阪", "ª º and ² ½", "Ελληνικά και Latin", "Привет, Hà Nội", "x" * 5000 + "東京"],
)
def test_latin_share_fast_path_matches_the_letter_by_letter_count(text: str) -> None:
    """Every letter the fast path takes for Latin is one by its Unicode name, and shares agree."""
    import sys

    from tomtat.models.text import _NON_LATIN_LETTER, script_of

    if text == "Giá vàng tăng":  # once: the whole of Unicode
        taken = (chr(i) for i in range(sys.maxunicode + 1) if not _NON_LATIN_LETTER.match(chr(i)))
        assert not [c for c in taken if c.isalpha() and script_of(c) != "LATIN"]
    counts = letters_by_script(text, 4000)
    slow = counts.get("LATIN", 0) / sum(counts.values()) if counts else 1.0
    assert latin_share(text) == slow


def test_unknown_model_and_missing_checkpoint(no_checkpoints: Path) -> None:
    with pytest.raises(UnknownModelError):
        load_model("no-such-model")
    with pytest.raises(CheckpointNotFoundError) as error:
        load_model("vit5-base-vietnews")
    message = str(error.value)
    assert "tomtat fetch vit5-base-vietnews" in message and str(no_checkpoints) in message
    with pytest.raises(CheckpointNotFoundError, match="does not exist"):
        load_model("/no/such/dir")


def test_broken_checkpoint_names_the_file(model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "vit5-base-vietnews"
    shutil.copytree(model_dir / "vit5-base-vietnews", broken)
    (broken / "spiece.model").unlink()
    with pytest.raises(BrokenCheckpointError, match=r"spiece\.model"):
        load_model(str(broken))
    (broken / "model.safetensors").unlink()
    with pytest.raises(BrokenCheckpointError, match="no weights"):
        load_model(str(broken))


def test_checkpoint_dir_lookup_by_name(model_dir: Path) -> None:
    located = locate("envit5", model_dir)
    assert located.directory == model_dir / "envit5" and located.checkpoint.name == "envit5"


def test_auto_engine_falls_back_to_extractive_and_says_so(no_checkpoints: Path, sample_article: str) -> None:
    summarizer, note = choose_summarizer("auto")
    assert summarizer.engine == "extractive" and note and "tomtat fetch" in note
    with pytest.raises(CheckpointNotFoundError):
        choose_summarizer("abstractive")
    with pytest.raises(CheckpointNotFoundError):
        choose_summarizer("auto", "vit5-large-vietnews")  # a named model never falls back silently


def test_auto_engine_prefers_abstractive(model_dir: Path) -> None:
    summarizer, note = choose_summarizer("auto", checkpoint_dir=model_dir)
    assert summarizer.engine == "abstractive" and summarizer.name == "vit5-base-vietnews"
    assert not note


def test_lead_engine_keeps_the_sentences_asked_for(sample_article: str) -> None:
    one, _ = choose_summarizer("lead3", sentences=1)
    two, _ = choose_summarizer("lead3", sentences=2)
    (first,) = one.summarize([sample_article])
    (second,) = two.summarize([sample_article])
    assert first.model == "lead1" and second.model == "lead2"
    assert second.summary.startswith(first.summary) and len(second.summary) > len(first.summary)


def test_extractive_picks_article_sentences_in_order(sample_article: str) -> None:
    chosen, method = select_sentences(sample_article, max_sentences=3, max_words=None)
    sentences = [s for p in sentences_by_paragraph(sample_article) for s in p]
    assert method == "textrank" and len(chosen) == 3
    positions = [sentences.index(s) for s in chosen]
    assert positions == sorted(positions)
    assert sentences[0] not in chosen  # the title line (no final punctuation) is not a summary sentence
    (summary,) = ExtractiveSummarizer(max_sentences=2).summarize([sample_article])
    assert summary.engine == "extractive" and summary.summary == " ".join(select_sentences(sample_article, 2)[0])
    budgeted, _ = select_sentences(sample_article, max_sentences=3, max_words=45)
    assert 1 <= len(budgeted) < 3 and set(budgeted) <= set(sentences)
    assert sum(len(s.split()) for s in budgeted) <= 45 or len(budgeted) == 1


def test_extractive_falls_back_to_lead_on_short_text() -> None:
    text = "Giá vàng hôm nay tăng mạnh ở Hà Nội. Người dân đổ xô đi mua vàng miếng."
    assert select_sentences(text, 3) == (lead(text, 3), "lead")
    assert lead(text, 1) == ["Giá vàng hôm nay tăng mạnh ở Hà Nội."]


def test_translator_errors(loaded) -> None:
    translator = Translator([loaded("opus-mt-vi-en")])
    with pytest.raises(UnsupportedTaskError, match="en->vi"):
        translator.translate(["The bridge opened today."], source="en", target="vi")
    with pytest.raises(InputError) as error:
        translator.translate(["Xin chào"], source="vi", target="fr")
    assert error.value.field == "target"
    with pytest.raises(InputError):
        translator.translate(["   "], source="vi", target="en")
    (same,) = translator.translate(["Xin chào các bạn."], source="vi", target="vi")
    assert same.translation == "Xin chào các bạn." and same.model == "identity"
