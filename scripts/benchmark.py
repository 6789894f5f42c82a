"""Benchmark tomtat against the model-card way and raw CTranslate2 (thin wrapper over ``tomtat bench``).

python scripts/benchmark.py            # true ViT5-base / envit5 shapes, ~10 minutes on 2 cores
python scripts/benchmark.py --quick    # tiny models, every mode once
"""

from __future__ import annotations

import sys

from service.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
