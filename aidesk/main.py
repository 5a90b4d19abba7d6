"""The `aidesk` command: the desktop app with no subcommand, the headless CLI otherwise.

Kept apart from `aidesk.cli` so the core (CLI included) never imports Qt, and so the
desktop app starts without loading the CLI's modules.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if all(arg == "--smoke" for arg in args):
        return _gui(smoke=bool(args))
    from aidesk.cli import main as cli_main

    return cli_main(args)


def _gui(smoke: bool) -> int:
    try:
        from aidesk.ui.app import run
    except ImportError as exc:
        print(f"aidesk: the desktop app cannot start ({exc}). Install it with `scripts/run`, "
              "or use the command line: `aidesk --help`.", file=sys.stderr)
        return 1
    return int(run(smoke=smoke))


if __name__ == "__main__":
    sys.exit(main())
