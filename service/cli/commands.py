"""What each ``tomtat`` subcommand does (its options are in ``parser.py``)."""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import logging
import os
import socket
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tomtat.service.cli.common import (
    EXIT_INPUT,
    EXIT_MODEL,
    EXIT_RECORDS_FAILED,
    decoding_overrides,
    fail,
    placement,
    read_input,
    say,
    server_data_dir,
)

if TYPE_CHECKING:
    from tomtat.models.checkpoints import LocatedCheckpoint
    from tomtat.models.facts import Flag


def cmd_summarize(args: argparse.Namespace) -> int:
    from tomtat.models.summarizer import check_article
    from tomtat.service.archive.articles import ArticleFormatError, article_of
    from tomtat.service.runtime.gateway import run_sync
    from tomtat.service.runtime.local import summarizing_gateway

    try:
        article = article_of(read_input(args.input), args.format)
    except ArticleFormatError as error:
        return fail(str(error), EXIT_INPUT)
    text = check_article(article.text, allow_any_language=args.allow_any_language, override="--allow-any-language")
    gateway, plan = summarizing_gateway(
        args.engine,
        args.model,
        placement(args),
        decoding_overrides(args),
        sentences=args.sentences,
        max_words=args.max_words,
    )
    say(plan.note)
    (result,) = run_sync(gateway.summarize([text], plan))
    summary = result.summary
    about = f"engine: {summary.engine}, model: {summary.model}"
    return show(args.json, summary, summary.summary, about, result.flags)


def cmd_translate(args: argparse.Namespace) -> int:
    from tomtat.service.archive.articles import looks_like_markup
    from tomtat.service.runtime.gateway import run_sync
    from tomtat.service.runtime.local import translating_gateway

    text = read_input(args.input)
    if not text.strip():
        return fail("the text to translate is empty", EXIT_INPUT)
    gateway = translating_gateway(args.model, args.source, args.target, placement(args))
    if args.format == "html" or (args.format == "auto" and looks_like_markup(text)):
        work = gateway.translate_markup([text], args.source, args.target, ["input"], overrides=decoding_overrides(args))
        (markup,) = run_sync(work)
        about = f"{markup.source}->{args.target}, model: {markup.model}, markup kept"
        return show(args.json, markup, markup.document, about, markup.flags)
    (result,) = run_sync(gateway.translate([text], args.source, args.target, decoding_overrides(args), ["input"]))
    translation = result.translation
    about = f"{translation.source}->{translation.target}, model: {translation.model}"
    return show(args.json, translation, translation.translation, about, result.flags)


def show(as_json: bool, result: Any, text: str, about: str, flags: Sequence[Flag] = ()) -> int:
    """A result as JSON (everything, its faithfulness flags included), or its text on stdout and how
    it was made, and each flag, on stderr."""
    if as_json:
        print(json.dumps({**asdict(result), "flags": [f.as_dict() for f in flags]}, ensure_ascii=False, indent=2))
    else:
        print(text)
        print(f"[{about}]", file=sys.stderr)
        for flag in flags:
            print(f"tomtat: check: {describe(flag)}", file=sys.stderr)
    return 0


def describe(flag: Flag) -> str:
    """One line a person reads: what, why, and what the source has instead."""
    where = "source" if flag.reason == "missing" else "output"
    line = f"{flag.kind} {flag.text!r} ({where} {flag.start}-{flag.end}): {flag.reason}"
    return line + (f", the source has {flag.source_match!r}" if flag.source_match else "")


def cmd_check(args: argparse.Namespace) -> int:
    from tomtat.models.facts import check_pair

    if args.source == args.output == "-":
        return fail("only one of --source and --output can be standard input", EXIT_INPUT)
    source, output = read_input(args.source), read_input(args.output)
    if not source.strip() or not output.strip():
        return fail("the source and the output must both have text", EXIT_INPUT)
    flags = check_pair(source, output, args.source_lang, args.output_lang)
    if args.json:
        print(json.dumps({"flags": [f.as_dict() for f in flags]}, ensure_ascii=False, indent=2))
    else:
        for flag in flags:
            print(describe(flag))
        print(f"[{len(flags)} flags]", file=sys.stderr)
    return 0


def cmd_detect(args: argparse.Namespace) -> int:
    from tomtat.models.translator import detect_source

    detection = detect_source(read_input(args.input))
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


def check_batch_locations(args: argparse.Namespace) -> None:
    """The input has the text field and the output options fit (a database needs its query or table)."""
    from tomtat.service.archive.records import InputFormatError, MissingFieldError, check_text_field
    from tomtat.service.archive.sql import is_url, query_fields

    if is_url(args.input) or is_url(args.output):
        if args.executor == "ray":
            raise InputFormatError("database inputs and outputs run on the local executor (not on Ray yet)")
    if is_url(args.input):
        if not args.query:
            raise InputFormatError('a database input needs --query "SELECT id, body FROM …"')
        fields = query_fields(args.input, args.query)
        if args.text_field not in fields:
            raise MissingFieldError(Path("the query"), args.text_field, fields)
    else:  # the default id field may be absent (records are then numbered); one named must be there
        check_text_field(args.input, args.text_field, args.id_field if args.id_field != "id" else None)
    if is_url(args.output) and not args.output_table:
        raise InputFormatError("a database output needs --output-table (and --update-column to update it in place)")
    if args.update_column and not is_url(args.output):
        raise InputFormatError("--update-column needs a database --output")
    if args.only_empty and not args.update_column:
        raise InputFormatError("--only-empty goes with --update-column (it keeps the column's existing text)")


def cmd_batch(args: argparse.Namespace) -> int:
    from tomtat.service.archive.core import RecordOptions, RecordProcessor
    from tomtat.service.archive.pipeline import run_archive
    from tomtat.service.archive.records import InputFormatError, MissingFieldError
    from tomtat.service.runtime.local import cpu_work_for, summarizing_gateway

    try:
        check_batch_locations(args)  # before any model loads
    except MissingFieldError as error:
        what = "the article's field" if error.option == "--text-field" else "the records' id field"
        return fail(f"{error} (choose {what} with {error.option})", EXIT_INPUT)
    except InputFormatError as error:
        return fail(str(error), EXIT_INPUT)
    if args.executor == "ray":
        from tomtat.service.archive.ray_executor import ActorOptions, RayRun, run_on_ray

        actor = ActorOptions(
            placement(args),
            args.engine,
            args.model,
            args.sentences,
            args.max_words,
            args.translate_to,
            args.translation_model,
            args.allow_any_language,
            not args.no_flags,
            args.format,
            args.keep_text,
            args.max_chars,
        )
        run = RayRun(
            Path(args.input),
            Path(args.output),
            actor,
            args.text_field,
            args.id_field,
            args.batch_size,
            args.concurrency,
            args.num_gpus,
            args.ray_address,
        )
        try:
            report = run_on_ray(run)
        except InputFormatError as error:
            return fail(str(error), EXIT_INPUT)
        print(report.line(), file=sys.stderr)
        return EXIT_RECORDS_FAILED if report.errors else 0
    gateway, plan = summarizing_gateway(
        args.engine,
        args.model,
        placement(args),
        sentences=args.sentences,
        max_words=args.max_words,
        translate_to=args.translate_to,
        translation_model=args.translation_model,
    )
    say(plan.note)
    if args.cache:
        from tomtat.service.runtime.result_cache import ResultCache

        gateway.cache = ResultCache(args.cache, args.cache_entries)
    options = RecordOptions(
        plan, args.translate_to, args.allow_any_language, not args.no_flags, args.format, args.keep_text, args.max_chars
    )
    gateway.cpu = cpu_work_for(gateway, placement(args), args.cpu_workers)
    processor = RecordProcessor(gateway, options)
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
            retry_errors=args.retry_errors,
            query=args.query,
            output_table=args.output_table,
            update_column=args.update_column,
            only_empty=args.only_empty,
            every_capture=args.every_capture,
        )
    except InputFormatError as error:
        return fail(str(error), EXIT_INPUT)
    except Exception as error:
        if type(error).__module__.startswith("sqlalchemy"):  # the database went away, a constraint, …
            return fail(f"database: {error.__class__.__name__}: {getattr(error, 'orig', None) or error}", EXIT_INPUT)
        raise
    finally:
        gateway.cpu.close()
    print(report.line(), file=sys.stderr)
    if gateway.cache is not None:
        print(
            f"tomtat: result cache {args.cache}: {gateway.cache.hits} hits, {gateway.cache.misses} misses",
            file=sys.stderr,
        )
    if report.duplicates:
        shown = ", ".join(report.duplicates[:10]) + (" ..." if len(report.duplicates) > 10 else "")
        print(f"tomtat: duplicate ids in the input (first occurrence kept): {shown}", file=sys.stderr)
    failed = report.errors + report.kept_errors  # the outcome is the output file's, earlier runs included
    if failed:
        print(f"tomtat: {failed} records failed; their lines in {args.output} say why", file=sys.stderr)
        return EXIT_RECORDS_FAILED
    return 0


def cmd_suggestions(args: argparse.Namespace) -> int:
    from tomtat.service.suggestions import SuggestionStore, export_lines

    data_dir = server_data_dir(args)
    database = data_dir / "tomtat.db"
    if not database.exists():
        return fail(f"no server data in {data_dir} (pass --data-dir)", EXIT_INPUT)
    store = SuggestionStore(database)
    count = 0
    try:
        with open(args.output, "w", encoding="utf-8") if args.output else contextlib.nullcontext(sys.stdout) as out:
            for line in export_lines(store.all(), args.format):
                out.write(line + "\n")
                count += 1
    finally:
        store.close()
    print(f"{count} suggestions exported", file=sys.stderr)
    return 0


def cmd_keys(args: argparse.Namespace) -> int:
    from tomtat.service.api.auth import KeyStore

    data_dir = server_data_dir(args)
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


def _unusable_address(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (in use, not this machine's), before any model
    loads: found in a second, not after the models and uvicorn's own error."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        in_use = error.errno == errno.EADDRINUSE
        reason = "is in use (another server?)" if in_use else f"cannot be used: {error.strerror}"
        return f"{host}:{port} {reason}; choose another with --port or --host"
    return None


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn
    from pydantic import ValidationError

    from tomtat.service.api.app import create_app
    from tomtat.service.api.protocol import header_deadline_protocol
    from tomtat.service.database import NewerSchemaError
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
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:  # a bad TOMTAT_* variable: named in one line, not a traceback
        first = error.errors()[0]
        name = "TOMTAT_" + "_".join(str(part) for part in first["loc"]).upper()
        return fail(f"{name}: {first['msg']}", EXIT_INPUT)
    if problem := _unusable_address(settings.host, settings.port):
        return fail(problem, EXIT_INPUT)
    log = logging.getLogger("tomtat")  # model states at startup, next to uvicorn's own lines
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     tomtat: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    # SIGTERM: stop accepting, let in-flight requests finish (bounded), then the app's shutdown
    # lets the job batch in the model finish and saves it; unfinished records wait for the next start
    grace = round(settings.shutdown_grace_seconds)
    try:
        app = create_app(settings)
    except NewerSchemaError as error:  # a data folder written by a newer tomtat: said, not a traceback
        return fail(str(error), EXIT_INPUT)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        timeout_graceful_shutdown=grace,
        limit_concurrency=settings.max_connections,  # beyond it: 503 at once, not file descriptors run out
        timeout_keep_alive=settings.keep_alive_seconds,  # an idle connection is closed after this
        http=header_deadline_protocol(settings.header_timeout_seconds),  # and one whose header never comes
    )
    if app.state.abandoned_batches:  # a model call cannot be interrupted: exit without joining its thread
        log.warning("exiting with a batch still in the model after the grace; its records run at the next start")
        logging.shutdown()
        os._exit(0)
    return 0
