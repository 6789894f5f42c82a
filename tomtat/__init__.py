"""tomtat: Vietnamese news summarization (ViT5) and Vietnamese-English translation (envit5).

The installed package is ``tomtat``; its parts live in the repository's top-level folders:
``tomtat.models`` (``models/``: the model layer, no HTTP) and ``tomtat.service`` (``service/``: API,
jobs, archives, CLI; no torch).
"""

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("tomtat")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

# Imported from a checkout (``python -m tomtat`` in the repository root puts this folder first on the
# path), ``models/`` and ``service/`` sit beside this folder rather than inside it: look there too.
_checkout = Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "models" / "__init__.py").is_file():
    __path__.append(str(_checkout))

__all__ = ["__version__"]
