"""`aidesk`: with no subcommand it opens the desktop app; subcommands work headless.

Expected failures print one sentence on stderr and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from aidesk import __version__
from aidesk.errors import AIDeskError


def build_parser() -> argparse.ArgumentParser:
    from aidesk.cli import ask_cmd, config_cmd, keys_cmd, workspace_cmd

    parser = argparse.ArgumentParser(
        prog="aidesk", description="AIDesk: AI provider router and desktop workbench.")
    parser.add_argument("--version", action="version", version=f"aidesk {__version__}")
    parser.add_argument("--smoke", action="store_true",
                        help="open the main window, print the startup time and exit")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", "-w", metavar="NAME",
                        help="workspace (agency client) to use; default: the current one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (workspace_cmd, keys_cmd, config_cmd, ask_cmd):
        module.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return _gui(args.smoke)
    try:
        return int(args.run(args) or 0)
    except AIDeskError as exc:
        print(f"aidesk: {exc.user_message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("aidesk: cancelled.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `aidesk … | head`
        sys.stderr.close()
        return 0


def _gui(smoke: bool) -> int:
    try:
        from aidesk.ui.app import run  # type: ignore[import-not-found]
    except ImportError as exc:
        if exc.name and exc.name.startswith("aidesk.ui"):
            build_parser().print_help()
            return 0
        print(f"aidesk: the desktop app cannot start: {exc}. Reinstall with `pip install .`.",
              file=sys.stderr)
        return 1
    return int(run(smoke=smoke))


if __name__ == "__main__":
    sys.exit(main())
