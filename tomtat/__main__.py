"""``python -m tomtat``: the same command line as ``tomtat``."""

import sys

from tomtat.service.cli.main import main

if __name__ == "__main__":  # a worker process (--cpu-workers) may import this module: it must not run the CLI
    sys.exit(main())
