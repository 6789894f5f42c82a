"""Hostile inputs against a real ``tomtat serve``, access control, and broken checkpoints."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import client_for, models_env, running_server
from tests.test_cli import COMMAND

pytestmark = pytest.mark.slow  # not in the fast tier: pytest -m "" runs it

OK = "Người dân phấn khởi khi con đường mới được đưa vào sử dụng."
JSON = {"content-type": "application/json"}


def deep(n: int) -> str:
    return '{"text": ' + "[" * n + "]" * n + "}"


# (method, path, request kwargs, field the error must name or None)
HOSTILE: list[tuple[str, str, dict, str | None]] = [
    ("POST", "/v1/summarize", {"json": {"text": ""}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": " \n\t "}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "\u200b\u200b\ufeff"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "\x00\x00\x01\x02"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "😀😀😀 🎉🎉"}}, "text"),
    # told it is plain text, markup is refused (format "auto", the default, reads it as HTML: see
    # tests/test_newsroom_html.py)
    ("POST", "/v1/summarize", {"json": {"text": "<script>alert('x')</script> " + OK, "format": "text"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "<div><p>" + OK + "</p></div>", "format": "text"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "مرحبا بالعالم هذا نص عربي طويل بما يكفي للكشف عن اللغة"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "שלום עולם זהו טקסט בעברית ארוך מספיק"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "The council approved the new budget for schools on Monday."}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": "这是一篇关于经济发展的中文新闻文章内容"}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": 123}}, "text"),
    ("POST", "/v1/summarize", {"json": {"text": None}}, None),
    ("POST", "/v1/summarize", {"json": {"text": ["a"]}}, "text"),
    ("POST", "/v1/summarize", {"json": {"texts": {"a": 1}}}, "texts"),
    ("POST", "/v1/summarize", {"json": {"texts": [None]}}, "texts[0]"),
    ("POST", "/v1/summarize", {"json": {"texts": [{"id": 5, "text": OK}]}}, "texts[0]"),
    ("POST", "/v1/summarize", {"json": {"texts": [{"text": OK, "extra": 1}]}}, "texts[0]"),
    ("POST", "/v1/summarize", {"json": {"texts": [OK] * 65}}, "texts"),
    ("POST", "/v1/summarize", {"json": {"texts": []}}, "texts"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "unknown": True}}, "unknown"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "model": "no-such-model"}}, "model"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "model": "../../etc/passwd"}}, "model"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "engine": "gpt"}}, "engine"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "model": "envit5"}}, "model"),  # a translator (fuzzing found a 503)
    ("POST", "/v1/summarize", {"json": {"text": OK, "sentences": "3"}}, "sentences"),  # "3" is not a number
    ("POST", "/v1/summarize", {"json": {"text": OK, "options": {"num_beams": -1}}}, "options.num_beams"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "options": {"num_beams": 10**6}}}, "options.num_beams"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "options": {"max_length": -5}}}, "options.max_length"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "options": {"max_length": 10**12}}}, "options.max_length"),
    (
        "POST",
        "/v1/summarize",
        {"json": {"text": OK, "options": {"repetition_penalty": -1.0}}},
        "options.repetition_penalty",
    ),
    (
        "POST",
        "/v1/summarize",
        {"json": {"text": OK, "options": {"no_repeat_ngram_size": 99}}},
        "options.no_repeat_ngram_size",
    ),
    ("POST", "/v1/summarize", {"json": {"text": OK, "options": "fast"}}, "options"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "translate_to": True}}, "translate_to"),
    ("POST", "/v1/summarize", {"json": {"text": OK, "sentences": 0}}, "sentences"),
    ("POST", "/v1/summarize", {"json": {"text": "Giá " * 30000}}, "text"),
    ("POST", "/v1/summarize", {"json": [OK]}, None),
    ("POST", "/v1/summarize", {"content": b'{"text": "\xff\xfe\xfa"}', "headers": JSON}, None),
    ("POST", "/v1/summarize", {"content": b'{"text": ', "headers": JSON}, None),
    ("POST", "/v1/summarize", {"content": deep(5000).encode(), "headers": JSON}, None),
    ("POST", "/v1/summarize", {"content": b'{"text": "ab\\ud800cd"}', "headers": JSON}, "text"),
    ("POST", "/v1/summarize", {"content": b'{"text": "x", "k\\udc80": 1}', "headers": JSON}, None),
    ("POST", "/v1/summarize", {"content": OK.encode(), "headers": {"content-type": "text/plain"}}, None),
    ("POST", "/v1/summarize", {"content": b"x" * 10_000_000, "headers": JSON}, None),
    ("GET", "/v1/summarize", {}, None),
    ("POST", "/v1/translate", {"json": {"text": OK, "target": "fr"}}, "target"),
    ("POST", "/v1/translate", {"json": {"text": OK, "source": "xx"}}, "source"),
    # French is translated from the likelier of vi/en (as LibreTranslate chooses among its languages);
    # a text without letters has no language to detect
    ("POST", "/v1/translate", {"json": {"text": "1234 5678 -- 90%"}}, "text"),
    ("POST", "/v1/translate", {"json": {"text": ""}}, "text"),  # in "texts", an empty one gets its own error slot
    ("POST", "/v1/detect", {"json": {"texts": [1, 2]}}, "texts[0]"),
    ("POST", "/translate", {"json": {"source": "vi", "target": "en"}}, None),
    ("POST", "/translate", {"json": {"q": 5, "source": "vi", "target": "en"}}, None),
    ("POST", "/translate", {"json": {"q": "x", "source": "vi", "target": "de"}}, None),
    ("POST", "/translate", {"json": {"q": "x", "source": "vi", "target": "en", "format": "markdown"}}, None),
    ("POST", "/translate", {"content": b"[1, 2]", "headers": JSON}, None),
    ("POST", "/translate", {"json": {"q": "x", "source": "vi", "target": "en", "api_key": ["k"]}}, None),
    ("POST", "/translate", {"content": b"q=x", "headers": {"content-type": "application/xml"}}, None),
    ("POST", "/detect", {"data": {}}, None),
    ("POST", "/v1/jobs", {"json": {"documents": []}}, "documents"),
    ("POST", "/v1/jobs", {"json": {"documents": [OK], "engine": "x"}}, "engine"),
    ("GET", "/v1/jobs/%00%ff", {}, "job_id"),
    ("DELETE", "/v1/jobs/unknown", {}, "job_id"),
]


def test_hostile_corpus_gets_4xx_json_and_server_stays_healthy(model_dir: Path) -> None:
    assert len(HOSTILE) >= 50
    with (
        running_server(models_env(model_dir, "vit5-base-vietnews", "envit5")) as url,
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        for method, path, kwargs, field in HOSTILE:
            response = client.request(method, path, **kwargs)
            assert 400 <= response.status_code < 500, (path, kwargs.get("json"), response.status_code, response.text)
            body = response.json()
            assert "error" in body, body
            if path.startswith("/v1"):
                assert body["error"]["code"] and body["error"]["message"]
                if field is not None:
                    assert body["error"]["field"] == field, (kwargs, body)
        not_allowed = client.request("OPTIONS", "/v1/jobs/some-id")
        assert not_allowed.status_code == 405
        assert set(not_allowed.headers["allow"].split(", ")) == {"DELETE", "GET", "HEAD"}  # every route of the path
        assert client.get("/healthz").json() == {"status": "ok"}
        good = client.post("/v1/summarize", json={"text": OK})
        assert good.status_code == 200 and good.json()["results"][0]["summary"]
        metrics = client.get("/metrics").text
        assert 'status="500"' not in metrics


def test_api_keys_limits_and_metrics_token(model_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    add = subprocess.run(
        [*COMMAND, "keys", "add", "newsroom", "--rpm", "3", "--chars-per-minute", "2000", "--data-dir", str(data)],
        capture_output=True,
        timeout=60,
        check=True,
    )
    secret = add.stdout.decode().strip()
    assert secret.startswith("tt_")
    listed = subprocess.run([*COMMAND, "keys", "list", "--data-dir", str(data)], capture_output=True, check=True)
    assert "newsroom" in listed.stdout.decode() and secret not in listed.stdout.decode()
    assert secret.encode() not in (data / "tomtat.db").read_bytes()  # stored hashed
    with client_for(
        checkpoint_dir=model_dir,
        models=["vit5-base-vietnews", "envit5"],
        data_dir=data,
        require_api_keys=True,
        metrics_token="m-token",
        cors_origins=["https://cms.example"],
    ) as client:
        assert client.post("/v1/summarize", json={"text": OK}).status_code == 401
        bad = client.post("/v1/summarize", json={"text": OK}, headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthorized"
        auth = {"Authorization": f"Bearer {secret}"}
        assert client.post("/v1/summarize", json={"text": OK}, headers=auth).status_code == 200
        lt = client.post("/translate", json={"q": OK, "source": "vi", "target": "en", "api_key": secret})
        assert lt.status_code == 200 and lt.json()["translatedText"]
        too_long = client.post("/v1/summarize", json={"text": OK * 40}, headers=auth)
        assert too_long.status_code == 429 and "characters" in too_long.json()["error"]["message"]
        client.post("/v1/detect", json={"text": OK}, headers=auth)
        limited = client.post("/v1/summarize", json={"text": OK}, headers=auth)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer m-token"}).status_code == 200
        assert client.get("/healthz").status_code == 200  # probes stay open
        cors = client.options(
            "/v1/summarize", headers={"Origin": "https://cms.example", "Access-Control-Request-Method": "POST"}
        )
        assert cors.headers.get("access-control-allow-origin") == "https://cms.example"
        evil = client.options(
            "/v1/summarize", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert evil.headers.get("access-control-allow-origin") is None
    removed = subprocess.run([*COMMAND, "keys", "remove", "newsroom", "--data-dir", str(data)], capture_output=True)
    assert removed.returncode == 0
    assert (
        "newsroom"
        not in subprocess.run([*COMMAND, "keys", "list", "--data-dir", str(data)], capture_output=True).stdout.decode()
    )


def test_cors_closed_by_default(model_dir: Path) -> None:
    with client_for(checkpoint_dir=model_dir / "none") as client:
        response = client.options(
            "/v1/summarize", headers={"Origin": "https://cms.example", "Access-Control-Request-Method": "POST"}
        )
        assert response.headers.get("access-control-allow-origin") is None


@pytest.mark.parametrize("damage", ["missing_spiece", "truncated_weights", "bad_config"])
def test_broken_checkpoint_is_not_ready_and_others_serve(model_dir: Path, tmp_path: Path, damage: str) -> None:
    root = tmp_path / "checkpoints"
    shutil.copytree(model_dir / "vit5-base-vietnews", root / "vit5-base-vietnews")
    broken = root / "envit5"
    shutil.copytree(model_dir / "envit5", broken)
    if damage == "missing_spiece":
        (broken / "spiece.model").unlink()
        expected = "spiece.model"
    elif damage == "truncated_weights":
        weights = broken / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:1000])
        expected = "model.safetensors"
    else:
        (broken / "config.json").write_text("{not json")
        expected = "config.json"
    with client_for(checkpoint_dir=root, models=["vit5-base-vietnews", "envit5"]) as client:
        states = {m["name"]: m for m in client.get("/v1/models").json()["models"]}
        assert states["envit5"]["state"] == "broken" and expected in states["envit5"]["detail"]
        assert states["vit5-base-vietnews"]["state"] == "ready"
        ready = client.get("/readyz").json()["capabilities"]
        assert not ready["translate:vi-en"]["ready"] and expected in ready["translate:vi-en"]["reason"]
        assert client.post("/v1/summarize", json={"text": OK}).json()["results"][0]["engine"] == "abstractive"
        assert client.post("/v1/translate", json={"text": OK}).status_code == 503


def test_keys_cli_errors(tmp_path: Path) -> None:
    result = subprocess.run([*COMMAND, "keys", "remove", "ghost", "--data-dir", str(tmp_path)], capture_output=True)
    assert result.returncode == 2 and "no key" in result.stderr.decode()


def test_a_body_that_stops_arriving_is_answered_408_and_streams_are_not_cut(tmp_path: Path) -> None:
    """A client that sends 60 bytes of a promised 10 kB and stalls gets 408 once the stall passes the
    setting, over a real socket; a request whose body came whole is not timed (its answer streams)."""
    import socket
    import time
    from urllib.parse import urlparse

    env = {"TOMTAT_CHECKPOINT_DIR": str(tmp_path / "none"), "TOMTAT_BODY_STALL_SECONDS": "1"}
    with running_server(env) as url:
        where = urlparse(url)
        with socket.create_connection((where.hostname, where.port), timeout=10) as stalled:
            stalled.sendall(
                b"POST /v1/summarize HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 10000\r\n\r\n" + b'{"text": "' + b"a" * 50
            )
            started = time.monotonic()
            answer = stalled.recv(4096).decode()
            waited = time.monotonic() - started
            while "body_timeout" not in answer and (more := stalled.recv(4096)):  # the body may come apart
                answer += more.decode()
        assert answer.startswith("HTTP/1.1 408") and "body_timeout" in answer, answer
        assert 0.9 <= waited < 8
        body = {"text": "Giá vàng tăng mạnh. Người dân mua vàng. Ngân hàng can thiệp.", "engine": "extractive"}
        with httpx.stream("POST", url + "/v1/summarize", json={**body, "stream": True}, timeout=30) as streamed:
            time.sleep(1.5)  # past the stall setting: the body was whole, nothing times out
            events = streamed.read().decode()
        assert streamed.status_code == 200 and "event: done" in events, events


def test_a_connection_whose_header_never_comes_is_closed(tmp_path: Path) -> None:
    """Half a request header, then nothing: the server closes the connection at the header deadline
    (uvicorn alone keeps it forever); a keep-alive client's next request within it is served."""
    import socket
    import time
    from urllib.parse import urlparse

    env = {"TOMTAT_CHECKPOINT_DIR": str(tmp_path / "none"), "TOMTAT_HEADER_TIMEOUT_SECONDS": "1"}
    with running_server(env) as url:
        where = urlparse(url)
        with socket.create_connection((where.hostname, where.port), timeout=15) as half_open:
            half_open.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # the header's end never sent
            started = time.monotonic()
            assert half_open.recv(100) == b""  # closed, not answered
            assert 0.9 <= time.monotonic() - started < 10
        with httpx.Client(base_url=url) as client:  # one connection, kept alive between requests
            assert client.get("/healthz").status_code == 200
            time.sleep(0.5)
            assert client.get("/healthz").status_code == 200
