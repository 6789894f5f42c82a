"""``python -m tomtat``: the same command line as ``tomtat``."""

import sys

from tomtat.service.cli.main import main

sys.exit(main())
