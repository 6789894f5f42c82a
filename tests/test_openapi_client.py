"""A client generated from the live ``/openapi.json`` by openapi-python-client: every operation is
there, every module imports, and the typed functions call the server successfully."""

from __future__ import annotations

import importlib
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.service_helpers import models_env, running_server
from tomtat.service.api.auth import KeyStore

GENERATOR = shutil.which("openapi-python-client") or str(Path(sys.executable).parent / "openapi-python-client")
pytestmark = [
    pytest.mark.skipif(not Path(GENERATOR).exists(), reason="openapi-python-client is in the dev extra"),
    pytest.mark.slow,  # not in the fast tier: pytest -m "" runs it
]
VI = "Sáng 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù. Giá vàng trong nước tăng mạnh."


def test_generated_client_has_every_operation_and_works(model_dir: Path, tmp_path: Path) -> None:
    """Keys required: the client authenticates through the schema's security scheme alone (its
    ``AuthenticatedClient`` and a token), with no header wired by hand."""
    _, secret = KeyStore(tmp_path / "data" / "tomtat.db").add("desk", 1000, 10_000_000)
    env = {
        **models_env(model_dir, "vit5-base-vietnews", "envit5"),
        "TOMTAT_DATA_DIR": str(tmp_path / "data"),
        "TOMTAT_REQUIRE_API_KEYS": "true",
    }
    headers = {"Authorization": f"Bearer {secret}"}
    with running_server(env) as url:
        spec = httpx.get(url + "/openapi.json").json()
        assert spec["components"]["securitySchemes"]["bearer"] == {
            "type": "http",
            "scheme": "bearer",
            "description": "an API key from `tomtat keys add`",
        }
        summarize_operation = spec["paths"]["/v1/summarize"]["post"]
        assert summarize_operation["security"] == [{"bearer": []}] and "401" in summarize_operation["responses"]
        assert {"bearer": []} in spec["paths"]["/translate"]["post"]["security"]
        assert "security" not in spec["paths"]["/healthz"]["get"]
        (tmp_path / "openapi.json").write_text(json.dumps(spec))
        generated = subprocess.run(
            [GENERATOR, "generate", "--path", str(tmp_path / "openapi.json"), "--meta", "none"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert generated.returncode == 0, generated.stdout + generated.stderr
        assert "will not be generated" not in generated.stdout + generated.stderr, generated.stdout
        sys.path.insert(0, str(tmp_path))
        try:
            package = importlib.import_module("tomtat_client")
            modules = [m.name for m in pkgutil.walk_packages(package.__path__, "tomtat_client.")]
            for name in modules:  # every module imports (no NameError from a generator bug)
                importlib.import_module(name)
            operations = {o["operationId"] for path in spec["paths"].values() for o in path.values()}
            functions = [m for m in modules if m.startswith("tomtat_client.api.") and m.count(".") == 3]
            assert len(functions) == len(operations), sorted(operations)

            from tomtat_client import AuthenticatedClient, Client
            from tomtat_client.api.check import check_v1_check_post
            from tomtat_client.api.libretranslate import translate_translate_post
            from tomtat_client.api.summarize import summarize_v1_summarize_post
            from tomtat_client.api.translate import translate_v1_translate_post
            from tomtat_client.models import (
                CheckRequest,
                LTTranslateRequest,
                LTTranslateRequestSource,
                LTTranslateRequestTarget,
                SummarizeRequest,
                TranslateRequest,
                TranslateRequestTarget,
            )

            anonymous = Client(base_url=url, timeout=httpx.Timeout(60))
            refused = summarize_v1_summarize_post.sync_detailed(client=anonymous, body=SummarizeRequest(text=VI))
            assert refused.status_code == 401
            client = AuthenticatedClient(base_url=url, token=secret, timeout=httpx.Timeout(60))
            summary = summarize_v1_summarize_post.sync(client=client, body=SummarizeRequest(text=VI))
            direct = httpx.post(url + "/v1/summarize", json={"text": VI}, headers=headers, timeout=60).json()
            direct = direct["results"][0]
            assert summary.results[0].summary == direct["summary"]
            assert [f.to_dict() for f in summary.results[0].flags] == direct["flags"]
            english = translate_v1_translate_post.sync(
                client=client, body=TranslateRequest(text=VI, target=TranslateRequestTarget.EN)
            )
            assert (
                english.results[0].translation
                == httpx.post(
                    url + "/v1/translate", json={"text": VI, "target": "en"}, headers=headers, timeout=60
                ).json()["results"][0]["translation"]
            )
            checked = check_v1_check_post.sync(client=client, body=CheckRequest(source=VI, output="Ngày 26/2 mưa."))
            assert [f.text for f in checked.flags] == ["Ngày 26/2"]
            body = LTTranslateRequest(q=VI, source=LTTranslateRequestSource.VI, target=LTTranslateRequestTarget.EN)
            lt = translate_translate_post.sync(client=client, body=body)
            assert lt.translated_text == english.results[0].translation
        finally:
            sys.path.remove(str(tmp_path))
            for name in [m for m in sys.modules if m.startswith("tomtat_client")]:
                del sys.modules[name]
