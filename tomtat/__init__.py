"""tomtat: Vietnamese news summarization (ViT5) and Vietnamese-English translation (envit5).

The installed package is ``tomtat``; its parts live in the repository's top-level folders:
``tomtat.models`` (``models/``: the model layer, no HTTP) and ``tomtat.service`` (``service/``: API,
jobs, archives, CLI; no torch).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tomtat")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
