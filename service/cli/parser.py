"""Every ``tomtat`` subcommand and option, each with its help text and default."""

from __future__ import annotations

import argparse

from tomtat import __version__
from tomtat.service.cli import commands
from tomtat.service.cli.common import (
    decoding_args,
    engine_args,
    existing_folder,
    model_args,
    non_negative_int,
    port_number,
    positive_int,
)
from tomtat.service.cli.evaluate import add_parsers as add_eval_parsers

INPUT_HELP = "a UTF-8 text file, or - for standard input (default: -)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tomtat",
        description="Vietnamese news summarization (ViT5) and Vietnamese-English translation (envit5).",
        epilog="Exit codes: 0 done, 2 bad input or arguments, 3 missing or broken checkpoint, "
        "4 hub unreachable, 5 (batch) some records failed.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    summarize = subcommands.add_parser(
        "summarize", help="summarize a Vietnamese article", description="Summarize one Vietnamese article."
    )
    summarize.add_argument("input", nargs="?", default="-", help=INPUT_HELP)
    engine_args(summarize)
    summarize.add_argument(
        "--allow-any-language", action="store_true", help="summarize text that looks clearly not Vietnamese"
    )
    model_args(summarize)
    summarize.add_argument("--json", action="store_true", help="print a JSON object instead of plain text")
    format_arg(summarize, "the summary of HTML is plain text")
    decoding_args(summarize)
    summarize.set_defaults(func=commands.cmd_summarize)

    translate = subcommands.add_parser(
        "translate",
        help="translate between Vietnamese and English",
        description="Translate a text, paragraph by paragraph.",
    )
    translate.add_argument("input", nargs="?", default="-", help=INPUT_HELP)
    translate.add_argument(
        "--source", default="auto", choices=["auto", "vi", "en"], help="source language (default: auto, detected)"
    )
    translate.add_argument("--target", default="en", choices=["en", "vi"], help="target language (default: en)")
    translate.add_argument(
        "--model",
        help="registry name or checkpoint directory (default: the first model present that translates "
        "the direction: envit5, then opus-mt-vi-en for vi->en)",
    )
    model_args(translate)
    translate.add_argument("--json", action="store_true", help="print a JSON object instead of plain text")
    format_arg(translate, "HTML is translated with its markup kept")
    decoding_args(translate)
    translate.set_defaults(func=commands.cmd_translate)

    serve = subcommands.add_parser(
        "serve",
        help="run the HTTP server",
        description="Run the HTTP server. Every setting also comes from TOMTAT_* environment variables "
        "(README, Settings); the options here override them.",
    )
    serve.add_argument("--host", help="listen address (default: 127.0.0.1, $TOMTAT_HOST)")
    serve.add_argument("--port", type=port_number, help="listen port (default: 8000, $TOMTAT_PORT)")
    serve.add_argument(
        "--load-only",
        nargs="+",
        metavar="MODEL",
        help="load only these models, names or checkpoint directories (default: every registry entry present, "
        "$TOMTAT_MODELS); /readyz is 503 while one of them is missing",
    )
    serve.add_argument(
        "--checkpoint-dir",
        type=existing_folder,
        help="where checkpoints live (default: ~/.cache/tomtat/checkpoints, $TOMTAT_CHECKPOINT_DIR)",
    )
    serve.add_argument(
        "--backend",
        choices=["auto", "transformers", "ctranslate2"],
        help="auto uses a NAME-ct2 conversion when present (default: auto, $TOMTAT_BACKEND)",
    )
    serve.add_argument("--device", help="auto, cpu or cuda (default: auto, $TOMTAT_DEVICE)")
    serve.add_argument(
        "--threads", type=non_negative_int, help="CPU threads per backend, 0 = library default ($TOMTAT_THREADS)"
    )
    serve.set_defaults(func=commands.cmd_serve)

    batch = subcommands.add_parser(
        "batch",
        help="summarize an archive",
        description="Summarize every record of a JSONL, CSV or Parquet file or a folder of .txt files into a "
        "JSONL file, one line per id, in input order. Rerun the same command to resume: records already "
        "summarized are skipped; records that failed for a reason the options can change (missing field, "
        "unreadable, model error) are retried, the others (empty, not Vietnamese) kept unless --retry-errors.",
    )
    batch.add_argument(
        "input",
        help="a .jsonl/.csv/.parquet file, a saved page (.html), a crawl (.warc, .warc.gz), a folder of these and "
        ".txt files, or a database URL (sqlite:///news.db, postgresql+psycopg://…) with --query",
    )
    batch.add_argument(
        "-o",
        "--output",
        required=True,
        help="the results JSONL (appended to on a rerun), or a database URL with --output-table",
    )
    batch.add_argument("--query", help="with a database input: the SELECT whose rows are the records (streamed)")
    batch.add_argument(
        "--output-table", help="with a database output: the table to write (created if missing), or to update"
    )
    batch.add_argument(
        "--update-column",
        help="with a database output: write each summary into this column of --output-table, at the row whose "
        "--id-field column is the record's id, instead of adding rows",
    )
    batch.add_argument("--text-field", default="text", help="the field holding the article (default: text)")
    batch.add_argument(
        "--id-field", default="id", help="the field holding the record id (default: id; else the record's number)"
    )
    batch.add_argument("--translate-to", choices=["en"], help="also translate each summary into this language")
    batch.add_argument(
        "--translation-model", help="registry name or directory (default: the first vi->en model present)"
    )
    engine_args(batch)
    batch.add_argument(
        "--allow-any-language", action="store_true", help="summarize records that look clearly not Vietnamese"
    )
    format_arg(batch, "each record's field is read so")
    batch.add_argument(
        "--max-chars",
        type=positive_int,
        default=100_000,
        help="characters per article; a longer record is an error line text_too_long (default: 100,000, "
        "the server's TOMTAT_MAX_CHARS default)",
    )
    batch.add_argument(
        "--keep-text",
        action="store_true",
        help="put the extracted text (and a CMS body's image captions) in each result line, to audit what was read",
    )
    batch.add_argument(
        "--only-empty",
        action="store_true",
        help="with --update-column: write only where the column is empty (NULL or blank), never over an editor's "
        "text; the final line counts the rows kept",
    )
    batch.add_argument(
        "--every-capture",
        action="store_true",
        help="a crawl: every capture of a URL is its own record (id URL@WARC-Date) instead of only the latest one",
    )
    batch.add_argument("--retry-errors", action="store_true", help="on a rerun, retry every record that failed")
    batch.add_argument(
        "--no-flags",
        action="store_true",
        help="skip the faithfulness flags (~9 ms of CPU per article: worth it on a GPU run)",
    )
    batch.add_argument("--batch-size", type=positive_int, default=16, help="records per model batch (default: 16)")
    batch.add_argument(
        "--cpu-workers",
        type=non_negative_int,
        help="processes that read articles and check facts beside the model (default: the cores the model "
        "leaves free, at most 8; 0: threads of this process)",
    )
    batch.add_argument(
        "--window",
        type=positive_int,
        default=256,
        help="records read, sorted by length into batches and written at a time (bounds memory; default: 256)",
    )
    batch.add_argument(
        "--cache",
        metavar="FILE",
        help="a result cache (SQLite, created if missing): articles summarized by an earlier run with the same "
        "model and options are not summarized again",
    )
    batch.add_argument(
        "--cache-entries", type=positive_int, default=1_000_000, help="entries the cache keeps (default: 1,000,000)"
    )
    batch.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    batch.add_argument(
        "--executor", default="local", choices=["local", "ray"], help="local process or Ray Data (default: local)"
    )
    batch.add_argument("--ray-address", help="an existing Ray cluster (default: start a local one)")
    batch.add_argument(
        "--concurrency", type=positive_int, default=1, help="Ray actors, each loads the model once (default: 1)"
    )
    batch.add_argument("--num-gpus", type=float, default=0, help="GPUs per Ray actor (default: 0)")
    model_args(batch)
    batch.set_defaults(func=commands.cmd_batch)

    keys = subcommands.add_parser(
        "keys",
        help="manage API keys",
        description="Manage the API keys the server accepts when TOMTAT_REQUIRE_API_KEYS=true.",
    )
    keys.add_argument("action", choices=["add", "list", "remove"], help="what to do")
    keys.add_argument("name", nargs="?", default="", help="the key's name (add), or its id or name (remove)")
    keys.add_argument("--rpm", type=positive_int, default=60, help="requests per minute (default: 60)")
    keys.add_argument(
        "--chars-per-minute", type=positive_int, default=500_000, help="characters per minute (default: 500000)"
    )
    keys.add_argument("--data-dir", help="the server's data folder (default: ~/.cache/tomtat/data, $TOMTAT_DATA_DIR)")
    keys.set_defaults(func=commands.cmd_keys)

    suggestions = subcommands.add_parser(
        "suggestions",
        help="export the corrections sent to /suggest",
        description="Export the translations readers proposed on /suggest (TOMTAT_SUGGESTIONS=true) as a "
        "parallel corpus: source language, target language, original, suggestion.",
    )
    suggestions.add_argument("action", choices=["export"], help="what to do")
    suggestions.add_argument("--format", default="tsv", choices=["tsv", "jsonl"], help="(default: tsv)")
    suggestions.add_argument("--output", help="a file to write (default: standard output)")
    suggestions.add_argument(
        "--data-dir", help="the server's data folder (default: ~/.cache/tomtat/data, $TOMTAT_DATA_DIR)"
    )
    suggestions.set_defaults(func=commands.cmd_suggestions)

    fetch = subcommands.add_parser(
        "fetch",
        help="download checkpoints from the Hugging Face hub",
        description="Download checkpoints (config, tokenizer, one weight format) from the Hugging Face hub "
        "($HF_ENDPOINT), or check downloaded ones offline with --check.",
    )
    fetch.add_argument("names", nargs="+", metavar="NAME", help="registry names, e.g. vit5-base-vietnews envit5")
    fetch.add_argument("--output-dir", help="download into DIR/NAME (default: the Hugging Face cache, $HF_HOME)")
    fetch.add_argument("--revision", help="a branch, tag or commit of the hub repo (default: main)")
    fetch.add_argument("--convert", choices=["ct2"], help="also convert to CTranslate2, into DIR/NAME-ct2")
    fetch.add_argument("--quantization", default="int8", help="CTranslate2 quantization (default: int8)")
    fetch.add_argument("--check", action="store_true", help="only check, offline, that each checkpoint is complete")
    fetch.set_defaults(func=commands.cmd_fetch)

    convert = subcommands.add_parser(
        "convert",
        help="convert a local checkpoint to CTranslate2",
        description="Convert a local transformers checkpoint to CTranslate2 (NAME-ct2, used by --backend auto).",
    )
    convert.add_argument("model", help="registry name or checkpoint directory")
    convert.add_argument(
        "--checkpoint-dir",
        type=existing_folder,
        help="where checkpoints live (default: ~/.cache/tomtat/checkpoints, $TOMTAT_CHECKPOINT_DIR)",
    )
    convert.add_argument("--output-dir", help="write DIR/NAME-ct2 (default: the checkpoint dir)")
    convert.add_argument(
        "--quantization", default="int8", help="int8, int8_float32, int8_float16, bfloat16, float32 (default: int8)"
    )
    convert.set_defaults(func=commands.cmd_convert)

    add_eval_parsers(subcommands)

    detect = subcommands.add_parser(
        "detect", help="detect the language of a text", description="Detect the language of a text."
    )
    detect.add_argument("input", nargs="?", default="-", help=INPUT_HELP)
    detect.add_argument("--json", action="store_true", help="print a JSON object instead of plain text")
    detect.set_defaults(func=commands.cmd_detect)

    check = subcommands.add_parser(
        "check",
        help="flag numbers, dates and names of an output its source does not support",
        description="Check a summary (same language) or a translation (other language) against its source: "
        "numbers, amounts, dates and names the source does not support, and for a translation those it leaves "
        "out. Needs no model.",
    )
    check.add_argument("--source", required=True, help="the article or source text: a UTF-8 file, or - for stdin")
    check.add_argument("--output", required=True, help="the summary or translation: a UTF-8 file, or - for stdin")
    check.add_argument("--source-lang", default="vi", choices=["vi", "en"], help="(default: vi)")
    check.add_argument("--output-lang", default="vi", choices=["vi", "en"], help="(default: vi)")
    check.add_argument("--json", action="store_true", help='print {"flags": [...]} as JSON')
    check.set_defaults(func=commands.cmd_check)
    return parser


def format_arg(parser: argparse.ArgumentParser, what: str) -> None:
    """``--format``: the same for every command that reads an article."""
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", "text", "html"],
        help="html: a CMS body or a whole page, the article extracted from the markup; text: as it is; auto: as "
        f"HTML when it looks like markup ({what}; default: auto)",
    )
