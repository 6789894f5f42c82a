"""Precision and recall of the faithfulness flags on real text (IWSLT'15 tst2013, Vietnews test).

python scripts/faithfulness.py                      # reads ../shared/data
python scripts/faithfulness.py --examples 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat_tools.faithfulness_eval import run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(B.SHARED_DATA), help="folder holding iwslt15-tst2013/ and vietnews-test/")
    parser.add_argument("--seed", type=int, default=0, help="seed of the alterations (default: 0)")
    parser.add_argument("--examples", type=int, default=0, help="keep this many flagged faithful pairs per set")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "iwslt15-tst2013").is_dir() or not (data / "vietnews-test").is_dir():
        parser.error(f"{data} has no iwslt15-tst2013/ and vietnews-test/ (pass --data)")
    results = run(data, args.seed, args.examples)
    columns = ["set", "faithful pairs with facts", "flagged", "altered: detected", "precision", "recall"]
    print("| " + " | ".join([*columns, "check ms (median, p95)"]) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        detected = ", ".join(f"{k} {v:.1%} of {r['altered'][k]}" for k, v in r["detection_rate"].items()) or "-"
        print(
            f"| {r['set']} | {r['pairs_with_facts']} | {r['faithful_flag_rate']:.1%} | {detected} | "
            f"{r['precision']:.3f} | {r['recall']:.3f} | {r['check_ms_median']:.2f}, {r['check_ms_p95']:.2f} |"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
