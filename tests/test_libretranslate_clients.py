"""The LibreTranslate clients people use, unchanged, against a live ``tomtat serve`` (tiny models).

Each translation must equal what ``/v1/translate`` gives for the same input: the clients reach the
same models, not just "no error".
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.service_helpers import models_env, running_server
from tomtat.service.api.auth import KeyStore

libretranslatepy = pytest.importorskip("libretranslatepy", reason="libretranslatepy is in the dev extra")
deep_translator = pytest.importorskip("deep_translator", reason="deep-translator is in the dev extra")

VI = "Giá vàng trong nước tăng mạnh trong phiên sáng nay."
EN = "Gold prices rose sharply in the morning session today."


def native(url: str, text: str, source: str, target: str, headers: dict[str, str] | None = None) -> str:
    body = {"text": text, "source": source, "target": target}
    response = httpx.post(url + "/v1/translate", json=body, headers=headers or {}, timeout=60)
    assert response.status_code == 200, response.text
    return str(response.json()["results"][0]["translation"])


@pytest.fixture(scope="module")
def open_server(model_dir: Path):
    with running_server(models_env(model_dir, "envit5")) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_server(model_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("keys")
    _, secret = KeyStore(data / "tomtat.db").add("desk", requests_per_minute=1000, chars_per_minute=10_000_000)
    env = {**models_env(model_dir, "envit5"), "TOMTAT_DATA_DIR": str(data), "TOMTAT_REQUIRE_API_KEYS": "true"}
    with running_server(env) as url:
        yield url, secret


def test_libretranslatepy_translate_detect_languages(open_server: str) -> None:
    client = libretranslatepy.LibreTranslateAPI(open_server)
    assert client.translate(VI, "vi", "en") == native(open_server, VI, "vi", "en")
    assert client.translate(EN, "en", "vi") == native(open_server, EN, "en", "vi")
    assert client.translate(VI, "auto", "en") == native(open_server, VI, "auto", "en")
    assert client.detect(VI)[0]["language"] == "vi" and client.detect(EN)[0]["language"] == "en"
    languages = {entry["code"]: entry["targets"] for entry in client.languages()}  # a GET with a body
    assert languages == {"en": ["vi"], "vi": ["en"]}


def test_libretranslatepy_with_a_key(keyed_server: tuple[str, str]) -> None:
    url, secret = keyed_server
    client = libretranslatepy.LibreTranslateAPI(url, api_key=secret)
    assert client.translate(VI, "vi", "en") == native(url, VI, "vi", "en", {"Authorization": f"Bearer {secret}"})
    assert client.detect(VI)[0]["language"] == "vi"
    with pytest.raises(Exception, match="403"):  # urllib's HTTPError for LibreTranslate's "Invalid API key"
        libretranslatepy.LibreTranslateAPI(url, api_key="wrong").translate(VI, "vi", "en")


def test_deep_translator_translate_batch_and_file(open_server: str, tmp_path: Path) -> None:
    from deep_translator import LibreTranslator

    # deep-translator sends its fields in the query string with an empty body, and always some api_key
    # (a server without keys ignores it, as LibreTranslate does)
    translator = LibreTranslator(
        source="vi", target="en", api_key="unused", use_free_api=False, custom_url=open_server + "/"
    )
    assert translator.translate(VI) == native(open_server, VI, "vi", "en")
    second = "Người dân phấn khởi khi con đường mới được đưa vào sử dụng."
    assert translator.translate_batch([VI, second]) == [native(open_server, t, "vi", "en") for t in (VI, second)]
    path = tmp_path / "article.txt"
    path.write_text(second, encoding="utf-8")
    assert translator.translate_file(str(path)) == native(open_server, second, "vi", "en")


def test_deep_translator_with_and_without_a_key(keyed_server: tuple[str, str]) -> None:
    from deep_translator import LibreTranslator
    from deep_translator.exceptions import AuthorizationException, ServerException

    url, secret = keyed_server
    keyed = LibreTranslator(source="vi", target="en", api_key=secret, use_free_api=False, custom_url=url + "/")
    assert keyed.translate(VI) == native(url, VI, "vi", "en", {"Authorization": f"Bearer {secret}"})
    wrong = LibreTranslator(source="vi", target="en", api_key="wrong", use_free_api=False, custom_url=url + "/")
    with pytest.raises(AuthorizationException):  # 403, as LibreTranslate answers a wrong key
        wrong.translate(VI)
    missing = httpx.post(url + "/translate", params={"q": VI, "source": "vi", "target": "en"})
    assert missing.status_code == 400  # LibreTranslate: a required key that is missing
    assert missing.json() == {"error": "Please contact the server operator to get an API key"}
    french = LibreTranslator(source="vi", target="fr", api_key=secret, use_free_api=False, custom_url=url + "/")
    with pytest.raises(ServerException):  # the server's 400 "target language fr is not supported"
        french.translate(VI)


def test_libretranslate_surface_and_errors(open_server: str) -> None:
    url = open_server
    # fields in the query string, in a form, in JSON: the same answer
    by_query = httpx.post(url + "/translate", params={"q": VI, "source": "vi", "target": "en"}).json()
    by_form = httpx.post(url + "/translate", data={"q": VI, "source": "vi", "target": "en"}).json()
    by_json = httpx.post(url + "/translate", json={"q": VI, "source": "vi", "target": "en"}).json()
    assert by_query == by_form == by_json == {"translatedText": native(url, VI, "vi", "en")}
    # nothing to translate comes back unchanged
    for text in ("12345", "🙂🙂"):
        body = httpx.post(url + "/translate", json={"q": text, "source": "auto", "target": "en"}).json()
        assert body == {"translatedText": text, "detectedLanguage": {"confidence": 0.0, "language": "en"}}
    # /detect over an array: one list, most confident first
    detected = httpx.post(url + "/detect", json={"q": [VI, "Hà Nội hôm nay mưa to."]}).json()
    assert detected[0]["language"] == "vi" and detected == sorted(detected, key=lambda d: -d["confidence"])
    assert httpx.get(url + "/health").json() == {"status": "ok"}
    settings = httpx.get(url + "/frontend/settings").json()
    assert settings["charLimit"] == 100_000 and settings["keyRequired"] is False
    assert "/v1/translate" in httpx.get(url + "/spec").json()["paths"]
    errors = [
        (httpx.post(url + "/translate", json={"q": VI, "source": "vi", "target": "en", "alternatives": "x"}), 400),
        (httpx.post(url + "/translate", json={"q": VI, "source": "vi", "target": "en", "alternatives": 6}), 400),
        (httpx.post(url + "/translate", json={"q": VI, "source": "vi", "target": "fr"}), 400),
        (httpx.post(url + "/translate", content=b"q=x", headers={"content-type": "text/plain"}), 415),
        (httpx.get(url + "/translate"), 405),
        (httpx.post(url + "/translate", content=b"x" * 5_000_000, headers={"content-type": "application/json"}), 413),
    ]
    for response, status in errors:
        assert response.status_code == status, response.text
        assert (
            set(response.json()) == {"error"} and isinstance(response.json()["error"], str) and response.json()["error"]
        )


def test_browsers_get_cors_on_the_libretranslate_routes_only(open_server: str) -> None:
    url = open_server
    preflight = httpx.options(
        url + "/translate",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    answer = httpx.post(url + "/translate", json={"q": VI, "source": "vi", "target": "en"}, headers={"Origin": "x"})
    assert answer.headers["access-control-allow-origin"] == "*"
    native_api = httpx.post(url + "/v1/translate", json={"text": VI}, headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in native_api.headers  # /v1 stays closed by default


def test_alternatives_as_libretranslate_returns_them(open_server: str, loaded) -> None:
    from tomtat.models.translator import Translator

    expected = Translator([loaded("envit5")]).translate([VI], "vi", "en", {"num_return_sequences": 3})[0]
    single = httpx.post(open_server + "/translate", json={"q": VI, "source": "vi", "target": "en", "alternatives": 2})
    assert single.json() == {"translatedText": expected.translation, "alternatives": expected.alternatives[:2]}
    batch = httpx.post(
        open_server + "/translate", data={"q": [VI, VI], "source": "vi", "target": "en", "alternatives": "2"}
    ).json()
    assert batch["translatedText"] == [expected.translation] * 2
    assert batch["alternatives"] == [expected.alternatives[:2]] * 2


def test_html_format_keeps_the_markup(open_server: str, loaded) -> None:
    from tests.test_markup import PAGE, tags_of
    from tomtat.models.markup import translate_markup
    from tomtat.models.translator import Translator

    translator = Translator([loaded("envit5")])
    expected = translate_markup(PAGE, lambda texts: [t.translation for t in translator.translate(texts, "vi", "en")])
    for source in ("vi", "auto"):
        response = httpx.post(
            open_server + "/translate", json={"q": PAGE, "source": source, "target": "en", "format": "html"}, timeout=60
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["translatedText"] == expected and tags_of(body["translatedText"]) == tags_of(PAGE)
        if source == "auto":
            assert body["detectedLanguage"]["language"] == "vi"
