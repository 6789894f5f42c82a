"""The HTTP API in-process (app factory + TestClient) with no checkpoints and with the tiny models."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service_helpers import client_for, metric
from tomtat.models.facts import check_summary, check_translation
from tomtat.models.summarizer import AbstractiveSummarizer, ExtractiveSummarizer
from tomtat.models.translator import Translator

ARTICLES = [
    "Người dân phấn khởi khi con đường mới được đưa vào sử dụng. Giá vàng trong nước tăng mạnh.",
    "Sáng 27/12/2022, UBND TP.HCM tổ chức hội nghị tổng kết công tác năm của Đảng bộ tỉnh.",
    "Bộ Y tế khuyến cáo người dân tiêm vắc-xin phòng bệnh cúm trước mùa đông.",
]


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory):
    empty = tmp_path_factory.mktemp("none")
    with client_for(checkpoint_dir=empty) as client:
        yield client


@pytest.fixture(scope="module")
def served(model_dir: Path):
    with client_for(checkpoint_dir=model_dir, models=["vit5-base-vietnews", "envit5"], max_wait_ms=20) as client:
        yield client


def test_embedded_default_summarizes_extractively(bare, sample_article: str) -> None:
    response = bare.post("/v1/summarize", json={"text": sample_article})
    assert response.status_code == 200
    body = response.json()
    (result,) = body["results"]
    assert result["engine"] == "extractive" and result["id"] == "0"
    assert result["summary"] == ExtractiveSummarizer().summarize([sample_article])[0].summary
    assert "tomtat fetch vit5-base-vietnews" in body["note"]


def test_a_server_with_cpu_workers_answers_as_one_without(bare, tmp_path: Path, sample_article: str) -> None:
    """TOMTAT_CPU_WORKERS=1: facts are checked in a worker process; the answer is the same, flags too."""
    body = {"texts": [sample_article, *ARTICLES], "engine": "extractive"}
    with client_for(checkpoint_dir=tmp_path, cpu_workers=1) as pooled:
        with_workers = pooled.post("/v1/summarize", json=body)
        assert pooled.app.state.gateway.cpu.workers == 1  # type: ignore[attr-defined]
    without = bare.post("/v1/summarize", json=body)

    def untimed(response) -> list[dict]:
        return [{k: v for k, v in result.items() if k != "timings"} for result in response.json()["results"]]

    assert with_workers.status_code == 200 and untimed(with_workers) == untimed(without)
    assert all(result["flags"] == [] for result in untimed(without))  # extractive: faithful by construction


def test_embedded_default_readyz_and_translation_503(bare) -> None:
    ready = bare.get("/readyz").json()
    assert ready["capabilities"]["summarize:extractive"]["ready"] is True
    assert not ready["capabilities"]["summarize:abstractive"]["ready"]
    assert "tomtat fetch envit5" in ready["capabilities"]["translate:vi-en"]["reason"]
    response = bare.post("/v1/translate", json={"text": "Xin chào các bạn."})
    # the model is missing, not loading: waiting will not bring it, so no Retry-After invites retries
    assert response.status_code == 503 and "Retry-After" not in response.headers
    assert "tomtat fetch envit5" in response.json()["error"]["message"]
    lt = bare.post("/translate", json={"q": "Xin chào", "source": "vi", "target": "en"})
    assert lt.status_code == 503 and "tomtat fetch envit5" in lt.json()["error"]
    both = bare.post("/v1/summarize", json={"text": ARTICLES[0], "translate_to": "en"})
    assert both.status_code == 503 and both.json()["error"]["field"] == "translate_to"
    assert bare.post("/v1/summarize", json={"text": ARTICLES[0], "engine": "abstractive"}).status_code == 503


def test_summaries_match_the_model_layer(served, loaded) -> None:
    response = served.post(
        "/v1/summarize", json={"texts": [{"id": "a", "text": ARTICLES[0]}, ARTICLES[1], {"text": ARTICLES[2]}]}
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    expected = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize(ARTICLES)
    assert [r["id"] for r in results] == ["a", "1", "2"]
    assert [r["summary"] for r in results] == [e.summary for e in expected]
    assert all(r["engine"] == "abstractive" and r["model"] == "vit5-base-vietnews" for r in results)
    assert [r["input_tokens"] for r in results] == [e.input_tokens for e in expected]
    assert [r["flags"] for r in results] == [
        [f.as_dict() for f in check_summary(a, e.summary)] for a, e in zip(ARTICLES, expected, strict=True)
    ]


def test_summary_with_english_in_one_call(served, loaded) -> None:
    response = served.post("/v1/summarize", json={"text": ARTICLES[1], "translate_to": "en"})
    assert response.status_code == 200, response.text
    (result,) = response.json()["results"]
    summary = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize([ARTICLES[1]])[0].summary
    english = Translator([loaded("envit5")]).translate([summary], "vi", "en")[0].translation
    assert result["summary"] == summary and result["summary_en"] == english and english
    assert result["flags_en"] == [f.as_dict() for f in check_summary(ARTICLES[1], english, "vi", "en")]


def test_decoding_overrides_reach_the_model(served) -> None:
    full = served.post("/v1/summarize", json={"text": ARTICLES[0]}).json()["results"][0]["summary"]
    short = served.post("/v1/summarize", json={"text": ARTICLES[0], "options": {"max_length": 3}})
    assert short.status_code == 200
    assert len(short.json()["results"][0]["summary"]) < len(full)


def test_translate_auto_detects_each_text(served, loaded) -> None:
    texts = ["Giá vàng trong nước tăng mạnh.", "Gold prices rose sharply in the morning session today."]
    response = served.post("/v1/translate", json={"texts": texts, "target": "en"})
    assert response.status_code == 200, response.text
    vi, en = response.json()["results"]
    assert vi["detected"]["language"] == "vi" and vi["source"] == "vi" and vi["model"] == "envit5"
    assert vi["translation"] == Translator([loaded("envit5")]).translate([texts[0]], "vi", "en")[0].translation
    assert vi["flags"] == [f.as_dict() for f in check_translation(texts[0], vi["translation"], "vi", "en")]
    assert en["flags"] == []  # already English: returned unchanged, nothing to check
    assert en["source"] == "en" and en["translation"] == texts[1] and en["model"] == "identity"
    to_vi = served.post("/v1/translate", json={"text": texts[1], "source": "en", "target": "vi"}).json()["results"][0]
    assert to_vi["translation"] == Translator([loaded("envit5")]).translate([texts[1]], "en", "vi")[0].translation


def test_detect_and_models(served) -> None:
    detect = served.post(
        "/v1/detect",
        json={"texts": ["Xin chào các bạn thân mến.", "The weather in London is cold and rainy this week."]},
    )
    assert [r["language"] for r in detect.json()["results"]] == ["vi", "en"]
    models = served.get("/v1/models").json()
    states = {m["name"]: m["state"] for m in models["models"]}
    assert states == {"vit5-base-vietnews": "ready", "envit5": "ready"}
    assert all(m["directory"] is None for m in models["models"])  # no server paths unless the operator asks
    assert models["engines"] == ["extractive", "vit5-base-vietnews"]


@pytest.mark.slow  # not in the fast tier
def test_libretranslate_shapes(served, loaded) -> None:
    translator = Translator([loaded("envit5")])
    one = served.post("/translate", json={"q": "Giá vàng tăng mạnh.", "source": "vi", "target": "en", "format": "text"})
    assert one.json() == {"translatedText": translator.translate(["Giá vàng tăng mạnh."], "vi", "en")[0].translation}
    many = served.post(
        "/translate", json={"q": ["Giá vàng tăng mạnh.", "Người dân phấn khởi."], "source": "auto", "target": "en"}
    ).json()
    assert isinstance(many["translatedText"], list) and len(many["translatedText"]) == 2
    assert [d["language"] for d in many["detectedLanguage"]] == ["vi", "vi"]
    assert all(0 < d["confidence"] <= 100 for d in many["detectedLanguage"])
    form = served.post("/translate", data={"q": "Giá vàng tăng mạnh.", "source": "vi", "target": "en"})
    assert form.json() == one.json()
    single_auto = served.post("/translate", json={"q": "Giá vàng tăng mạnh.", "source": "auto", "target": "en"}).json()
    assert single_auto["detectedLanguage"]["language"] == "vi"
    detect = served.post("/detect", data={"q": "Xin chào các bạn thân mến."}).json()
    assert detect[0]["language"] == "vi" and detect[0]["confidence"] > 50
    languages = {x["code"]: x["targets"] for x in served.get("/languages").json()}
    assert languages == {"en": ["vi"], "vi": ["en"]}
    missing = served.post("/translate", json={"source": "vi", "target": "en"})
    assert missing.status_code == 400 and "q" in missing.json()["error"]
    bad_lang = served.post("/translate", json={"q": "x", "source": "vi", "target": "fr"})
    assert bad_lang.status_code == 400 and "fr" in bad_lang.json()["error"]


def test_metrics_count_requests_batches_and_tokens(served) -> None:
    served.post("/v1/summarize", json={"text": ARTICLES[2]})
    text = served.get("/metrics").text
    assert metric(text, "tomtat_requests_total", endpoint="/v1/summarize", status="200") >= 1
    assert metric(text, "tomtat_batches_total", worker="vit5-base-vietnews") >= 1
    assert metric(text, "tomtat_tokens_in_total", model="vit5-base-vietnews") > 0
    assert metric(text, "tomtat_model_load_seconds", model="envit5") > 0
    assert "tomtat_request_seconds_bucket" in text and "tomtat_queue_depth" in text


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({}, 422, None),
        ({"text": "a", "texts": ["b"]}, 422, None),
        ({"texts": "not a list"}, 422, "texts"),
        ({"texts": [123]}, 422, "texts[0]"),
        ({"texts": []}, 422, "texts"),
        ({"texts": ["Giá vàng tăng mạnh."] * 65}, 422, "texts"),
        ({"text": "Giá vàng " * 20000}, 422, "text"),
        ({"text": "  "}, 422, "text"),  # a lone text's error is the request's (in "texts": its slot)
        ({"text": "The council approved the new budget for schools and hospitals on Monday."}, 422, "text"),
        ({"text": "Giá vàng tăng mạnh.", "model": "gpt-9"}, 422, "model"),
        ({"text": "Giá vàng tăng mạnh.", "engine": "magic"}, 422, "engine"),
        ({"text": "Giá vàng tăng mạnh.", "options": {"num_beams": 0}}, 422, "options.num_beams"),
        ({"text": "Giá vàng tăng mạnh.", "options": {"max_length": 10**9}}, 422, "options.max_length"),
        ({"text": "Giá vàng tăng mạnh.", "colour": "red"}, 422, "colour"),
        ({"text": "Giá vàng tăng mạnh.", "translate_to": "fr"}, 422, "translate_to"),
    ],
)
def test_bad_summarize_requests(served, payload, status, field) -> None:
    response = served.post("/v1/summarize", json=payload)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["field"] == field and error["code"] and error["message"]


def test_bad_bodies(served) -> None:
    broken = served.post("/v1/summarize", content=b'{"text": ', headers={"content-type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_json"
    huge = served.post("/v1/translate", content=b"x" * 5_000_000, headers={"content-type": "application/json"})
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    assert served.get("/v1/nothing").status_code == 404
    assert served.get("/v1/summarize").json()["error"]["code"] == "method_not_allowed"
    # auto chooses among the languages tomtat translates (as LibreTranslate does): never a refusal for French
    french = served.post("/v1/translate", json={"text": "Bonjour tout le monde, comment allez-vous?"})
    assert french.status_code == 200 and french.json()["results"][0]["source"] in ("vi", "en")
    no_letters = served.post("/v1/translate", json={"text": "1234 5678"})
    assert no_letters.status_code == 422 and no_letters.json()["error"]["field"] == "text"
    assert served.get("/healthz").json() == {"status": "ok"}


def test_web_page_and_openapi(served) -> None:
    page = served.get("/")
    assert page.status_code == 200 and 'id="summarize"' in page.text and "viewport" in page.text
    paths = served.get("/openapi.json").json()["paths"]
    assert {"/v1/summarize", "/v1/translate", "/v1/detect", "/v1/models", "/translate"} <= set(paths)


def test_check_any_pair(bare) -> None:
    article = "Sáng 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù."
    response = bare.post("/v1/check", json={"source": article, "output": "Sáng 26/2, tòa phạt Hồ Xuân Huy 12 năm tù."})
    assert response.status_code == 200, response.text
    assert response.json()["flags"] == [
        {"kind": "date", "text": "Sáng 26/2", "start": 0, "end": 9, "reason": "changed", "source_match": "Sáng 25/2"}
    ]
    english = {"source": article, "output": "On Feb. 25, a Da Nang court sentenced Ho Xuan Huy to 12 years."}
    translated = bare.post("/v1/check", json={**english, "source_lang": "vi", "output_lang": "en"})
    assert translated.status_code == 200 and translated.json()["flags"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"source": "Hà Nội mưa.", "output": ""}, "output"),
        ({"source": "Hà Nội mưa.", "output": "x", "output_lang": "fr"}, "output_lang"),
        ({"source": "Hà Nội mưa."}, "output"),
        ({"source": "Hà Nội mưa.", "output": "x", "extra": 1}, "extra"),
        ({"source": "x" * 100_001, "output": "x"}, "source"),
    ],
)
def test_bad_check_requests(bare, payload, field) -> None:
    response = bare.post("/v1/check", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_a_text_that_cannot_be_processed_gets_its_error_in_its_slot_and_the_others_are_answered(served, loaded) -> None:
    english = "The council approved the new budget for schools and hospitals on Monday."
    texts = ["Giá vàng trong nước tăng mạnh trong phiên sáng nay.", "  ", english, "<p></p><div></div>"]
    response = served.post("/v1/summarize", json={"texts": texts, "format": "auto"})
    assert response.status_code == 200, response.text
    first, empty, other_language, no_article = response.json()["results"]
    assert first["id"] == "0" and first["summary"] and first["engine"] == "abstractive"
    assert (empty["id"], empty["error"]["code"], empty["error"]["field"]) == ("1", "empty_text", "texts[1]")
    assert other_language["error"]["code"] == "not_vietnamese" and "summary" not in other_language
    assert no_article["error"]["field"] == "texts[3]"
    alone = served.post("/v1/summarize", json={"texts": [texts[0]]}).json()["results"][0]
    assert alone["summary"] == first["summary"]  # its neighbours' errors did not change its answer

    translated = served.post(
        "/v1/translate", json={"texts": ["Xin chào các bạn.", "", "12345", english], "target": "vi"}
    )
    assert translated.status_code == 200, translated.text
    vi, empty_t, no_letters, en = translated.json()["results"]
    assert vi["source"] == "vi" and vi["model"] == "identity"  # already Vietnamese: returned as it is
    assert empty_t["error"]["code"] == "empty_text" and no_letters["error"]["code"] == "unsupported_language"
    assert en["source"] == "en" and en["model"] == "envit5"
    assert served.post("/v1/translate", json={"text": "12345", "target": "vi"}).status_code == 422


def test_auto_detection_answers_only_languages_tomtat_translates(served) -> None:
    ui = ["Hello.", "OK", "Sign in", "Settings", "Log out", "Save changes"]
    detected = served.post("/v1/detect", json={"texts": ui}).json()["results"]
    assert [d["language"] for d in detected] == ["en"] * len(ui)
    translated = served.post("/v1/translate", json={"texts": ui, "source": "auto", "target": "vi"}).json()["results"]
    assert all(t["source"] == "en" for t in translated)
