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

pytestmark = pytest.mark.slow  # not in the fast tier: pytest -m "" runs it

libretranslatepy = pytest.importorskip("libretranslatepy", reason="libretranslatepy is in the dev extra")
libretranslate_aio = pytest.importorskip("libretranslate_aio", reason="libretranslate-aio is in the dev extra")
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
    store = KeyStore(data / "tomtat.db")
    _, secret = store.add("desk", requests_per_minute=1000, chars_per_minute=10_000_000)
    _, slow = store.add("slow", requests_per_minute=2, chars_per_minute=10_000_000)
    env = {
        **models_env(model_dir, "envit5"),
        "TOMTAT_DATA_DIR": str(data),
        "TOMTAT_REQUIRE_API_KEYS": "true",
        "TOMTAT_SUGGESTIONS": "true",
    }
    with running_server(env) as url:
        yield url, secret, slow


def test_libretranslatepy_translate_detect_languages(open_server: str) -> None:
    client = libretranslatepy.LibreTranslateAPI(open_server)
    assert client.translate(VI, "vi", "en") == native(open_server, VI, "vi", "en")
    assert client.translate(EN, "en", "vi") == native(open_server, EN, "en", "vi")
    assert client.translate(VI, "auto", "en") == native(open_server, VI, "auto", "en")
    assert client.detect(VI)[0]["language"] == "vi" and client.detect(EN)[0]["language"] == "en"
    languages = {entry["code"]: entry["targets"] for entry in client.languages()}  # a GET with a body
    assert languages == {"en": ["vi"], "vi": ["en"]}


def test_libretranslatepy_with_a_key(keyed_server: tuple[str, str, str]) -> None:
    url, secret, _ = keyed_server
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


def test_deep_translator_with_and_without_a_key(keyed_server: tuple[str, str, str]) -> None:
    from deep_translator import LibreTranslator
    from deep_translator.exceptions import AuthorizationException, ServerException

    url, secret, _ = keyed_server
    keyed = LibreTranslator(source="vi", target="en", api_key=secret, use_free_api=False, custom_url=url + "/")
    assert keyed.translate(VI) == native(url, VI, "vi", "en", {"Authorization": f"Bearer {secret}"})
    wrong = LibreTranslator(source="vi", target="en", api_key="wrong", use_free_api=False, custom_url=url + "/")
    with pytest.raises(AuthorizationException):  # 403, as LibreTranslate answers a wrong key
        wrong.translate(VI)
    missing = httpx.post(url + "/translate", params={"q": VI, "source": "vi", "target": "en"})
    assert missing.status_code == 400  # LibreTranslate: a required key that is missing
    assert missing.json() == {"error": "Please contact the server operator to get an API key"}
    french = LibreTranslator(source="vi", target="fr", api_key=secret, use_free_api=False, custom_url=url + "/")
    with pytest.raises(ServerException):  # the server's 400 "fr is not supported"
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
    assert errors[2][0].json() == {"error": "fr is not supported"}  # LibreTranslate's words, which its tests read
    zz = httpx.post(url + "/translate", json={"q": VI, "source": "zz", "target": "en"})
    assert (zz.status_code, zz.json()) == (400, {"error": "zz is not supported"})
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


PARAGRAPHS = ["Giá vàng trong nước tăng mạnh trong phiên sáng nay.", "Người dân đổ xô đi mua vàng tại các cửa hàng."]


def _docx(paragraphs: list[str]) -> bytes:
    import io

    import docx

    document = docx.Document()
    for text in paragraphs:
        paragraph = document.add_paragraph()
        first, _, rest = text.partition(" ")
        paragraph.add_run(first + " ").bold = True  # a formatting run inside the sentence
        paragraph.add_run(rest)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_texts(data: bytes) -> list[tuple[str, int]]:
    import io

    import docx

    return [(p.text, len(p.runs)) for p in docx.Document(io.BytesIO(data)).paragraphs]


def _pptx(paragraphs: list[str]) -> bytes:
    import io

    import pptx

    presentation = pptx.Presentation()
    for text in paragraphs:
        slide = presentation.slides.add_slide(presentation.slide_layouts[5])
        slide.shapes.title.text = text
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


def _pptx_texts(data: bytes) -> list[str]:
    import io

    import pptx

    return [s.shapes.title.text for s in pptx.Presentation(io.BytesIO(data)).slides]


def _odt(paragraphs: list[str]) -> bytes:
    import io

    from odf import opendocument, text

    document = opendocument.OpenDocumentText()
    for sentence in paragraphs:
        paragraph = text.P()
        first, _, rest = sentence.partition(" ")
        paragraph.addElement(text.Span(text=first + " "))
        paragraph.addText(rest)
        document.text.addElement(paragraph)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _odt_texts(data: bytes) -> list[str]:
    import io

    from odf import opendocument, teletype, text

    return [teletype.extractText(p) for p in opendocument.load(io.BytesIO(data)).getElementsByType(text.P)]


def _srt(paragraphs: list[str]) -> bytes:
    import datetime

    import srt

    cues = [
        srt.Subtitle(i + 1, datetime.timedelta(seconds=2 * i), datetime.timedelta(seconds=2 * i + 1), line)
        for i, line in enumerate(paragraphs)
    ]
    return srt.compose(cues).encode()


def _srt_texts(data: bytes) -> list[str]:
    import srt

    return [cue.content for cue in srt.parse(data.decode())]


def _translated_file(url: str, name: str, data: bytes) -> bytes:
    sent = httpx.post(
        url + "/translate_file", files={"file": (name, data)}, data={"source": "vi", "target": "en"}, timeout=120
    )
    assert sent.status_code == 200, sent.text
    link = sent.json()["translatedFileUrl"]
    assert link.startswith(url + "/download_file/") and name.rsplit(".", 1)[0] in link
    fetched = httpx.get(link, timeout=60)
    assert fetched.status_code == 200, fetched.text
    return fetched.content


@pytest.mark.parametrize(
    ("name", "build", "read"),
    [
        ("tin.docx", _docx, lambda d: [t for t, _ in _docx_texts(d)]),
        ("tin.pptx", _pptx, _pptx_texts),
        ("tin.odt", _odt, _odt_texts),
        ("tin.srt", _srt, _srt_texts),
        ("tin.txt", lambda ps: "\n\n".join(ps).encode(), lambda d: [x for x in d.decode().split("\n") if x]),
        ("tin.html", lambda ps: "".join(f"<p>{p}</p>" for p in ps).encode(), None),
    ],
)
def test_translate_file_keeps_the_document(open_server: str, loaded, name, build, read) -> None:
    from tomtat.models.translator import Translator

    expected = [t.translation for t in Translator([loaded("envit5")]).translate(PARAGRAPHS, "vi", "en")]
    translated = _translated_file(open_server, name, build(PARAGRAPHS))
    if read is None:  # html: the markup kept, each paragraph translated
        assert translated.decode() == "".join(f"<p>{t}</p>" for t in expected)
        return
    texts = read(translated)
    assert len(texts) == len(PARAGRAPHS)  # as many paragraphs / slides / cues as sent
    assert [" ".join(t.split()) for t in texts] == expected
    if name.endswith(".docx"):
        assert [runs for _, runs in _docx_texts(translated)] == [2, 2]  # the bold run is still there


def test_translate_file_errors(open_server: str) -> None:
    url = open_server
    cases = [
        ({"file": ("a.pdf", b"%PDF-1.4")}, {"source": "vi", "target": "en"}, "file format not supported"),
        ({"file": ("a.txt", b"")}, {"source": "vi", "target": "en"}, "empty file"),
        ({"file": ("a.docx", b"not a zip")}, {"source": "vi", "target": "en"}, "could not be read as .docx"),
        ({"file": ("a.txt", b"x")}, {"source": "vi", "target": "fr"}, "not supported"),
        (None, {"source": "vi", "target": "en"}, "missing file"),
    ]
    for files, data, message in cases:
        response = httpx.post(url + "/translate_file", files=files, data=data)
        assert response.status_code == 400 and message in response.json()["error"], response.text
    for name in ("0" * 32 + ".x-en.txt", "..%2F..%2Fetc%2Fpasswd", "tomtat.db"):
        missing = httpx.get(url + "/download_file/" + name)
        assert missing.status_code == 404 and set(missing.json()) == {"error"}


def test_suggestions_are_stored_and_exported(model_dir: Path, tmp_path: Path, open_server: str) -> None:
    import json
    import subprocess
    import sys

    off = httpx.post(open_server + "/suggest", json={"q": VI, "s": EN, "source": "vi", "target": "en"})
    assert off.status_code == 403 and off.json() == {"error": "Suggestions are disabled on this server."}
    env = {**models_env(model_dir, "envit5"), "TOMTAT_DATA_DIR": str(tmp_path), "TOMTAT_SUGGESTIONS": "true"}
    with running_server(env) as url:
        assert httpx.get(url + "/frontend/settings").json()["suggestions"] is True
        assert httpx.post(url + "/suggest", json={"q": VI, "s": EN, "source": "vi", "target": "en"}).json() == {
            "success": True
        }
        second = {"q": "Hà Nội mưa to.", "s": "Heavy rain\tin Hanoi.", "source": "vi", "target": "en"}
        assert httpx.post(url + "/suggest", data=second).status_code == 200  # a form, as LibreTranslate's page sends
        missing = httpx.post(url + "/suggest", json={"q": VI, "source": "vi", "target": "en"})
        assert missing.status_code == 400 and missing.json() == {"error": "Invalid request: missing s parameter"}
    command = [sys.executable, "-m", "tomtat", "suggestions", "export", "--data-dir", str(tmp_path)]
    tsv = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert tsv.stdout.splitlines() == [
        f"vi\ten\t{VI}\t{EN}",
        "vi\ten\tHà Nội mưa to.\tHeavy rain in Hanoi.",
    ]  # a tab in a text
    jsonl = subprocess.run([*command, "--format", "jsonl"], capture_output=True, text=True, timeout=120, check=True)
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [(r["original"], r["suggestion"]) for r in rows] == [(VI, EN), ("Hà Nội mưa to.", "Heavy rain\tin Hanoi.")]


def test_libretranslate_aio_every_call_and_its_typed_errors(
    keyed_server: tuple[str, str, str], loaded, tmp_path
) -> None:
    from libretranslate_aio import LibreTranslate
    from libretranslate_aio.exceptions import ForbiddenError, RateLimitError

    from tomtat.models.translator import Translator

    url, secret, slow = keyed_server
    bearer = {"Authorization": f"Bearer {secret}"}
    translator = Translator([loaded("envit5")])
    with LibreTranslate(url, api_key=secret, timeout=120) as client:
        assert client.translate(VI, "vi", "en").translated_text == native(url, VI, "vi", "en", bearer)
        batch = client.translate([VI, EN], "auto", "en")
        assert batch.translated_text == [native(url, VI, "vi", "en", bearer), EN]
        assert [d.language for d in batch.detected_language] == ["vi", "en"]
        several = translator.translate([VI], "vi", "en", {"num_return_sequences": 3})[0]
        with_alternatives = client.translate(VI, "vi", "en", alternatives=2)
        assert with_alternatives.translated_text == several.translation
        assert with_alternatives.alternatives == several.alternatives[:2]
        page = "<p>Sáng nay, <b>giá vàng</b> tăng mạnh.</p>"
        assert client.translate(page, "vi", "en", format="html").translated_text.count("<b>") == 1
        assert client.detect(VI)[0].language == "vi"
        assert {language.code for language in client.languages()} == {"vi", "en"}
        settings = client.frontend_settings()
        assert settings.key_required and settings.suggestions and ".docx" in settings.supported_files_format
        assert client.health() is True
        assert client.suggest(VI, EN, "vi", "en") is True
        path = tmp_path / "tin.txt"
        path.write_text(VI, encoding="utf-8")
        link = client.translate_file(path, "vi", "en").translated_file_url
        assert httpx.get(link).text == native(url, VI, "vi", "en", bearer)
    with LibreTranslate(url, api_key="wrong") as client, pytest.raises(ForbiddenError):
        client.translate(VI, "vi", "en")
    with LibreTranslate(url, api_key=slow) as client, pytest.raises(RateLimitError):
        for _ in range(3):  # this key may make 2 requests a minute
            client.detect(VI)
