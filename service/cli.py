"""The ``tomtat`` command line: summarize, translate, detect (and the server and tools as they land)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

EXIT_INPUT = 2  # bad input or arguments
EXIT_MODEL = 3  # missing or broken checkpoint


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


def cmd_summarize(args: argparse.Namespace) -> int:
    from models.engines import choose_summarizer
    from models.summarizer import check_article

    text = check_article(_read_input(args.input), allow_any_language=args.allow_any_language)
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
    (result,) = choice.summarizer.summarize([text], _overrides(args))
    if args.json:
        print(json.dumps(asdict(result), ensure_ascii=False, indent=2))
    else:
        print(result.summary)
        print(f"[engine: {result.engine}, model: {result.model}]", file=sys.stderr)
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    from models.model import load_model
    from models.translator import Translator

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
    from models.langdetect import detect_language

    detection = detect_language(_read_input(args.input))
    if args.json:
        print(json.dumps(asdict(detection)))
    else:
        print(f"{detection.language}\t{detection.probability}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .settings import Settings

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
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, timeout_graceful_shutdown=30)
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

    detect = commands.add_parser("detect", help="detect the language of a text")
    detect.add_argument("input", nargs="?", default="-", help="a UTF-8 text file, or - for stdin")
    detect.add_argument("--json", action="store_true")
    detect.set_defaults(func=cmd_detect)
    return parser


def main(argv: list[str] | None = None) -> int:
    from models.errors import BrokenCheckpointError, CheckpointNotFoundError, TomtatError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CheckpointNotFoundError, BrokenCheckpointError) as error:
        return _fail(str(error), EXIT_MODEL)
    except TomtatError as error:
        return _fail(str(error), EXIT_INPUT)


if __name__ == "__main__":
    sys.exit(main())
