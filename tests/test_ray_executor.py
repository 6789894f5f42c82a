"""``tomtat batch --executor ray`` in local mode gives the local executor's summaries, and resumes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.test_archive import article
from tests.test_cli import COMMAND

pytest.importorskip("ray.data", reason="the ray extra is not installed")


def test_ray_matches_local_and_resumes(tmp_path: Path, model_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": f"r{i}", "text": article(i)}, ensure_ascii=False) for i in range(29)]
    source.write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    model = ["--model", str(model_dir / "vit5-base-vietnews"), "--no-progress"]
    local_run = subprocess.run(
        [*COMMAND, "batch", str(source), "-o", str(tmp_path / "local.jsonl"), *model], capture_output=True, timeout=300
    )
    assert local_run.returncode == 5, local_run.stderr.decode()[-3000:]  # one unreadable line
    ray_out = tmp_path / "ray-out"
    ray_cmd = [*COMMAND, "batch", str(source), "-o", str(ray_out), "--executor", "ray", *model]
    result = subprocess.run(ray_cmd, capture_output=True, timeout=600, check=False)
    assert result.returncode == 5, result.stderr.decode()[-3000:]

    def rows(paths: list[Path]) -> dict[str, dict]:
        return {r["id"]: r for p in paths for r in map(json.loads, p.read_text(encoding="utf-8").splitlines())}

    local = rows([tmp_path / "local.jsonl"])
    on_ray = rows(sorted(ray_out.glob("*.json")))
    assert len(on_ray) == 30
    good = {k: v["summary"] for k, v in local.items() if "summary" in v}
    assert len(good) == 29
    assert {k: v["summary"] for k, v in on_ray.items() if v.get("summary")} == good
    # each summary's faithfulness flags, as the local run gives them
    assert {k: v["flags"] for k, v in on_ray.items() if v.get("summary")} == {k: local[k]["flags"] for k in good}
    (broken,) = [v for v in on_ray.values() if v.get("error")]
    assert broken["error"]["code"] == "unreadable"
    rerun = subprocess.run(ray_cmd, capture_output=True, timeout=600, check=False)
    assert rerun.returncode == 5 and "30 already done" in rerun.stderr.decode()
    assert len(rows(sorted(ray_out.glob("*.json")))) == 30
