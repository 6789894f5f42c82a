"""The faithfulness flags on held-out text with alterations unlike the tuning set's (recall per kind).

python scripts/faithfulness_heldout.py --vietnews-git /work/.mirror/ThanhChinhBK+vietnews/repo
(the Vietnews repository brought by the library's ``fetch``; PhoMT test from ../shared/data)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import tomtat_tools.benchmarking as B
from tomtat_tools.heldout_faithfulness import run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vietnews-git", required=True, help="the git directory of ThanhChinhBK/vietnews")
    parser.add_argument("--data", default=str(B.SHARED_DATA), help="folder holding phomt-test/")
    parser.add_argument("--articles", type=int, default=300, help="train articles to summarize (default: 300)")
    args = parser.parse_args()
    if not Path(args.vietnews_git).is_dir():
        parser.error(f"{args.vietnews_git} is not a git directory")
    print("| set | pairs | faithful flagged | recall per alteration | check ms (median) |")
    print("| --- | --- | --- | --- | --- |")
    for row in run(Path(args.vietnews_git), Path(args.data), args.articles):
        recall = ", ".join(
            f"{kind} {found / total:.0%} ({found}/{total})"
            for kind, (found, total) in row["recall"].items()  # type: ignore[attr-defined]
        )
        rate, ms = f"{row['faithful_flag_rate']:.1%}", f"{row['check_ms_median']:.2f}"
        print(f"| {row['set']} | {row['pairs']} | {rate} | {recall} | {ms} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
