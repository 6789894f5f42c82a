"""The opt-in result cache: a repeated article is a hit with the same output, other options are a
miss, the size stays bounded (least recently used out), and hits survive a restart — over HTTP, in
jobs and across ``tomtat batch`` runs."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.service_helpers import client_for, metric
from tests.test_archive import article
from tests.test_cli import COMMAND
from tests.test_jobs import wait_done
from tomtat.models.summarizer import Summary
from tomtat.service.runtime.keys import AbstractiveKey, ExtractiveKey, SummaryPlan
from tomtat.service.runtime.result_cache import ResultCache

PLAN = SummaryPlan("vit5-base-vietnews", AbstractiveKey())


def summary(text: str) -> Summary:
    return Summary(text, "abstractive", "vit5-base-vietnews", input_tokens=10, output_tokens=3)


def test_keys_tell_apart_everything_the_answer_depends_on() -> None:
    base = ResultCache.keys(PLAN, None, ["một bài"])[0]
    assert ResultCache.keys(PLAN, None, ["một bài"])[0] == base
    others = [
        ResultCache.keys(PLAN, None, ["một bài khác"])[0],
        ResultCache.keys(SummaryPlan("vit5-large-vietnews", AbstractiveKey()), None, ["một bài"])[0],
        ResultCache.keys(SummaryPlan(PLAN.worker, AbstractiveKey((("num_beams", 4),))), None, ["một bài"])[0],
        ResultCache.keys(SummaryPlan("extractive", ExtractiveKey(3)), None, ["một bài"])[0],
        ResultCache.keys(SummaryPlan("extractive", ExtractiveKey(5)), None, ["một bài"])[0],
        ResultCache.keys(PLAN, "envit5>en", ["một bài"])[0],
    ]
    assert len({base, *others}) == 1 + len(others)


def test_least_recently_used_entries_go_first(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache.db", max_entries=3)
    keys = ResultCache.keys(PLAN, None, [f"bài {i}" for i in range(5)])
    cache.put({keys[0]: (summary("s0"), None), keys[1]: (summary("s1"), "e1"), keys[2]: (summary("s2"), None)})
    assert cache.get([keys[0]]) == {keys[0]: (summary("s0"), None)}  # 0 is now the most recently used
    cache.put({keys[3]: (summary("s3"), None)})
    cache.put({keys[4]: (summary("s4"), None)})
    assert len(cache) == 3
    assert set(cache.get(keys)) == {keys[0], keys[3], keys[4]}  # 1 and 2 were the least recently used
    cache.close()
    reopened = ResultCache(tmp_path / "cache.db", max_entries=3)
    assert reopened.get([keys[0]])[keys[0]][0] == summary("s0") and len(reopened) == 3


def test_a_repeated_article_over_http_is_a_hit_with_the_same_answer(model_dir: Path, tmp_path: Path) -> None:
    settings = {"checkpoint_dir": model_dir, "models": ["vit5-base-vietnews", "envit5"], "data_dir": tmp_path}
    with client_for(**settings, result_cache=True) as client:
        first = client.post("/v1/summarize", json={"text": article(3)}).json()["results"][0]
        again = client.post("/v1/summarize", json={"text": article(3)}).json()["results"][0]
        assert (first["cached"], again["cached"]) == (False, True)
        assert {k: v for k, v in again.items() if k not in ("cached", "timings")} == {
            k: v for k, v in first.items() if k not in ("cached", "timings")
        }
        longer = client.post("/v1/summarize", json={"text": article(3), "options": {"min_new_tokens": 20}}).json()
        english = client.post("/v1/summarize", json={"text": article(3), "translate_to": "en"}).json()
        assert longer["results"][0]["cached"] is False and english["results"][0]["cached"] is False
        both = client.post("/v1/summarize", json={"texts": [article(3), article(4)]}).json()["results"]
        assert [r["cached"] for r in both] == [True, False] and both[0]["summary"] == first["summary"]
        text = client.get("/metrics").text
        assert metric(text, "tomtat_result_cache_hits_total") == 2
        assert metric(text, "tomtat_result_cache_misses_total") == 4
        job = client.post("/v1/jobs", json={"documents": [article(3), article(5)]}).json()
        wait_done(client, job["id"])
        rows = [json.loads(line) for line in client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()]
        assert [r.get("cached", False) for r in rows] == [True, False]
    with client_for(**settings, result_cache=True) as client:  # a new process, the same cache file
        assert client.post("/v1/summarize", json={"text": article(4)}).json()["results"][0]["cached"] is True
    with client_for(**settings) as client:  # off unless asked for
        assert client.post("/v1/summarize", json={"text": article(3)}).json()["results"][0]["cached"] is False


@pytest.mark.slow  # not in the fast tier
def test_batch_runs_share_the_cache(tmp_path: Path, model_dir: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"a{i}", "text": article(i)}) + "\n" for i in range(8)), "utf-8")
    model = ["--model", str(model_dir / "vit5-base-vietnews"), "--no-progress", "--cache", str(tmp_path / "c.db")]

    def run(output: str) -> tuple[list[dict], str]:
        done = subprocess.run(
            [*COMMAND, "batch", str(source), "-o", str(tmp_path / output), *model], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return [json.loads(line) for line in (tmp_path / output).read_text().splitlines()], done.stderr

    first, first_log = run("first.jsonl")
    second, second_log = run("second.jsonl")
    assert "0 hits, 8 misses" in first_log and "8 hits, 0 misses" in second_log
    assert [r.get("cached") for r in first] == [None] * 8 and [r.get("cached") for r in second] == [True] * 8
    assert [r["summary"] for r in second] == [r["summary"] for r in first]
