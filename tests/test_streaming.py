"""Token streaming: server-sent events read by a real SSE client (httpx-sse) over a real socket, text
from inside batched generation on both backends, equal to the answer without streaming."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from pathlib import Path

import httpx
import pytest
from httpx_sse import connect_sse

from tests.service_helpers import metric, models_env, running_server
from tomtat.models.checkpoints import locate
from tomtat.models.convert import convert_to_ctranslate2
from tomtat.models.model import load_model
from tomtat.models.registry import SUMMARIZE
from tomtat.models.streaming import Delta, DocumentStream, StopSignal
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.models.translator import Translator

ARTICLES = [
    "Giá vàng trong nước tăng mạnh trong phiên sáng nay. Nhiều người dân đổ xô đi mua vàng.\n"
    "Ngân hàng Nhà nước cho biết sẽ can thiệp thị trường khi cần.",
    "Hà Nội hôm nay mưa to, nhiều tuyến phố ngập sâu.",
    "Sáng 25/2, TAND TP. Đà Nẵng tuyên phạt Hồ Xuân Huy 12 năm tù về tội lừa đảo.",
]


def test_a_document_stream_holds_back_the_unfinished_word_and_keeps_the_order_of_its_parts() -> None:
    sent: list[str] = []
    stream = DocumentStream(["", " ", "\n"], sent.append)
    stream.update(1, "second part")  # part 0 is not finished: nothing of part 1 may show yet
    assert sent == []
    stream.update(0, "Gold pri")
    stream.update(0, "Gold prices ro")
    assert "".join(sent) == "Gold prices"  # "ro" may still change
    stream.finish(0, "Gold prices rose.")
    assert "".join(sent) == "Gold prices rose. second"
    stream.finish(2, "Third.")
    stream.finish(1, "second part")
    assert "".join(sent) == "Gold prices rose. second part\nThird."


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_batched_generation_streams_text_that_adds_up_to_the_result(
    backend: str, model_dir: Path, tmp_path: Path
) -> None:
    def model(name: str):
        if backend == "transformers":
            return load_model(str(model_dir / name))
        return load_model(str(convert_to_ctranslate2(locate(str(model_dir / name)), tmp_path / name)))

    deltas: dict[int, list[Delta]] = defaultdict(list)
    translator = Translator([model("envit5")], segment_tokens=16)  # several segments per text, one batch
    translated = translator.translate(ARTICLES, "vi", "en", None, lambda d: deltas[d.index].append(d))
    assert [t.translation for t in translated] == [t.translation for t in translator.translate(ARTICLES, "vi", "en")]
    for index, result in enumerate(translated):
        assert "".join(d.text for d in deltas[index]) == result.translation
    assert len(deltas[0]) > 2  # text came step by step, not at the end only

    deltas.clear()
    summarizer = AbstractiveSummarizer(model("vit5-base-vietnews"))
    summaries = summarizer.summarize(ARTICLES, None, lambda d: deltas[d.index].append(d))
    for index, summary in enumerate(summaries):
        assert {d.stage for d in deltas[index]} == {"final"}
        assert "".join(d.text for d in deltas[index]) == summary.summary
    assert [s.summary for s in summaries] == [s.summary for s in summarizer.summarize(ARTICLES)]


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_a_stopped_batch_ends_at_its_next_token(backend: str, model_dir: Path, tmp_path: Path) -> None:
    """The batch worker stops a bulk batch to free a lane for an editor: generation must end at once
    (at most a step later) on both backends, not after the forced 24 tokens."""
    name = "vit5-base-vietnews"
    if backend == "transformers":
        model = load_model(str(model_dir / name))
    else:
        model = load_model(str(convert_to_ctranslate2(locate(str(model_dir / name)), tmp_path / name)))
    forced = {"min_new_tokens": 24, "max_length": 25}
    whole = model.run(SUMMARIZE, ARTICLES, forced)
    assert {output.output_tokens for output in whole} == {24}
    running = StopSignal()
    model.run(SUMMARIZE, ARTICLES[:1], {"min_new_tokens": 2, "max_length": 3}, None, running)
    assert running.decoding()  # its tokens polled it: the worker can tell a batch that is decoding
    stop = StopSignal()
    stop.set()
    stopped = model.run(SUMMARIZE, ARTICLES, forced, None, stop)
    assert len(stopped) == len(ARTICLES) and max(output.output_tokens for output in stopped) <= 2
    summaries = AbstractiveSummarizer(model).summarize(ARTICLES, forced, None, stop)
    assert len(summaries) == len(ARTICLES) and max(summary.output_tokens for summary in summaries) <= 2


def _events(client: httpx.Client, url: str, body: dict, headers: dict | None = None) -> list[tuple[str, dict]]:
    with connect_sse(client, "POST", url, json=body, headers=headers or {}) as source:
        assert source.response.headers["content-type"].startswith("text/event-stream")
        return [(event.event, json.loads(event.data)) for event in source.iter_sse()]


def test_summaries_and_translations_stream_over_sse_and_equal_the_json_answer(model_dir: Path) -> None:
    env = models_env(model_dir, "vit5-base-vietnews", "envit5")
    with running_server(env) as url, httpx.Client(timeout=60) as client:
        texts = [*ARTICLES, "  "]  # the empty one gets its error in its slot, as without streaming
        events = _events(client, url + "/v1/summarize", {"texts": texts, "stream": True})
        plain = client.post(url + "/v1/summarize", json={"texts": texts}).json()["results"]
        names = [name for name, _ in events]
        assert names[-1] == "done" and names.count("result") == len(texts)
        assert names.index("token") < names.index("result")  # text before the first whole result
        results = [data["result"] for name, data in events if name == "result"]
        assert results[3]["error"]["code"] == "empty_text"
        for index in range(3):
            streamed = "".join(d["text"] for n, d in events if n == "token" and d["index"] == index)
            assert streamed == results[index]["summary"] == plain[index]["summary"]
            assert results[index]["flags"] == plain[index]["flags"]
        assert sum(1 for n, d in events if n == "token" and d["index"] == 0) > 1

        accept = {"Accept": "text/event-stream"}
        events = _events(client, url + "/v1/translate", {"texts": ARTICLES, "target": "en"}, accept)
        plain = client.post(url + "/v1/translate", json={"texts": ARTICLES, "target": "en"}).json()["results"]
        results = [data["result"] for name, data in events if name == "result"]
        for index in range(len(ARTICLES)):
            streamed = "".join(d["text"] for n, d in events if n == "token" and d["index"] == index)
            assert streamed == results[index]["translation"] == plain[index]["translation"]


def test_a_client_that_leaves_mid_stream_is_dropped(model_dir: Path) -> None:
    env = {**models_env(model_dir, "vit5-base-vietnews"), "TOMTAT_MAX_BATCH_SIZE": "4"}
    with running_server(env) as url, httpx.Client(timeout=60) as client:
        body = {"texts": [f"{ARTICLES[0]} Bài số {i}." for i in range(32)], "stream": True}
        body["options"] = {"min_new_tokens": 60, "max_length": 64}  # long enough to leave in the middle
        with connect_sse(client, "POST", url + "/v1/summarize", json=body) as source:
            first = next(source.iter_sse())
            assert first.event == "token"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = client.get(url + "/metrics").text
            if metric(text, "tomtat_streams_left_total") >= 1 and metric(
                text, "tomtat_dropped_texts_total", worker="vit5-base-vietnews"
            ):
                break
            time.sleep(0.2)
        assert metric(text, "tomtat_streams_left_total") == 1
        assert metric(text, "tomtat_dropped_texts_total", worker="vit5-base-vietnews") >= 4  # pieces never run
        assert client.get(url + "/healthz").status_code == 200
