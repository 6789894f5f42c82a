"""Prove the installed artifact, not the checkout: build the wheel, install it (not editable) into a
fresh venv with the runtime dependencies only, and use it as a user would.

python scripts/check_installed.py                 # what .ci/run runs (needs PyPI, as .ci/run's install does)
python scripts/check_installed.py --keep DIR      # leave the venvs and logs in DIR

Checks, each fatal:
1. the wheel holds ``tomtat/`` (every package of ``models/`` and ``service/`` in it) and its dist-info,
   nothing else; after install, site-packages has no top-level ``models`` or ``service``;
2. ``tomtat --version``, ``tomtat --help``, every subcommand's ``--help`` and ``python -m tomtat --help``;
3. no installed module imports httpx, a benchmark, or the test-model builder (importing every module);
4. ``tomtat serve`` started from a folder holding decoy ``models/`` and ``service/`` packages answers
   ``/healthz`` and summarizes the seed article over HTTP (the embedded extractive default);
5. the same install plus the ``ct2`` extra: a tiny look-alike checkpoint (built with the dev venv's
   tools) converted by the installed ``tomtat convert``, served by ``tomtat serve --backend ctranslate2``,
   answers with ``engine: abstractive``.
Only the standard library is used here, so this runs with any python3.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH = "torch==2.13.0"  # the local CPU build on this project's machines; never a CUDA wheel
SEED = ROOT.parent / "shared" / "data" / "seed" / "article.txt"
FORBIDDEN_IMPORTS = ("httpx", "tomtat_tools", "playwright", "schemathesis", "pytest")
DECOY = "raise ImportError('decoy package: the installed tomtat must never import this')\n"


def step(message: str) -> None:
    print(f"[check_installed] {message}", flush=True)


def run(*command: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command from outside the checkout (as a user would), unless ``cwd`` says otherwise."""
    result = subprocess.run(
        [str(c) for c in command],
        cwd=cwd or tempfile.gettempdir(),
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1200,
    )
    if result.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(map(str, command))}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def build_wheel(out: Path) -> Path:
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(ROOT), "-w", out)
    (wheel,) = out.glob("tomtat-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    extra = {t for t in top if t != "tomtat" and not t.endswith(".dist-info")}
    assert not extra, f"the wheel holds more than tomtat: {sorted(extra)}"
    for folder in ("models", "service"):
        for init in (ROOT / folder).rglob("__init__.py"):
            inside = "tomtat/" + init.relative_to(ROOT).as_posix()
            assert inside in names, f"the wheel lacks {inside}"
    for data in ("tomtat/models/data/sample_vi.txt", "tomtat/service/api/static/index.html"):
        assert data in names, f"the wheel lacks {data}"
    step(f"wheel {wheel.name}: {len(names)} files, only tomtat/ and its dist-info")
    return wheel


def make_venv(where: Path, wheel: Path, extra: str = "") -> Path:
    run(sys.executable, "-m", "venv", where)
    python = where / "bin" / "python"
    run(python, "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "-q", TORCH)
    run(python, "-m", "pip", "install", "-q", f"{wheel}{extra}")
    site = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    clashes = [name for name in ("models", "service") if (site / name).exists()]
    assert not clashes, f"site-packages has top-level {clashes}"
    assert (site / "tomtat" / "models").is_dir() and (site / "tomtat" / "service").is_dir()
    step(f"installed {wheel.name}{extra} into {where} (runtime dependencies only)")
    return python


def check_commands(python: Path) -> None:
    tomtat = python.parent / "tomtat"
    version = run(tomtat, "--version").strip()
    installed = run(python, "-c", "import tomtat; print(tomtat.__version__)").strip()
    assert version == f"tomtat {installed}" and installed != "0+unknown", (version, installed)
    run(tomtat, "--help")
    run(python, "-m", "tomtat", "--help")
    listing = run(
        python,
        "-c",
        "from tomtat.service.cli.parser import build_parser\n"
        "import argparse\n"
        "def walk(parser, prefix):\n"
        "    for action in parser._actions:\n"
        "        if isinstance(action, argparse._SubParsersAction):\n"
        "            for name, sub in action.choices.items():\n"
        "                print(' '.join([*prefix, name])); walk(sub, [*prefix, name])\n"
        "walk(build_parser(), [])\n",
    )
    commands = [line.split() for line in listing.splitlines()]
    assert ["serve"] in commands and ["eval", "summarize"] in commands, commands
    for command in commands:
        run(tomtat, *command, "--help")
    step(f"tomtat --version ({installed}), --help and {len(commands)} subcommands' --help work")


def check_library(python: Path, work: Path) -> None:
    """The README's Python example, run by the installed wheel, from a folder outside the checkout."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("```python", 1)[1].split("```", 1)[0]  # its one Python example
    folder = work / "notebook"
    (folder / "models" / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "models" / "data" / "sample_vi.txt", folder / "models" / "data" / "sample_vi.txt")
    env = {**os.environ, "TOMTAT_CHECKPOINT_DIR": str(work / "no-checkpoints"), "HF_HUB_OFFLINE": "1"}
    (work / "no-checkpoints").mkdir(exist_ok=True)
    output = run(python, "-c", example, cwd=folder, env=env)
    lines = output.splitlines()
    assert sum(line.startswith("extractive ") for line in lines) == 2, output
    listed = run(python, "-c", "import sys, tomtat; print(tomtat.__all__, 'torch' in sys.modules)").strip()
    assert "'Summarizer'" in listed and listed.endswith("False"), listed
    step("the README's Python example runs from the installed wheel (tomtat.Summarizer, extractive)")


def check_imports(python: Path) -> None:
    code = (
        "import importlib, pkgutil, sys, tomtat\n"
        "skipped = []\n"
        "for info in pkgutil.walk_packages(tomtat.__path__, 'tomtat.'):\n"
        "    if info.name == 'tomtat.__main__':  # runs the command line\n"
        "        continue\n"
        "    try:\n"
        "        importlib.import_module(info.name)\n"
        "    except ImportError as error:  # an optional extra (ray, ctranslate2) that is not installed\n"
        "        skipped.append(f'{info.name}: {error}')\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IMPORTS!r})\n"
        "print(json.dumps({'bad': bad, 'skipped': skipped}))\n"
    )
    report = json.loads(run(python, "-c", "import json\n" + code).strip().splitlines()[-1])
    assert not report["bad"], f"installed modules import tools: {report['bad']}"
    step(f"every installed module imports without a tool; optional extras missing: {len(report['skipped'])}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, body: dict[str, object] | None = None) -> tuple[int, dict[str, object]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextmanager
def served(python: Path, cwd: Path, env: dict[str, str], *args: str) -> Iterator[str]:
    port = free_port()
    log = (cwd / f"serve-{port}.log").open("w")
    process = subprocess.Popen(
        [str(python.parent / "tomtat"), "serve", "--port", str(port), *args],
        cwd=cwd,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"FAILED: tomtat serve exited:\n{Path(log.name).read_text()[-3000:]}")
            try:
                if http(url + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("FAILED: tomtat serve never became ready")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def decoy_folder(where: Path) -> Path:
    for name in ("models", "service"):
        (where / name).mkdir(parents=True, exist_ok=True)
        (where / name / "__init__.py").write_text(DECOY)
    return where


def article() -> str:
    source = SEED if SEED.is_file() else ROOT / "models" / "data" / "sample_vi.txt"
    return source.read_text(encoding="utf-8")


def check_serve(python: Path, work: Path) -> None:
    decoys = decoy_folder(work / "decoys")
    env = {**os.environ, "HOME": str(work / "home"), "TOMTAT_CHECKPOINT_DIR": str(work / "no-checkpoints")}
    env.pop("PYTHONPATH", None)
    with served(python, decoys, env) as url:
        assert http(url + "/healthz") == (200, {"status": "ok"})
        status, body = http(url + "/v1/summarize", {"text": article()})
        result = body["results"][0]  # type: ignore[index]
        assert status == 200 and result["engine"] == "extractive" and result["summary"], body
    # the module path users give uvicorn, from the same decoy folder
    check = "import tomtat.service.api.app as app; print(app.__file__)"
    location = run(python, "-c", check, cwd=decoys, env=env).strip()
    assert "site-packages" in location, location
    step("tomtat serve from a folder with decoy models/ and service/: /healthz and an extractive summary")


def check_ct2(python: Path, work: Path, dev_python: Path) -> None:
    models = work / "models"
    run(dev_python, ROOT / "scripts" / "make_test_models.py", models)  # the dev tools build the look-alike
    tomtat = python.parent / "tomtat"
    env = {**os.environ, "HOME": str(work / "home-ct2"), "TOMTAT_CHECKPOINT_DIR": str(work / "checkpoints")}
    env.pop("PYTHONPATH", None)
    run(tomtat, "convert", models / "vit5-base-vietnews", "--output-dir", work / "checkpoints", env=env)
    assert (work / "checkpoints" / "vit5-base-vietnews-ct2" / "model.bin").is_file()
    decoys = decoy_folder(work / "decoys-ct2")
    with served(python, decoys, env, "--backend", "ctranslate2", "--load-only", "vit5-base-vietnews") as url:
        status, body = http(url + "/v1/summarize", {"text": article(), "engine": "abstractive"})
        result = body["results"][0]  # type: ignore[index]
        assert status == 200 and result["engine"] == "abstractive", body
        assert result["model"] == "vit5-base-vietnews", body
    step("with the ct2 extra: tomtat convert, then tomtat serve --backend ctranslate2 answers abstractively")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", help="work in this folder and keep it")
    parser.add_argument("--dev-python", default=str(ROOT / ".venv" / "bin" / "python"), help="builds test models")
    args = parser.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tomtat-installed-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    try:
        wheel = build_wheel(work / "wheel")
        runtime = make_venv(work / "venv-runtime", wheel)
        check_commands(runtime)
        check_library(runtime, work)
        check_imports(runtime)
        check_serve(runtime, work)
        with_ct2 = make_venv(work / "venv-ct2", wheel, "[ct2]")
        check_imports(with_ct2)
        check_ct2(with_ct2, work, Path(args.dev_python))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    step(f"all checks passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
