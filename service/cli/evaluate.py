"""``tomtat eval summarize|translate``: quality on real test sets, printed and written per document."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from tomtat.models.evaluation import ROUGE_TYPES, detokenize, rouge_f1, summarize_scores, translation_scores
from tomtat.service.archive.core import RecordOptions, RecordProcessor
from tomtat.service.archive.input_record import InputRecord
from tomtat.service.cli.common import EXIT_INPUT, engine_args, fail, model_args, placement, positive_int, say
from tomtat.service.runtime.gateway import run_sync
from tomtat.service.runtime.local import summarizing_gateway, translating_gateway


def _load_articles(path: Path, limit: int | None, exclude: set[str]) -> list[dict[str, Any]]:
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            row = json.loads(line)
            if str(row.get("id")) in exclude:
                continue
            rows.append(row)
            if limit and len(rows) >= limit:
                break
    return rows


def _readable(*paths: str | None) -> str | None:
    """The first given path that is not a readable file, if any."""
    return next((p for p in paths if p and not Path(p).is_file()), None)


def eval_summarize(args: argparse.Namespace) -> int:
    missing = _readable(args.data, args.exclude_ids)
    if missing:
        what = "--data: JSONL with 'text' and 'summary' per line, such as the Vietnews test split"
        return fail(f"no such file: {missing} ({what})", EXIT_INPUT)
    exclude = set(Path(args.exclude_ids).read_text().split()) if args.exclude_ids else set()
    try:
        rows = _load_articles(Path(args.data), args.limit, exclude)
    except (ValueError, KeyError) as error:
        return fail(f"{args.data} is not JSONL of articles with 'text' and 'summary': {error}", EXIT_INPUT)
    if not rows:
        return fail("no records to evaluate", EXIT_INPUT)
    gateway, plan = summarizing_gateway(
        args.engine, args.model, placement(args), sentences=args.sentences, max_words=args.max_words
    )
    say(plan.note)
    processor = RecordProcessor(gateway, RecordOptions(plan, allow_any_language=True, text_format="text"))
    records = [InputRecord(str(r["id"]), detokenize(r["text"])) for r in rows]
    started = time.perf_counter()
    outputs: list[dict[str, Any]] = []
    for i in range(0, len(records), args.batch_size):
        outputs += processor.process(records[i : i + args.batch_size])
    seconds = time.perf_counter() - started
    predictions = [o.get("summary", "") for o in outputs]
    references = [detokenize(r["summary"]) for r in rows]
    per_doc = {kind: rouge_f1(predictions, references, kind) for kind in ("paper", "vietnamese")}
    engine = outputs[0].get("engine", "?") if outputs else "?"
    model = outputs[0].get("model", "?") if outputs else "?"
    print(f"{len(rows)} documents, engine {engine}, model {model}, {seconds:.1f} s")
    print(f"{'tokenizer':<32} " + "  ".join(f"{name:>22}" for name in ROUGE_TYPES))
    labels = {"paper": "rouge-score default (paper)", "vietnamese": "Vietnamese-aware"}
    summary = {}
    for kind, scores in per_doc.items():
        intervals = summarize_scores(scores)
        summary[kind] = {name: vars(value) for name, value in intervals.items()}
        print(f"{labels[kind]:<32} " + "  ".join(f"{intervals[name]!s:>22}" for name in ROUGE_TYPES))
    print("(ROUGE F1 x100, bootstrap 95% interval over documents)")
    if args.output:
        with Path(args.output).open("w", encoding="utf-8") as handle:
            for row, output, paper, vietnamese in zip(
                rows, outputs, per_doc["paper"], per_doc["vietnamese"], strict=True
            ):
                handle.write(
                    json.dumps(
                        {
                            "id": row["id"],
                            "summary": output.get("summary"),
                            "error": output.get("error"),
                            "paper": paper,
                            "vietnamese": vietnamese,
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
        print(f"per-document scores: {args.output}")
    if args.json:
        print(json.dumps({"documents": len(rows), "engine": engine, "model": model, "scores": summary}))
    return 0


def eval_translate(args: argparse.Namespace) -> int:
    missing = _readable(args.src, args.ref)
    if missing:
        return fail(f"no such file: {missing} (--src/--ref: aligned text files, one segment per line)", EXIT_INPUT)
    sources = Path(args.src).read_text(encoding="utf-8").splitlines()
    references = Path(args.ref).read_text(encoding="utf-8").splitlines()
    if len(sources) != len(references):
        return fail(f"{args.src} has {len(sources)} lines, {args.ref} has {len(references)}", EXIT_INPUT)
    if args.limit:
        sources, references = sources[: args.limit], references[: args.limit]
    gateway = translating_gateway(args.model, args.source, args.target, placement(args))
    started = time.perf_counter()
    lines = [f"line {i + 1}" for i in range(len(sources))]
    outcomes = run_sync(gateway.translate(sources, args.source, args.target, fields=lines))
    hypotheses = [o.translation.translation for o in outcomes]
    seconds = time.perf_counter() - started
    scores = translation_scores(hypotheses, references)
    model = outcomes[0].translation.model if outcomes else "?"
    print(f"{len(sources)} segments, {args.source}->{args.target}, model {model}, {seconds:.1f} s")
    print(f"BLEU {scores['bleu']}  ({scores['bleu_signature']})")
    print(f"chrF {scores['chrf']}  ({scores['chrf_signature']})")
    if args.output:
        Path(args.output).write_text("\n".join(hypotheses) + "\n", encoding="utf-8")
    return 0


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    evaluate = commands.add_parser(
        "eval",
        help="measure quality on a test set",
        description="Measure quality on a test set you have. Summaries: the Vietnews test split (JSONL, one "
        "article per line with 'id', 'text' and a reference 'summary'). Translation: aligned text files, "
        "one segment per line, such as IWSLT'15 tst2013 (vi.txt/en.txt).",
    )
    which = evaluate.add_subparsers(dest="what", required=True, metavar="TASK")
    summ = which.add_parser(
        "summarize", help="ROUGE F1 against reference summaries", description="ROUGE F1 with bootstrap intervals."
    )
    summ.add_argument("--data", required=True, help="JSONL with 'id', 'text' and 'summary' per line")
    engine_args(summ)
    summ.add_argument("--limit", type=positive_int, help="only the first N articles (default: all)")
    summ.add_argument("--exclude-ids", help="a file of ids to skip, one per line (e.g. articles also in training)")
    summ.add_argument("--batch-size", type=positive_int, default=16, help="articles per model batch (default: 16)")
    summ.add_argument("--output", help="also write per-document scores here (JSONL)")
    summ.add_argument("--json", action="store_true", help="also print the scores as one JSON object")
    model_args(summ)
    summ.set_defaults(func=eval_summarize)
    trans = which.add_parser(
        "translate", help="sacreBLEU BLEU and chrF on aligned files", description="sacreBLEU BLEU and chrF."
    )
    trans.add_argument("--src", required=True, help="source segments, one per line (e.g. vi.txt)")
    trans.add_argument("--ref", required=True, help="reference translations, aligned line by line (e.g. en.txt)")
    trans.add_argument("--source", default="vi", choices=["vi", "en"], help="source language (default: vi)")
    trans.add_argument("--target", default="en", choices=["vi", "en"], help="target language (default: en)")
    trans.add_argument(
        "--model", help="registry name or directory (default: the first model present for the direction)"
    )
    trans.add_argument("--limit", type=positive_int, help="only the first N segments (default: all)")
    trans.add_argument("--output", help="also write the translations here, one per line")
    model_args(trans)
    trans.set_defaults(func=eval_translate)
