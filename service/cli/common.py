"""What every ``tomtat`` subcommand shares: exit codes, input reading, model and decoding options."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tomtat.service.runtime.keys import Overrides, overrides_of
from tomtat.service.runtime.local import Placement

EXIT_INPUT = 2  # bad input or arguments
EXIT_MODEL = 3  # missing or broken checkpoint
EXIT_NETWORK = 4  # the hub could not be reached
EXIT_RECORDS_FAILED = 5  # tomtat batch: some or all records failed (each has an error line)


def read_input(source: str) -> str:
    if source == "-":
        data = sys.stdin.buffer.read()
        name = "standard input"
    else:
        path = Path(source)
        if not path.is_file():
            raise SystemExit(fail(f"no such file: {source}", EXIT_INPUT))
        data = path.read_bytes()
        name = source
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SystemExit(fail(f"{name} is not UTF-8 text ({error.reason} at byte {error.start})", EXIT_INPUT)) from None


def _whole_number(value: str, least: int) -> int:
    try:
        number = int(value)
    except ValueError:
        number = least - 1
    if number < least:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least {least}")
    return number


def positive_int(value: str) -> int:
    """argparse type: 1, 2, ... (a batch size or count of 0 would loop forever or fail deep inside)."""
    return _whole_number(value, 1)


def non_negative_int(value: str) -> int:
    """argparse type: 0, 1, ... (0 means "the default" where the help says so)."""
    return _whole_number(value, 0)


def existing_folder(value: str) -> str:
    """A folder that must already be there (a misspelt --checkpoint-dir is named, not read as empty)."""
    if not Path(value).expanduser().is_dir():
        raise argparse.ArgumentTypeError(f"{value} is not a folder (no such directory)")
    return value


def port_number(value: str) -> int:
    """argparse type: a TCP port, 0 to 65535."""
    number = _whole_number(value, 0)
    if number > 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (0 to 65535)")
    return number


def fail(message: str, code: int) -> int:
    print(f"tomtat: error: {message}", file=sys.stderr)
    return code


def decoding_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("decoding overrides (default: the model card's: greedy, 256/512 tokens)")
    group.add_argument("--num-beams", type=positive_int, help="beam size (card: 1, greedy; OPUS-MT: 4)")
    group.add_argument("--max-length", type=positive_int, help="output tokens, start token included (card: 256/512)")
    group.add_argument(
        "--no-repeat-ngram-size", type=non_negative_int, help="forbid repeating n-grams of this size (card: 0)"
    )
    group.add_argument("--repetition-penalty", type=float, help="penalty on repeated tokens (card: 1.0, none)")


def model_args(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("where models are found and how they run")
    group.add_argument(
        "--checkpoint-dir",
        type=existing_folder,
        help="where checkpoints live (default: ~/.cache/tomtat/checkpoints, $TOMTAT_CHECKPOINT_DIR)",
    )
    group.add_argument(
        "--backend",
        default="auto",
        choices=["auto", "transformers", "ctranslate2"],
        help="auto uses a NAME-ct2 conversion when present (default: auto)",
    )
    group.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    group.add_argument(
        "--threads", type=non_negative_int, default=0, help="CPU threads, 0 = the library's default (default: 0)"
    )


def engine_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        default="auto",
        choices=["auto", "abstractive", "extractive", "lead3"],
        help="auto: the abstractive model when one is present, else extractive (default: auto)",
    )
    parser.add_argument(
        "--model", help="summarization model: registry name or checkpoint directory (default: the first present)"
    )
    parser.add_argument(
        "--sentences",
        type=positive_int,
        help="extractive/lead engines: keep this many sentences (default: up to 3 within 45 words)",
    )
    parser.add_argument(
        "--max-words", type=positive_int, help="extractive engine: a word budget (default: none with --sentences)"
    )


def decoding_overrides(args: argparse.Namespace) -> Overrides:
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
                fail(
                    f"--{key.replace('_', '-')} must be at least {1 if key in ('num_beams', 'max_length') else 0}",
                    EXIT_INPUT,
                )
            )
    return overrides_of(overrides)


def placement(args: argparse.Namespace) -> Placement:
    if "batch_size" in args:  # tomtat batch and eval: their batches reach the model whole
        return Placement.for_batches(args.checkpoint_dir, args.backend, args.device, args.threads, args.batch_size)
    return Placement(args.checkpoint_dir, args.backend, args.device, args.threads)


def say(note: str | None) -> None:
    """A note for the user (why an engine was chosen, what was done) on stderr."""
    if note:
        print(f"tomtat: {note}", file=sys.stderr)


def server_data_dir(args: argparse.Namespace) -> Path:
    """``--data-dir``, else the server's own setting (``TOMTAT_DATA_DIR``): where its SQLite file lives."""
    from tomtat.service.settings import Settings

    return Path(args.data_dir).expanduser() if args.data_dir else Settings().data_dir
