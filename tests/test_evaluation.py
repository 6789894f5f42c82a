"""ROUGE both ways, bootstrap intervals, sacreBLEU, and ``tomtat eval`` end to end."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.test_cli import COMMAND
from tomtat.models.evaluation import VietnameseTokenizer, bootstrap, detokenize, rouge_f1, translation_scores


def test_identical_strings_score_one() -> None:
    text = "Giá vàng trong nước tăng mạnh."
    for kind in ("paper", "vietnamese"):
        (scores,) = rouge_f1([text], [text], kind)
        assert scores == {"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0}


def test_diacritics_matter_only_in_the_vietnamese_tokenizer() -> None:
    # "mua" (to buy) vs "mưa" (rain), "bán" (sell) vs "bạn" (friend): different words
    prediction, reference = "tôi mua bán", "tôi mưa bạn"
    (vi,) = rouge_f1([prediction], [reference], "vietnamese")
    (paper,) = rouge_f1([prediction], [reference], "paper")
    assert vi["rouge1"] == pytest.approx(1 / 3)  # only "tôi" matches
    # the paper tokenizer keeps [a-z0-9] only: "tôi"->"t","i"; "mua"/"mưa"->"mua"/"m","a"; more spurious overlap
    assert paper["rouge1"] > vi["rouge1"]
    assert VietnameseTokenizer().tokenize("Hà Nội, TP.HCM!") == ["hà", "nội", "tp", "hcm"]


def test_hand_computed_rouge2_and_l() -> None:
    (scores,) = rouge_f1(["người dân vui mừng"], ["người dân rất vui mừng"], "vietnamese")
    # bigrams: pred {người dân, dân vui, vui mừng} vs ref {người dân, dân rất, rất vui, vui mừng}: 2 common
    assert scores["rouge2"] == pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))
    # LCS = 4 of 4 predicted and 4 of 5 reference words
    assert scores["rougeL"] == pytest.approx(2 * 1.0 * 0.8 / 1.8)


def test_bootstrap_interval_contains_the_mean() -> None:
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    interval = bootstrap(values, samples=500, seed=1)
    assert interval.mean == pytest.approx(0.35) and interval.low < 0.35 < interval.high
    assert bootstrap([0.5] * 10).low == 0.5


def test_detokenize_vietnews_spacing() -> None:
    assert detokenize("Ngày 25/2 , TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy ( SN 1994 ) .") == (
        "Ngày 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy (SN 1994)."
    )
    assert detokenize("Huy “ nổ ” là sĩ quan") == "Huy “nổ” là sĩ quan"


def test_sacrebleu_on_known_pairs() -> None:
    perfect = translation_scores(["the cat sat on the mat"], ["the cat sat on the mat"])
    assert perfect["bleu"] == 100.0 and perfect["chrf"] == 100.0
    partial = translation_scores(["the cat sat on a mat"], ["the cat sat on the mat"])
    assert 0 < partial["bleu"] < 100 and "nrefs:1" in partial["bleu_signature"]
    import sacrebleu

    assert partial["bleu"] == round(
        sacrebleu.corpus_bleu(["the cat sat on a mat"], [["the cat sat on the mat"]]).score, 2
    )


VIETNEWS = SHARED_DATA / "vietnews-test" / "articles.jsonl"
IWSLT = SHARED_DATA / "iwslt15-tst2013"


@pytest.mark.slow  # not in the fast tier
@pytest.mark.skipif(not VIETNEWS.exists(), reason="../shared/data is not present")
def test_eval_summarize_end_to_end(model_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.jsonl"
    result = subprocess.run(
        [
            *COMMAND,
            "eval",
            "summarize",
            "--data",
            str(VIETNEWS),
            "--limit",
            "10",
            "--model",
            str(model_dir / "vit5-base-vietnews"),
            "--output",
            str(out),
            "--json",
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    stdout = result.stdout.decode()
    assert "10 documents, engine abstractive" in stdout and "Vietnamese-aware" in stdout
    summary = json.loads(stdout.strip().splitlines()[-1])
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 10 and all(0 <= r["vietnamese"]["rougeL"] <= 1 for r in rows)
    mean = sum(r["vietnamese"]["rougeL"] for r in rows) / 10
    assert summary["scores"]["vietnamese"]["rougeL"]["mean"] == pytest.approx(mean)


@pytest.mark.slow  # not in the fast tier
@pytest.mark.skipif(not IWSLT.exists(), reason="../shared/data is not present")
def test_eval_translate_end_to_end(model_dir: Path) -> None:
    result = subprocess.run(
        [
            *COMMAND,
            "eval",
            "translate",
            "--src",
            str(IWSLT / "vi.txt"),
            "--ref",
            str(IWSLT / "en.txt"),
            "--limit",
            "10",
            "--model",
            str(model_dir / "envit5"),
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert "10 segments, vi->en" in result.stdout.decode() and "BLEU" in result.stdout.decode()
