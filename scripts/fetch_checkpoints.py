"""Fetch checkpoints (thin wrapper over ``tomtat fetch``).

python scripts/fetch_checkpoints.py vit5-base-vietnews envit5 --convert ct2
"""

from __future__ import annotations

import sys

from tomtat.service.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["fetch", *sys.argv[1:]]))
