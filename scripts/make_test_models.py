"""Build the tiny look-alike checkpoints (one per registry entry) into OUTPUT_DIR/<name>.

python scripts/make_test_models.py /tmp/tomtat-models
tomtat summarize --checkpoint-dir /tmp/tomtat-models --engine abstractive < article.txt
"""

from __future__ import annotations

import argparse

from tomtat_tools.testmodels import build_test_models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output_dir")
    args = parser.parse_args()
    for name, path in build_test_models(args.output_dir).items():
        print(f"{name}\t{path}")


if __name__ == "__main__":
    main()
