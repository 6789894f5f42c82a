"""Run mypy on the ``tomtat`` package as it installs (strict on ``tomtat.models``; see pyproject.toml).

mypy does not read setuptools' package-dir mapping, so this lays the installed shape out as links
(``tomtat/`` with ``models`` and ``service`` inside) in a temporary folder and checks that.
python scripts/typecheck.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="tomtat-mypy-") as tree:
        package = Path(tree) / "tomtat"
        package.mkdir()
        for item in (ROOT / "tomtat").glob("*.py"):
            os.symlink(item, package / item.name)
        for folder in ("models", "service"):
            os.symlink(ROOT / folder, package / folder)
        command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "tomtat"]
        return subprocess.run(command, cwd=tree, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
