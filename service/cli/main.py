"""The ``tomtat`` command line: summarize, translate, detect (and the server and tools as they land)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tomtat.models.engine_choice import EngineChoice

EXIT_INPUT = 2  # bad input or arguments
EXIT_MODEL = 3  # missing or broken checkpoint
EXIT_NETWORK = 4  # the hub could not be reached


def _read_input(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise SystemExit(_fail(f"no such file: {source}", EXIT_INPUT))
        data = path.read_bytes()
        name = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SystemExit(
            _fail(f"{name} is not UTF-8 text ({error.reason} at byte {error.start})", EXIT_INPUT)
        ) from None


def _fail(message: str, code: int) -> int:
    print(f"tomtat: error: {message}", file=sys.stderr)
    return code


def _decoding_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("decoding overrides (default: the model card's)")
    group.add_argument("--num-beams", type=int)
    group.add_argument("--max-length", type=int)
    group.add_argument("--no-repeat-ngram-size", type=int)
    group.add_argument("--repetition-penalty", type=float)


def _model_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint-dir", help="where checkpoints live (default: $TOMTAT_CHECKPOINT_DIR)")
    parser.add_argument("--backend", default="auto", choices=["auto", "transformers", "ctranslate2"])
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: library default)")
    parser.add_argument("--json", action="store_true", help="print a JSON object instead of plain text")


def _overrides(args: argparse.Namespace) -> dict[str, int | float]:
    """Decoding overrides given on the command line (validated); the card's values fill the rest."""
    overrides = {
        "num_beams": args.num_beams,
        "max_length": args.max_length,
        "no_repeat_ngram_size": args.no_repeat_ngram_size,
        "repetition_penalty": args.repetition_penalty,
    }
    overrides = {k: v for k, v in overrides.items() if v is not None}
    for key, value in overrides.items():
        if value < (1 if key in ("num_beams", "max_length") else 0):
            raise SystemExit(
                _fail(
                    f"--{key.replace('_', '-')} must be at least {1 if key in ('num_beams', 'max_length') else 0}",
                    EXIT_INPUT,
                )
            )
    return overrides


def summarizer_from_args(args: argparse.Namespace) -> EngineChoice:
    """The summarizer the engine/model/backend options ask for; says so on stderr when it fell back."""
    from tomtat.models.engine_choice import choose_summarizer

    choice = choose_summarizer(
        args.engine,
        args.model,
        checkpoint_dir=args.checkpoint_dir,
        backend=args.backend,
        device=args.device,
        threads=args.threads,
        sentences=args.sentences,
    )
    if choice.note:
        print(f"tomtat: {choice.note}", file=sys.stderr)
    return choice


def cmd_summarize(args: argparse.Namespace) -> int:
    from tomtat.models.summarizer import check_article

    text = check_article(_read_input(args.input), allow_any_language=args.allow_any_language)
    choice = summarizer_from_args(args)
    (result,) = choice.summarizer.summarize([text], _overrides(args))
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    else:
        print(result.summary)
        print(f"[engine: {result.engine}, model: {result.model}]", file=sys.stderr)
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    from tomtat.models.model import load_model
    from tomtat.models.translator import Translator

    text = _read_input(args.input)
    if not text.strip():
        return _fail("the text to translate is empty", EXIT_INPUT)
    model = load_model(
        args.model, checkpoint_dir=args.checkpoint_dir, backend=args.backend, device=args.device, threads=args.threads
    )
    translator = Translator([model])
    (result,) = translator.translate([text], source=args.source, target=args.target, overrides=_overrides(args))
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    else:
        print(result.translation)
        print(f"[{result.source}->{result.target}, model: {result.model}]", file=sys.stderr)
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from tomtat.models.langdetect import detect_language

    detection = detect_language(_read_input(args.input))
    if args.json:
        print(json.dumps(asdict(detection)))
    else:
        print(f"{detection.language}\t{detection.probability}")
    return 0


def _convert(located, output_dir: str | None, quantization: str) -> Path:
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
    from tomtat.models.model import load_model
    from tomtat.models.translator import Translator
    from tomtat.service.archive.pipeline import RecordProcessor, run_archive
    from tomtat.service.archive.records import InputFormatError, input_format

    try:
        input_format(Path(args.input))
    except InputFormatError as error:
        return _fail(str(error), EXIT_INPUT)
    if args.executor == "ray":
        from tomtat.service.archive.ray_executor import run_on_ray

        try:
            report = run_on_ray(args)
        except InputFormatError as error:
            return _fail(str(error), EXIT_INPUT)
        print(report.line(), file=sys.stderr)
        return 0
    choice = summarizer_from_args(args)
    translator = None
    if args.translate_to:
        translator = Translator(
            [
                load_model(
                    args.translation_model,
                    checkpoint_dir=args.checkpoint_dir,
                    backend=args.backend,
                    device=args.device,
                    threads=args.threads,
                )
            ]
        )
    processor = RecordProcessor(choice.summarizer, translator, args.translate_to, args.allow_any_language)
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
        return _fail(str(error), EXIT_INPUT)
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
        return _fail(f"keys {args.action} needs a name", EXIT_INPUT)
    if args.action == "add":
        try:
            key, secret = store.add(args.name, args.rpm, args.chars_per_minute)
        except ValueError as error:
            return _fail(str(error), EXIT_INPUT)
        print(secret)
        print(f"key {key.id} ({key.name}) added; the secret above is shown only once", file=sys.stderr)
    elif args.action == "list":
        for key in store.list():
            print(f"{key.id}\t{key.name}\t{key.requests_per_minute} req/min\t{key.chars_per_minute} chars/min")
    elif not store.remove(args.name):
        return _fail(f"no key with id or name {args.name!r}", EXIT_INPUT)
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
    commands = parser.add_subparsers(dest="command", required=True)

    summarize = commands.add_parser("summarize", help="summarize a Vietnamese article")
    summarize.add_argument("input", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    summarize.add_argument("--model", help="registry name or checkpoint directory (default: the first present)")
    summarize.add_argument("--engine", default="auto", choices=["auto", "abstractive", "extractive", "lead3"])
    summarize.add_argument("--sentences", type=int, default=3, help="sentences the extractive engine keeps")
    summarize.add_argument("--allow-any-language", action="store_true", help="summarize non-Vietnamese text anyway")
    _model_args(summarize)
    _decoding_args(summarize)
    summarize.set_defaults(func=cmd_summarize)

    translate = commands.add_parser("translate", help="translate between Vietnamese and English")
    translate.add_argument("input", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    translate.add_argument("--source", default="auto", choices=["auto", "vi", "en"])
    translate.add_argument("--target", default="en", choices=["en", "vi"])
    translate.add_argument("--model", default="envit5", help="registry name or checkpoint directory")
    _model_args(translate)
    _decoding_args(translate)
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
    batch.add_argument("--translation-model", default="envit5")
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
    _model_args(batch)
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

    from tomtat.service.cli.evaluate import add_parsers as add_eval_parsers

    add_eval_parsers(commands, _model_args)

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
        return args.func(args)
    except (CheckpointNotFoundError, BrokenCheckpointError) as error:
        return _fail(str(error), EXIT_MODEL)
    except HubUnreachableError as error:
        return _fail(str(error), EXIT_NETWORK)
    except TomtatError as error:
        return _fail(str(error), EXIT_INPUT)


if __name__ == "__main__":
    sys.exit(main())
