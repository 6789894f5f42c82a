"""The ``tomtat`` command line: summarize, translate, detect (and the server and tools as they land)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from tomtat.service.cli.common import (
    EXIT_INPUT,
    EXIT_MODEL,
    EXIT_NETWORK,
    decoding_args,
    decoding_overrides,
    fail,
    model_args,
    placement,
    read_input,
    say,
)
from tomtat.service.cli.evaluate import add_parsers as add_eval_parsers

if TYPE_CHECKING:
    from tomtat.models.checkpoints import LocatedCheckpoint

from tomtat import __version__


def cmd_summarize(args: argparse.Namespace) -> int:
    from tomtat.models.summarizer import check_article
    from tomtat.service.runtime.gateway import run_sync
    from tomtat.service.runtime.local import summarizing_gateway

    text = check_article(read_input(args.input), allow_any_language=args.allow_any_language)
    gateway, plan = summarizing_gateway(
        args.engine, args.model, args.sentences, placement(args), decoding_overrides(args)
    )
    say(plan.note)
    (result,) = run_sync(gateway.summarize([text], plan))
    summary = result.summary
    if args.json:
        print(json.dumps(asdict(summary), ensure_ascii=False, indent=2))
    else:
        print(summary.summary)
        print(f"[engine: {summary.engine}, model: {summary.model}]", file=sys.stderr)
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    from tomtat.service.runtime.gateway import run_sync
    from tomtat.service.runtime.local import translating_gateway

    text = read_input(args.input)
    if not text.strip():
        return fail("the text to translate is empty", EXIT_INPUT)
    gateway = translating_gateway(args.model, args.source, args.target, placement(args))
    (result,) = run_sync(gateway.translate([text], args.source, args.target, decoding_overrides(args), ["input"]))
    translation = result.translation
    if args.json:
        print(json.dumps(asdict(translation), ensure_ascii=False, indent=2))
    else:
        print(translation.translation)
        print(f"[{translation.source}->{translation.target}, model: {translation.model}]", file=sys.stderr)
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from tomtat.models.langdetect import detect_language

    detection = detect_language(read_input(args.input))
    if args.json:
        print(json.dumps(asdict(detection)))
    else:
        print(f"{detection.language}\t{detection.probability}")
    return 0


def _convert(located: LocatedCheckpoint, output_dir: str | None, quantization: str) -> Path:
    from tomtat.models.checkpoints import default_checkpoint_dir
    from tomtat.models.convert import convert_to_ctranslate2, ct2_dir_name

    root = Path(output_dir) if output_dir else default_checkpoint_dir()
    target = root / ct2_dir_name(located.checkpoint.name)
    print(f"converting {located.directory} to CTranslate2 ({quantization}) in {target}", file=sys.stderr)
    return convert_to_ctranslate2(located, target, quantization)


def cmd_fetch(args: argparse.Namespace) -> int:
    from tomtat.models.checkpoints import LocatedCheckpoint
    from tomtat.models.hub import check_checkpoint, download_model
    from tomtat.models.registry import get_checkpoint

    failed = 0
    for name in args.names:
        if args.check:
            located, problems = check_checkpoint(name, args.output_dir)
            if problems:
                failed += 1
                print(f"{name}: BROKEN in {located.directory}:", file=sys.stderr)
                for problem in problems:
                    print(f"  - {problem}", file=sys.stderr)
            else:
                print(f"{name}: ok ({located.directory})")
            continue
        path = download_model(name, args.output_dir, args.revision)
        print(f"{name}\t{path}")
        if args.convert:
            print(
                f"{name}\t{_convert(LocatedCheckpoint(get_checkpoint(name), path), args.output_dir, args.quantization)}"
            )
    return EXIT_MODEL if failed else 0


def cmd_convert(args: argparse.Namespace) -> int:
    from tomtat.models.checkpoints import locate

    located = locate(args.model, args.checkpoint_dir, backend="transformers")
    print(_convert(located, args.output_dir, args.quantization))
    return 0


def cmd_batch(args: argparse.Namespace) -> int:
    from tomtat.service.archive.pipeline import RecordProcessor, run_archive
    from tomtat.service.archive.records import InputFormatError, input_format
    from tomtat.service.runtime.local import summarizing_gateway

    try:
        input_format(Path(args.input))
    except InputFormatError as error:
        return fail(str(error), EXIT_INPUT)
    if args.executor == "ray":
        from tomtat.service.archive.ray_executor import run_on_ray

        try:
            report = run_on_ray(args)
        except InputFormatError as error:
            return fail(str(error), EXIT_INPUT)
        print(report.line(), file=sys.stderr)
        return 0
    gateway, plan = summarizing_gateway(
        args.engine,
        args.model,
        args.sentences,
        placement(args),
        translate_to=args.translate_to,
        translation_model=args.translation_model,
    )
    say(plan.note)
    processor = RecordProcessor(gateway, plan, args.translate_to, args.allow_any_language)
    try:
        report = run_archive(
            args.input,
            args.output,
            processor,
            text_field=args.text_field,
            id_field=args.id_field,
            window=args.window,
            batch_size=args.batch_size,
            progress=not args.no_progress,
        )
    except InputFormatError as error:
        return fail(str(error), EXIT_INPUT)
    print(report.line(), file=sys.stderr)
    if report.duplicates:
        shown = ", ".join(report.duplicates[:10]) + (" ..." if len(report.duplicates) > 10 else "")
        print(f"tomtat: duplicate ids in the input (first occurrence kept): {shown}", file=sys.stderr)
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from tomtat.service.api.auth import KeyStore
    from tomtat.service.settings import Settings

    data_dir = Path(args.data_dir).expanduser() if args.data_dir else Settings().data_dir
    store = KeyStore(data_dir / "tomtat.db")
    if args.action in ("add", "remove") and not args.name:
        return fail(f"keys {args.action} needs a name", EXIT_INPUT)
    if args.action == "add":
        try:
            key, secret = store.add(args.name, args.rpm, args.chars_per_minute)
        except ValueError as error:
            return fail(str(error), EXIT_INPUT)
        print(secret)
        print(f"key {key.id} ({key.name}) added; the secret above is shown only once", file=sys.stderr)
    elif args.action == "list":
        for key in store.list():
            print(f"{key.id}\t{key.name}\t{key.requests_per_minute} req/min\t{key.chars_per_minute} chars/min")
    elif not store.remove(args.name):
        return fail(f"no key with id or name {args.name!r}", EXIT_INPUT)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from tomtat.service.api.app import create_app
    from tomtat.service.settings import Settings

    overrides = {
        "host": args.host,
        "port": args.port,
        "models": args.load_only,
        "checkpoint_dir": args.checkpoint_dir,
        "backend": args.backend,
        "device": args.device,
        "threads": args.threads,
    }
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    # SIGTERM: stop accepting, let in-flight requests finish (bounded), then the app's shutdown
    # lets the job batch in the model finish and saves it; unfinished records wait for the next start
    grace = round(settings.shutdown_grace_seconds)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, timeout_graceful_shutdown=grace)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tomtat", description="Vietnamese news summarization and translation")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    summarize = commands.add_parser("summarize", help="summarize a Vietnamese article")
    summarize.add_argument("input", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    summarize.add_argument("--model", help="registry name or checkpoint directory (default: the first present)")
    summarize.add_argument("--engine", default="auto", choices=["auto", "abstractive", "extractive", "lead3"])
    summarize.add_argument("--sentences", type=int, default=3, help="sentences the extractive engine keeps")
    summarize.add_argument("--allow-any-language", action="store_true", help="summarize non-Vietnamese text anyway")
    model_args(summarize)
    decoding_args(summarize)
    summarize.set_defaults(func=cmd_summarize)

    translate = commands.add_parser("translate", help="translate between Vietnamese and English")
    translate.add_argument("input", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    translate.add_argument("--source", default="auto", choices=["auto", "vi", "en"])
    translate.add_argument("--target", default="en", choices=["en", "vi"])
    translate.add_argument(
        "--model", help="registry name or checkpoint directory (default: the first translation model present)"
    )
    model_args(translate)
    decoding_args(translate)
    translate.set_defaults(func=cmd_translate)

    serve = commands.add_parser("serve", help="run the HTTP server (settings also from TOMTAT_* variables)")
    serve.add_argument("--host", help="default 127.0.0.1 ($TOMTAT_HOST)")
    serve.add_argument("--port", type=int, help="default 8000 ($TOMTAT_PORT)")
    serve.add_argument("--load-only", nargs="+", metavar="MODEL", help="load only these models (names or paths)")
    serve.add_argument("--checkpoint-dir")
    serve.add_argument("--backend", choices=["auto", "transformers", "ctranslate2"])
    serve.add_argument("--device")
    serve.add_argument("--threads", type=int)
    serve.set_defaults(func=cmd_serve)

    batch = commands.add_parser("batch", help="summarize an archive (JSONL, CSV, Parquet or a folder of .txt)")
    batch.add_argument("input", help="a .jsonl/.csv/.parquet file or a folder of .txt files")
    batch.add_argument("-o", "--output", required=True, help="results JSONL; rerun the same command to resume")
    batch.add_argument("--text-field", default="text")
    batch.add_argument("--id-field", default="id")
    batch.add_argument("--translate-to", choices=["en"], help="also translate each summary")
    batch.add_argument("--translation-model", help="default: the first vi->en translation model present")
    batch.add_argument("--model", help="summarization model (registry name or directory)")
    batch.add_argument("--engine", default="auto", choices=["auto", "abstractive", "extractive", "lead3"])
    batch.add_argument("--sentences", type=int, default=3, help="sentences the extractive engine keeps")
    batch.add_argument("--allow-any-language", action="store_true")
    batch.add_argument("--batch-size", type=int, default=16, help="records per model batch")
    batch.add_argument("--window", type=int, default=256, help="records sorted by length at a time (bounds memory)")
    batch.add_argument("--no-progress", action="store_true")
    batch.add_argument("--executor", default="local", choices=["local", "ray"])
    batch.add_argument("--ray-address", help="an existing Ray cluster (default: start a local one)")
    batch.add_argument("--concurrency", type=int, default=1, help="Ray actors (each loads the model once)")
    batch.add_argument("--num-gpus", type=float, default=0, help="GPUs per Ray actor")
    model_args(batch)
    batch.set_defaults(func=cmd_batch)

    keys = commands.add_parser("keys", help="manage API keys (when TOMTAT_REQUIRE_API_KEYS=true)")
    keys.add_argument("action", choices=["add", "list", "remove"])
    keys.add_argument("name", nargs="?", default="", help="key name (add) or id/name (remove)")
    keys.add_argument("--rpm", type=int, default=60, help="requests per minute")
    keys.add_argument("--chars-per-minute", type=int, default=500_000)
    keys.add_argument("--data-dir", help="default: $TOMTAT_DATA_DIR")
    keys.set_defaults(func=cmd_keys)

    fetch = commands.add_parser("fetch", help="download checkpoints from the Hugging Face hub (needs internet)")
    fetch.add_argument("names", nargs="+", metavar="NAME", help="registry names, e.g. vit5-base-vietnews envit5")
    fetch.add_argument("--output-dir", help="download into DIR/NAME instead of the Hugging Face cache")
    fetch.add_argument("--revision", help="a branch, tag or commit of the hub repo")
    fetch.add_argument("--convert", choices=["ct2"], help="also convert to CTranslate2 (into DIR/NAME-ct2)")
    fetch.add_argument("--quantization", default="int8", help="CTranslate2 quantization (default int8)")
    fetch.add_argument("--check", action="store_true", help="only check, offline, that each checkpoint is complete")
    fetch.set_defaults(func=cmd_fetch)

    convert = commands.add_parser("convert", help="convert a local checkpoint to CTranslate2")
    convert.add_argument("model", help="registry name or checkpoint directory")
    convert.add_argument("--checkpoint-dir")
    convert.add_argument("--output-dir", help="write DIR/NAME-ct2 (default: the checkpoint dir)")
    convert.add_argument("--quantization", default="int8", help="int8 (default), int8_float32, float32, ...")
    convert.set_defaults(func=cmd_convert)

    add_eval_parsers(commands)

    detect = commands.add_parser("detect", help="detect the language of a text")
    detect.add_argument("input", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    detect.add_argument("--json", action="store_true")
    detect.set_defaults(func=cmd_detect)
    return parser


def main(argv: list[str] | None = None) -> int:
    from tomtat.models.errors import BrokenCheckpointError, CheckpointNotFoundError, TomtatError
    from tomtat.models.hub import HubUnreachableError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CheckpointNotFoundError, BrokenCheckpointError) as error:
        return fail(str(error), EXIT_MODEL)
    except HubUnreachableError as error:
        return fail(str(error), EXIT_NETWORK)
    except TomtatError as error:
        return fail(str(error), EXIT_INPUT)


if __name__ == "__main__":
    sys.exit(main())
