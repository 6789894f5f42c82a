"""tomtat: Vietnamese news summarization (ViT5) and Vietnamese-English translation (envit5).

As a library::

    import tomtat

    results = tomtat.Summarizer().summarize(["Sáng 15/3, UBND TP Đà Nẵng ..."])
    print(results[0].summary, results[0].flags)
    print(tomtat.Translator(target="en").translate(["Hà Nội hôm nay mưa to."])[0].translation)

``Summarizer``, ``Translator`` and their result types load on first use (``import tomtat`` alone
loads no model library). The installed package is ``tomtat``; its parts live in the repository's top-level folders:
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

__all__ = ["Flag", "InputError", "Summarizer", "SummaryOutput", "TranslationOutput", "Translator", "__version__"]

_LAZY = {
    "Summarizer": "tomtat.service.library",
    "Translator": "tomtat.service.library",
    "SummaryOutput": "tomtat.service.library",
    "TranslationOutput": "tomtat.service.library",
    "Flag": "tomtat.models.facts",
    "InputError": "tomtat.models.errors",
}


def __getattr__(name: str) -> object:
    """The library's names, imported when first used (they bring torch and transformers)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tomtat' has no attribute {name!r}")
