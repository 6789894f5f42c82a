"""Benchmark tomtat against the model-card way and raw CTranslate2 .

python scripts/benchmark.py            # true ViT5-base / envit5 shapes, ~10 minutes on 2 cores
python scripts/benchmark.py --quick    # tiny models, every mode once
"""

from __future__ import annotations

import sys

from tomtat_tools.bench import build_parser, main

if __name__ == "__main__":
    sys.exit(main(build_parser().parse_args()))
