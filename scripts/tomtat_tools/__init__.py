"""Development tools outside the product: test-model builder, benchmarks, overload runner.

Not installed with tomtat; tests and ``scripts/*.py`` put ``scripts/`` on the import path.
Their dependencies are the ``tools`` extra.
"""

from importlib.resources import files
from pathlib import Path

PRODUCT_DATA = Path(str(files("tomtat.models") / "data"))  # the installed package's bundled text
TOOLS_DATA = Path(__file__).parent / "data"
