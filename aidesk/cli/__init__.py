"""The headless `aidesk` subcommands (`aidesk.main` opens the desktop app when none is given).

Expected failures print one sentence on stderr and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from aidesk import __version__
from aidesk.errors import AIDeskError

# Each command's module, in the order `aidesk --help` lists them.
COMMANDS = {"workspace": "workspace_cmd", "keys": "keys_cmd", "config": "config_cmd",
            "ask": "ask_cmd", "db": "db_cmd"}


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser. When `argv` starts with a command, only that command is built (and its
    module imported): a one-shot `aidesk ask` does not pay for the others. Without one
    (help, version, a mistyped command) every command is there to list."""
    from aidesk.cli.inputs import Parser

    parser = Parser(
        prog="aidesk", description="AIDesk: AI provider router and desktop workbench. "
        "With no command, `aidesk` opens the desktop app (`aidesk --smoke` opens it "
        "offscreen, prints the start-up time and exits).")
    parser.add_argument("--version", action="version", version=f"aidesk {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", "-w", metavar="NAME",
                        help="workspace (agency client) to use; default: the current one")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = argv[0] if argv and argv[0] in COMMANDS else None
    for name, module in COMMANDS.items():
        if wanted in (None, name):
            importlib.import_module(f"aidesk.cli.{module}").register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from aidesk.cli.inputs import UsageError, check_argv

    for stream in (sys.stdout, sys.stderr):  # a terminal that cannot show a name: no crash
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        check_argv(argv)
    except UsageError as exc:
        print(f"aidesk: {exc.user_message}", file=sys.stderr)
        return 2
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except AIDeskError as exc:
        print(f"aidesk: {exc.user_message}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        print("aidesk: cancelled.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `aidesk … | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: a saved, redacted report instead of a bare traceback
        from aidesk import crash

        _, saved = crash.save(type(exc), exc, exc.__traceback__)
        where = f"; the report is in {saved}" if saved else ""
        print(f"aidesk: unexpected error inside AIDesk ({type(exc).__name__}), a bug to "
              f"report to your AIDesk admin{where}.", file=sys.stderr)
        return 70
