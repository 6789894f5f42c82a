"""Write docs/settings.md from the server's Settings (or, with --check, fail when it is out of date).

python scripts/settings_doc.py           # after changing service/settings.py
python scripts/settings_doc.py --check   # what CI and tests/test_docs.py check
"""

from __future__ import annotations

import argparse
import sys

from tomtat_tools.settings_doc import PAGE, render


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    if args.check:
        if PAGE.read_text(encoding="utf-8") != render():
            print(f"{PAGE} is out of date: run python scripts/settings_doc.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(render(), encoding="utf-8")
    print(PAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
