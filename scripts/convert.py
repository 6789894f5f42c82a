"""Convert a local checkpoint to CTranslate2 (thin wrapper over ``tomtat convert``).

python scripts/convert.py vit5-base-vietnews --quantization int8
"""

from __future__ import annotations

import sys

from tomtat.service.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["convert", *sys.argv[1:]]))
