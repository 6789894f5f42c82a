"""Fetching (hub unreachable), offline checks, allow-patterns, and CTranslate2 parity with transformers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service_helpers import client_for
from tomtat.models.checkpoints import locate
from tomtat.models.hub import check_checkpoint, select_files
from tomtat.models.model import load_model
from tomtat.models.registry import REGISTRY, SUMMARIZE, translate_task
from tomtat.models.summarizer import AbstractiveSummarizer
from tomtat.models.translator import Translator

pytestmark = pytest.mark.slow  # CTranslate2 conversions through the CLI; not in the fast tier

ctranslate2 = pytest.importorskip("ctranslate2", reason="the ct2 extra is not installed")
SCRIPT = Path(sys.executable).parent / "tomtat"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "tomtat"]

ENVIT5_REPO = [
    ".gitattributes",
    "README.md",
    "config.json",
    "flax_model.msgpack",
    "pytorch_model.bin",
    "tf_model.h5",
    "spiece.model",
    "special_tokens_map.json",
    "tokenizer_config.json",
]
OPUS_REPO = [
    ".gitattributes",
    "README.md",
    "config.json",
    "generation_config.json",
    "metadata.json",
    "model.safetensors",
    "pytorch_model.bin",
    "rust_model.ot",
    "source.spm",
    "target.spm",
    "tf_model.h5",
    "tokenizer_config.json",
    "vocab.json",
]
TEXTS = [
    "Người dân phấn khởi khi con đường mới được đưa vào sử dụng.",
    "Sáng 27/12/2022, UBND TP.HCM tổ chức hội nghị tổng kết; PGS.TS. Nguyễn Văn Minh dự họp.",
    "Giá vàng trong nước tăng mạnh, vượt mốc 80 triệu đồng mỗi lượng. Dự án có tổng mức đầu tư gần 3.500 tỷ đồng.",
    "Bộ Y tế khuyến cáo người dân tiêm vắc-xin phòng bệnh cúm trước mùa đông. " * 8,
]


def test_allow_patterns_take_one_weight_format() -> None:
    envit5 = select_files(REGISTRY["envit5"], ENVIT5_REPO)
    assert envit5 == [
        "config.json",
        "pytorch_model.bin",
        "special_tokens_map.json",
        "spiece.model",
        "tokenizer_config.json",
    ]
    opus = select_files(REGISTRY["opus-mt-vi-en"], OPUS_REPO)
    assert opus == [
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "source.spm",
        "target.spm",
        "tokenizer_config.json",
        "vocab.json",
    ]
    for files in (envit5, opus):
        assert not any(f.endswith((".msgpack", ".h5", ".onnx", ".ot")) for f in files)


def test_fetch_fails_fast_when_the_hub_is_unreachable(tmp_path: Path) -> None:
    env = {**os.environ, "HF_ENDPOINT": "http://127.0.0.1:9", "HF_HOME": str(tmp_path)}
    # no retry loop: refused at the first failed connection (a hang or a long retry fails the test here)
    result = subprocess.run([*COMMAND, "fetch", "envit5"], env=env, capture_output=True, timeout=30, check=False)
    stderr = result.stderr.decode()
    assert result.returncode == 4 and "could not reach the Hugging Face hub" in stderr
    assert "copy" in stderr and "tomtat fetch envit5 --check" in stderr and "Traceback" not in stderr


def test_check_passes_on_complete_and_names_broken_files(model_dir: Path, tmp_path: Path) -> None:
    _, problems = check_checkpoint("vit5-base-vietnews", model_dir)
    assert problems == []
    broken = tmp_path / "vit5-base-vietnews"
    shutil.copytree(model_dir / "vit5-base-vietnews", broken)
    (broken / "spiece.model").unlink()
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    _, problems = check_checkpoint(str(broken))
    assert any("spiece.model is missing" in p for p in problems)
    assert any("model.safetensors is truncated" in p for p in problems)
    result = subprocess.run(
        [*COMMAND, "fetch", "vit5-base-vietnews", "--check", "--output-dir", str(tmp_path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3 and "spiece.model is missing" in result.stderr.decode()


@pytest.fixture(scope="module")
def ct2_dirs(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """float32 and int8 conversions of the tiny models, via the CLI a user would run."""
    root = tmp_path_factory.mktemp("ct2")
    dirs = {}
    for quantization in ("float32", "int8"):
        for name in ("vit5-base-vietnews", "envit5", "opus-mt-vi-en"):
            out = root / quantization
            subprocess.run(
                [*COMMAND, "convert", str(model_dir / name), "--output-dir", str(out), "--quantization", quantization],
                check=True,
                capture_output=True,
                timeout=120,
            )
            dirs[f"{name}/{quantization}"] = out / f"{name}-ct2"
    return dirs


def test_ct2_float32_matches_transformers(ct2_dirs, loaded) -> None:
    for name, task, texts in [
        ("vit5-base-vietnews", SUMMARIZE, TEXTS),
        ("envit5", translate_task("vi", "en"), TEXTS),
        ("envit5", translate_task("en", "vi"), ["The city opened a new bridge on Friday.", "Gold prices rose."]),
        ("opus-mt-vi-en", translate_task("vi", "en"), TEXTS),
    ]:
        reference = loaded(name)
        converted = load_model(str(ct2_dirs[f"{name}/float32"]), compute_type="float32")
        assert converted.backend.name == "ctranslate2" and converted.name == name
        a = reference.run(task, texts)
        b = converted.run(task, texts)
        assert [x.text for x in a] == [y.text for y in b], (name, task)
        assert all(x.text for x in a)


def test_summarizer_and_translator_identical_over_both_backends(ct2_dirs, loaded) -> None:
    article = " ".join(TEXTS * 30)  # long enough to be chunked
    hf = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize([article, TEXTS[0]])
    ct = AbstractiveSummarizer(load_model(str(ct2_dirs["vit5-base-vietnews/float32"]), compute_type="float32"))
    assert [s.summary for s in ct.summarize([article, TEXTS[0]])] == [s.summary for s in hf]
    assert hf[0].chunked
    t_hf = Translator([loaded("envit5")]).translate(TEXTS, "vi", "en")
    t_ct = Translator([load_model(str(ct2_dirs["envit5/float32"]), compute_type="float32")]).translate(
        TEXTS, "vi", "en"
    )
    assert [t.translation for t in t_ct] == [t.translation for t in t_hf]


def test_int8_agreement_is_reported(ct2_dirs, loaded, capsys) -> None:
    reference = loaded("vit5-base-vietnews").run(SUMMARIZE, TEXTS)
    int8 = load_model(str(ct2_dirs["vit5-base-vietnews/int8"]))
    assert int8.backend.compute_type == "int8"
    outputs = int8.run(SUMMARIZE, TEXTS)
    agree = sum(a.text == b.text for a, b in zip(reference, outputs, strict=True)) / len(TEXTS)
    with capsys.disabled():
        print(f"\n[ct2 int8 vs transformers fp32] identical greedy outputs on {agree:.0%} of {len(TEXTS)} inputs")
    assert all(o.text for o in outputs)


def test_locate_prefers_the_conversion_unless_transformers_is_asked(ct2_dirs, model_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "checkpoints"
    shutil.copytree(model_dir / "envit5", root / "envit5")
    shutil.copytree(ct2_dirs["envit5/int8"], root / "envit5-ct2")
    assert locate("envit5", root).directory == root / "envit5-ct2"
    assert locate("envit5", root, backend="transformers").directory == root / "envit5"
    assert load_model("envit5", checkpoint_dir=root).backend.name == "ctranslate2"
    assert load_model("envit5", checkpoint_dir=root, backend="transformers").backend.name == "transformers"


def test_server_on_ctranslate2(ct2_dirs, loaded) -> None:
    root = ct2_dirs["vit5-base-vietnews/float32"].parent
    with client_for(
        checkpoint_dir=root, models=["vit5-base-vietnews"], backend="ctranslate2", compute_type="float32"
    ) as client:
        body = client.post("/v1/summarize", json={"texts": TEXTS}).json()
        expected = AbstractiveSummarizer(loaded("vit5-base-vietnews")).summarize(TEXTS)
        assert [r["summary"] for r in body["results"]] == [e.summary for e in expected]
        (model,) = client.get("/v1/models").json()["models"]
        assert model["backend"] == "ctranslate2" and model["state"] == "ready"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads RSS from /proc")
def test_freed_batch_buffers_go_back_to_the_os() -> None:
    import ctypes
    import platform

    from tomtat.models.backends.ctranslate2_backend import release_freed_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("not glibc")
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    chunk = 64 * 1024  # below glibc's mmap threshold: served from the heap, kept there when freed
    blocks = [libc.malloc(chunk) for _ in range(3000)]  # ~190 MB
    for block in blocks:
        ctypes.memset(block, 1, chunk)  # touch every page
    for block in blocks[:-1]:  # the last one pins the heap top, as a live buffer would
        libc.free(block)
    before = _rss_mb()
    release_freed_memory()
    after = _rss_mb()
    libc.free(blocks[-1])
    assert before - after > 100, (before, after)


def test_default_compute_type_prefers_bfloat16_on_a_gpu_that_has_it() -> None:
    from tomtat.models.backends.ctranslate2_backend import default_compute_type

    assert default_compute_type("cpu", {"int8", "bfloat16"}) == "int8"
    assert default_compute_type("cuda", {"int8", "int8_float16", "bfloat16"}) == "bfloat16"
    assert default_compute_type("cuda", {"int8", "int8_float16", "float16"}) == "int8_float16"  # e.g. a T4


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_alternatives_are_other_beam_hypotheses(backend: str, ct2_dirs, loaded) -> None:
    """``num_return_sequences``: the best hypothesis is beam search's answer, the alternatives are the
    other distinct hypotheses, with both backends; the one-output path is unchanged."""
    model = loaded("envit5") if backend == "transformers" else load_model(str(ct2_dirs["envit5/float32"]))
    task = translate_task("vi", "en")
    texts = TEXTS[:3]
    beam = model.run(task, texts, {"num_beams": 4})
    several = model.run(task, texts, {"num_return_sequences": 4})
    assert [g.text for g in several] == [g.text for g in beam]  # 4 sequences means a beam of 4
    assert all(g.alternatives == [] for g in beam)
    assert any(g.alternatives for g in several)
    for generated in several:
        assert len(generated.alternatives) <= 3 and generated.text not in generated.alternatives
        assert len(set(generated.alternatives)) == len(generated.alternatives)
    translated = Translator([model]).translate([" ".join(texts)], "vi", "en", {"num_return_sequences": 3})[0]
    assert translated.alternatives and translated.translation not in translated.alternatives
