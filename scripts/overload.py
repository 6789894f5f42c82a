"""Flood a tomtat server with concurrent clients and report what it answered, /healthz latency and RSS.

python scripts/overload.py --url http://127.0.0.1:8000 --clients 64 --seconds 30
python scripts/make_test_models.py /tmp/tm && TOMTAT_CHECKPOINT_DIR=/tmp/tm TOMTAT_MAX_QUEUE=16 tomtat serve &
Exit status 1 when the server answered anything but 2xx/429/503-with-Retry-After, or dropped a request.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from tomtat_tools.overload import run_overload


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    report = asyncio.run(run_overload(args.url, args.clients, args.seconds))
    print(report.summary())
    healthy = not report.unexpected() and not report.transport_errors and not report.incomplete_answers
    return 0 if healthy and not report.missing_retry_after and not report.healthz_failures else 1


if __name__ == "__main__":
    sys.exit(main())
