"""The project feeds each checkpoint exactly what its model card feeds it and cleans the answer as the card does.

References are the model cards' own code (transformers tokenizer + ``model.generate``) run on the tiny
look-alike checkpoints; the tiny models are taught to answer in each checkpoint's format, so the
answers are varied text, and envit5's carry the ``en: ``/``vi: `` prefix the project must strip.
tomtat also trims surrounding whitespace (a final lone "▁" piece decodes to a trailing space).
"""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from tomtat.models.registry import SUMMARIZE, translate_task
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.models.translator import Translator

VIETNAMESE = [
    "Người dân phấn khởi khi con đường mới được đưa vào sử dụng.",
    "Sáng 27/12/2022, UBND TP.HCM tổ chức hội nghị tổng kết; PGS.TS. Nguyễn Văn Minh và Đ/c Lan dự họp.",
    "Giá vàng trong nước tăng mạnh, vượt mốc 80 triệu đồng mỗi lượng (tăng 1.000 đồng)... "
    "Công trình có tổng vốn đầu tư hơn 1.200 tỷ đồng, được khởi công từ tháng 6/2022. "
    "Theo kế hoạch, từ ngày 1/4, thành phố sẽ tổ chức các hoạt động văn hóa vào cuối tuần.",
    "Dự án có tổng mức đầu tư gần 3.500 tỷ đồng, dự kiến hoàn thành vào năm 2026. " * 6,
]
ENGLISH = [
    "The city opened a new pedestrian bridge across the river on Friday morning.",
    "Gold prices rose sharply, passing 80 million dong per tael on 27/12/2022.",
]


def card(model_dir, name):
    directory = str(model_dir / name)
    return AutoTokenizer.from_pretrained(directory), AutoModelForSeq2SeqLM.from_pretrained(directory).eval()


def test_transformers5_doubles_the_eos_of_the_card_string(model_dir) -> None:
    """Why we never pass the card string through the tokenizer as is: transformers 5 adds a second eos."""
    tokenizer, _ = card(model_dir, "vit5-base-vietnews")
    ids = tokenizer(VIETNAMESE[0] + " </s>").input_ids
    assert ids[-2:] == [tokenizer.eos_token_id] * 2


@pytest.mark.parametrize(("name", "card_prefix"), [("vit5-base-vietnews", ""), ("vit5-large-vietnews", "vietnews: ")])
def test_vit5_summary_matches_model_card(model_dir, loaded, name: str, card_prefix: str) -> None:
    tokenizer, model = card(model_dir, name)
    ours = loaded(name)
    summaries = AbstractiveSummarizer(ours).summarize(VIETNAMESE)
    for text, summary in zip(VIETNAMESE, summaries, strict=True):
        text = " ".join(text.split())
        # the card: text = prefix + sentence + " </s>", written for the sentencepiece tokenizer that
        # did not add a second eos; add_special_tokens=False reproduces exactly that sequence
        encoding = tokenizer(card_prefix + text + " </s>", add_special_tokens=False, return_tensors="pt")
        expected_ids = encoding.input_ids[0].tolist()
        assert expected_ids.count(tokenizer.eos_token_id) == 1 and expected_ids[-1] == tokenizer.eos_token_id
        assert ours.input_ids(SUMMARIZE, text) == expected_ids
        with torch.inference_mode():
            outputs = model.generate(
                input_ids=encoding.input_ids,
                attention_mask=encoding.attention_mask,
                max_length=256,
                early_stopping=True,
            )
        expected = tokenizer.decode(outputs[0], skip_special_tokens=True, clean_up_tokenization_spaces=True)
        assert expected  # the taught model answers with text, so this comparison is not vacuous
        assert summary.summary == expected.strip()
        assert summary.engine == "abstractive" and summary.model == name and not summary.chunked
        assert summary.input_tokens == len(expected_ids) - 1 - len(ours.tokenizer.encode(card_prefix.strip()))


@pytest.mark.parametrize(("source", "target", "texts"), [("vi", "en", VIETNAMESE[:3]), ("en", "vi", ENGLISH)])
def test_envit5_translation_matches_model_card(model_dir, loaded, source, target, texts) -> None:
    tokenizer, model = card(model_dir, "envit5")
    ours = loaded("envit5")
    results = Translator([ours], segment_tokens=512).translate(texts, source=source, target=target)
    for text, result in zip(texts, results, strict=True):
        text = " ".join(text.split())
        # the card: inputs = [f"{source}: " + text]; tokenizer(...).input_ids; generate(max_length=512)
        encoding = tokenizer([f"{source}: " + text], return_tensors="pt", padding=True)
        assert ours.input_ids(translate_task(source, target), text) == encoding.input_ids[0].tolist()
        with torch.inference_mode():
            outputs = model.generate(encoding.input_ids, max_length=512)
        decoded = tokenizer.batch_decode(outputs, skip_special_tokens=True)[0]
        # the card shows answers like "en: VietAI is ..."; the project strips that prefix
        assert decoded.startswith(f"{target}: ")
        assert result.translation == decoded[len(f"{target}: ") :].strip()
        assert (result.source, result.target, result.model, result.segments) == (source, target, "envit5", 1)


def test_marian_translation_matches_reference(model_dir, loaded) -> None:
    tokenizer, model = card(model_dir, "opus-mt-vi-en")
    ours = loaded("opus-mt-vi-en")
    results = Translator([ours], segment_tokens=512).translate(VIETNAMESE[:3], source="vi", target="en")
    for text, result in zip(VIETNAMESE[:3], results, strict=True):
        text = " ".join(text.split())
        encoding = tokenizer([text], return_tensors="pt")
        assert ours.input_ids(translate_task("vi", "en"), text) == encoding.input_ids[0].tolist()
        with torch.inference_mode():
            outputs = model.generate(**encoding, num_beams=4, max_length=512)
        expected = tokenizer.batch_decode(outputs, skip_special_tokens=True)[0]
        assert expected and result.translation == expected.strip()


def test_decode_removes_special_tokens_like_transformers(model_dir, loaded) -> None:
    tokenizer, _ = card(model_dir, "envit5")
    ours = loaded("envit5").tokenizer
    ids = ours.encode("Giá vàng tăng mạnh.")
    noisy = [0, *ids[:3], 2, ids[3], 1, 0, 0, tokenizer.vocab_size - 1]
    assert ours.decode(noisy) == tokenizer.decode(noisy, skip_special_tokens=True)
    assert [*ours.encode("xin chào"), 1] == tokenizer("xin chào").input_ids
