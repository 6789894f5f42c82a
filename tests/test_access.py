"""Access control is a dependency of every API route, jobs belong to their key, and the metrics count
what the README says they count."""

from __future__ import annotations

from pathlib import Path

from tests.service_helpers import client_for, metric
from tomtat.service.api.auth import KeyStore

OK = "Giá vàng trong nước tăng mạnh trong phiên sáng nay. Người dân đổ xô đi mua vàng."
# the README's list of routes that stay open when keys are required
OPEN = {"/healthz", "/readyz", "/metrics", "/", "/docs", "/docs/oauth2-redirect", "/redoc", "/openapi.json"}
# open on LibreTranslate too: what a client or its web page asks before it has a key
OPEN |= {"/languages", "/health", "/frontend/settings", "/download_file/{filename}"}
# LibreTranslate's keyed routes answer as LibreTranslate does: 400 when the key is missing
LIBRETRANSLATE = {"/translate", "/detect", "/translate_file", "/suggest"}
# (and /static-offline-docs/*, the docs pages' own scripts and styles)


def _keys(data: Path) -> tuple[dict[str, str], dict[str, str]]:
    store = KeyStore(data / "tomtat.db")
    _, first = store.add("desk-a", requests_per_minute=1000, chars_per_minute=10_000_000)
    _, second = store.add("desk-b", requests_per_minute=1000, chars_per_minute=10_000_000)
    return {"Authorization": f"Bearer {first}"}, {"Authorization": f"Bearer {second}"}


def test_every_route_but_the_open_ones_needs_a_key(model_dir: Path, tmp_path: Path) -> None:
    with client_for(checkpoint_dir=model_dir, models=["envit5"], data_dir=tmp_path, require_api_keys=True) as client:
        paths = client.get("/openapi.json").json()["paths"]  # every route the server documents
        assert set(paths) >= {"/v1/models", "/languages", "/v1/jobs/{job_id}", "/translate", "/healthz"}
        for template, operations in paths.items():
            path = template.replace("{job_id}", "0" * 32)
            for method in operations:
                response = client.request(method.upper(), path)
                if template in OPEN:
                    assert response.status_code not in (400, 401, 403), (method, path)
                elif template in LIBRETRANSLATE:
                    assert response.status_code == 400, (method, path, response.status_code, response.text)
                    assert response.json() == {"error": "Please contact the server operator to get an API key"}
                else:
                    assert response.status_code == 401, (method, path, response.status_code, response.text)


def test_upload_is_refused_before_its_body_is_read(model_dir: Path, tmp_path: Path) -> None:
    with client_for(checkpoint_dir=model_dir / "none", data_dir=tmp_path, require_api_keys=True) as client:
        # a body the parser would refuse with 422/415: without a key the answer is 401, so it was never parsed
        bad = client.post("/v1/jobs", content=b"--x\r\nnot multipart", headers={"content-type": "multipart/form-data"})
        assert bad.status_code == 401


def test_a_job_is_invisible_to_another_key(model_dir: Path, tmp_path: Path) -> None:
    desk_a, desk_b = _keys(tmp_path)
    with client_for(checkpoint_dir=model_dir / "none", data_dir=tmp_path, require_api_keys=True) as client:
        created = client.post("/v1/jobs", json={"documents": [OK, OK + " Thêm."]}, headers=desk_a)
        assert created.status_code == 202
        job = created.json()["id"]
        for path in (f"/v1/jobs/{job}", f"/v1/jobs/{job}/results", f"/v1/jobs/{job}/events"):
            other = client.get(path, headers=desk_b)
            assert other.status_code == 404 and other.json()["error"]["code"] == "not_found", path
        assert client.delete(f"/v1/jobs/{job}", headers=desk_b).status_code == 404
        assert client.get(f"/v1/jobs/{job}", headers=desk_a).json()["id"] == job
        unknown = client.get(f"/v1/jobs/{'f' * 32}", headers=desk_b)
        assert unknown.json()["error"] == {**other.json()["error"], "message": unknown.json()["error"]["message"]}


def test_tokens_out_latency_by_status_and_process_metrics(model_dir: Path) -> None:
    with client_for(checkpoint_dir=model_dir, models=["vit5-base-vietnews", "envit5"]) as client:
        before = client.get("/metrics").text
        assert client.post("/v1/translate", json={"text": OK, "source": "vi"}).status_code == 200
        assert client.post("/v1/summarize", json={"text": OK, "engine": "abstractive"}).status_code == 200
        after = client.get("/metrics").text
    assert metric(after, "tomtat_tokens_out_total", model="envit5") > metric(
        before, "tomtat_tokens_out_total", model="envit5"
    )
    assert metric(after, "tomtat_tokens_out_total", model="vit5-base-vietnews") > 0
    assert metric(after, "tomtat_request_seconds_count", endpoint="/v1/translate", status="200") == 1
    assert metric(after, "process_resident_memory_bytes") > 10_000_000
    assert metric(after, "process_open_fds") > 0
