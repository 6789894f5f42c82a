"""Page extraction measured on a public corpus with stated expectations: trafilatura's own evaluation data
(``tests/evaldata.json``: per page, strings the main text must hold and strings it must not, and the
saved pages in ``tests/cache/``). Nothing here was tuned on it.

    git clone https://github.com/adbar/trafilatura && python scripts/extraction_eval.py trafilatura/tests

Prints, for the extraction before this change (precision mode alone, ``fast``) and now
(``articles.from_html``: precision, then the fallback extractors, then recall, index pages refused):
pages with no article found, recall of the must-have strings and precision of the must-not-have ones.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tomtat.service.archive import articles


def before(page: bytes, url: str) -> str:
    found = articles._extract(page, url, precision=True, recall=False, fast=True)
    return found.text if found else ""


def now(page: bytes, url: str) -> str:
    found = articles.from_html(page, url)
    return found.text if found else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tests_dir", type=Path, help="trafilatura's tests/ folder (evaldata.json and cache/)")
    args = parser.parse_args()
    expectations = json.loads((args.tests_dir / "evaldata.json").read_text(encoding="utf-8"))
    pages = [(url, item) for url, item in expectations.items() if (args.tests_dir / "cache" / item["file"]).is_file()]
    print(f"{len(pages)} pages of {len(expectations)} in evaldata.json have their saved page in cache/")
    for name, extract in (("before (precision, fast)", before), ("now (from_html)", now)):
        found = missed = kept = leaked = empty = 0
        for url, item in pages:
            text = extract((args.tests_dir / "cache" / item["file"]).read_bytes(), url)
            empty += not text
            for wanted in item.get("with", []):
                found += wanted in text
                missed += wanted not in text
            for unwanted in item.get("without", []):
                leaked += unwanted in text
                kept += unwanted not in text
        recall = found / max(found + missed, 1)
        precision = kept / max(kept + leaked, 1)
        print(
            f"{name:<26} no article: {empty:3d}   must-have recall {recall:.3f} ({found}/{found + missed})   "
            f"must-not-have precision {precision:.3f} ({kept}/{kept + leaked})"
        )


if __name__ == "__main__":
    main()
