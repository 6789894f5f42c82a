"""``tomtat``: the command line's entry point; errors become one-line messages and documented exit codes."""

from __future__ import annotations

import sys

from tomtat.service.cli.common import EXIT_INPUT, EXIT_MODEL, EXIT_NETWORK, fail
from tomtat.service.cli.parser import build_parser


def main(argv: list[str] | None = None) -> int:
    from tomtat.models.errors import BrokenCheckpointError, CheckpointNotFoundError, TomtatError
    from tomtat.models.hub import HubUnreachableError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (CheckpointNotFoundError, BrokenCheckpointError) as error:
        return fail(str(error), EXIT_MODEL)
    except HubUnreachableError as error:
        return fail(str(error), EXIT_NETWORK)
    except TomtatError as error:
        return fail(str(error), EXIT_INPUT)


if __name__ == "__main__":
    sys.exit(main())
