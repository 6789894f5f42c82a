"""Replay the hostile inputs of issue 25 against a live server and print what each did to it.

python scripts/attacks.py                      # its own `tomtat serve` on tiny look-alike models
python scripts/attacks.py --only parquet       # the attacks whose name contains "parquet"
Each row: what the server answered, its peak RSS above the level before, the slowest /healthz while the
attack ran (polled every 0.2 s), seconds. Exit 1 when anything answered 5xx or a bound was passed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile

from tomtat_tools.attacks import healthy, run_attacks
from tomtat_tools.bench import _server
from tomtat_tools.latency import _free_port
from tomtat_tools.testmodels import cached_test_models


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="run only the attacks whose name contains this")
    parser.add_argument("--rss-bound-mb", type=float, default=200.0)
    parser.add_argument("--healthz-bound-ms", type=float, default=1000.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as models, tempfile.TemporaryDirectory() as data:
        port = _free_port()
        env = {
            "TOMTAT_CHECKPOINT_DIR": str(cached_test_models(models)),
            "TOMTAT_MODELS": '["vit5-base-vietnews", "envit5"]',
            "TOMTAT_DATA_DIR": data,
        }
        server, _ = _server(env, port)  # started, and ready
        try:
            print("| attack | answers | peak RSS, MB above before | slowest /healthz, ms | seconds |")
            print("|---|---|---|---|---|")
            outcomes = run_attacks(f"http://127.0.0.1:{port}", server.pid, args.only)
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    ok = healthy(outcomes, args.rss_bound_mb, args.healthz_bound_ms)
    verdict = "held" if ok else "PASSED"
    print(f"bounds: RSS +{args.rss_bound_mb:.0f} MB, /healthz {args.healthz_bound_ms:.0f} ms: {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
