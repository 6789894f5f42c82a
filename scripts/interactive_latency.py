"""Latency of a short interactive request while an archive job and 64-text requests run (÷ idle).

python scripts/interactive_latency.py                       # tiny look-alike models (built once, cached)
python scripts/interactive_latency.py --checkpoint-dir DIR --model vit5-base-vietnews --seconds 60
Prints the figures as JSON: idle p50, loaded p50/p95 and their ratios to idle, archive docs/s alone and
with the interactive and 64-text load. A benchmark, not a test: nothing here fails on a threshold.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile

from tomtat_tools.latency import run
from tomtat_tools.testmodels import cached_test_models


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint-dir", help="default: the tiny look-alike models")
    parser.add_argument("--model", default="vit5-base-vietnews")
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each measured window")
    parser.add_argument("--interval", type=float, default=0.5, help="pause between short requests")
    parser.add_argument("--bulk-clients", type=int, default=2, help="clients sending 64-text requests")
    parser.add_argument("--new-tokens", type=int, default=32, help="forced output length of every text")
    parser.add_argument(
        "--keep-lane-seconds", type=float, default=5.0, help="the server's TOMTAT_KEEP_LANE_SECONDS (quiet spell)"
    )
    parser.add_argument("--quiet-spells", type=int, default=8, help="requests sent each after a quiet spell")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as models:
        directory = args.checkpoint_dir or str(cached_test_models(models))
        figures = run(
            directory,
            args.model,
            args.seconds,
            args.interval,
            args.bulk_clients,
            args.new_tokens,
            args.keep_lane_seconds,
            args.quiet_spells,
        )
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
