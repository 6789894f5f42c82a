"""Schemathesis against the live OpenAPI schema of a real ``tomtat serve`` (bounded for CI).

Checks (tests/schemathesis.toml): no 5xx, every status, content type, header and body as documented,
schema-invalid requests refused; stateful runs follow the job links (create → status → results → cancel).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service_helpers import models_env, running_server

pytestmark = pytest.mark.fuzz  # not in the fast tier: pytest -m "" runs it

CONFIG = Path(__file__).with_name("schemathesis.toml")


def test_schemathesis_finds_no_server_error_or_schema_violation(model_dir: Path) -> None:
    schemathesis = Path(sys.executable).parent / "schemathesis"
    with running_server(models_env(model_dir, "vit5-base-vietnews", "envit5")) as url:
        run = subprocess.run(
            [str(schemathesis), "--config-file", str(CONFIG), "run", f"{url}/openapi.json", "--max-examples", "40"],
            capture_output=True,
            text=True,
            timeout=420,
        )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-8000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", output)
    assert counts and counts.group(1) == counts.group(2) and int(counts.group(1)) > 500, output[-3000:]
    print(f"schemathesis: {counts.group(0)}")
