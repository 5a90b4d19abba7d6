"""The headless `aidesk` subcommands (`aidesk.main` opens the desktop app when none is given).

Expected failures print one sentence on stderr and exit 1 (2 for usage errors).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from aidesk import __version__, i18n
from aidesk.errors import AIDeskError
from aidesk.i18n import _

# Each command's module, in the order `aidesk --help` lists them.
COMMANDS = {"workspace": "workspace_cmd", "keys": "keys_cmd", "config": "config_cmd",
            "ask": "ask_cmd", "db": "db_cmd"}
COMMANDS |= {"chat": "chat_cmd", "translate": "translate_cmd", "leads": "leads_cmd"}
COMMANDS["import"] = "import_cmd"
COMMANDS["bulk"] = "bulk_cmd"
COMMANDS["meeting"] = "meeting_cmd"
COMMANDS["images"] = "images_cmd"
COMMANDS["sync"] = "sync_cmd"


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser. When `argv` starts with a command, only that command is built (and its
    module imported): a one-shot `aidesk ask` does not pay for the others. Without one
    (help, version, a mistyped command) every command is there to list."""
    from aidesk.cli.inputs import Parser

    parser = Parser(
        prog="aidesk", description=_(
            "AIDesk: AI provider router and desktop workbench. With no command, `aidesk` "
            "opens the desktop app (`aidesk --smoke` opens it offscreen, prints the start-up "
            "time and exits)."))
    parser.add_argument("--version", action="version", version=f"aidesk {__version__}",
                        help=_("show program's version number and exit"))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--workspace", "-w", metavar="NAME",
                        help=_("workspace (agency client) to use; default: the current one"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = argv[0] if argv and argv[0] in COMMANDS else None
    for name, module in COMMANDS.items():
        if wanted in (None, name):
            importlib.import_module(f"aidesk.cli.{module}").register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    i18n.setup()  # the saved `ui.language`, else the system's: before any text is made
    from aidesk.cli.inputs import UsageError, check_argv, translate_argparse

    translate_argparse()
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
        print("aidesk: " + _("cancelled."), file=sys.stderr)
        return 130
    except BrokenPipeError:  # `aidesk … | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # a bug: a saved, redacted report instead of a bare traceback
        from aidesk import crash

        _report, saved = crash.save(type(exc), exc, exc.__traceback__)
        name = type(exc).__name__
        text = (_("unexpected error inside AIDesk ({error}), a bug to report to your AIDesk "
                  "admin; the report is in {path}.").format(error=name, path=saved) if saved
                else _("unexpected error inside AIDesk ({error}), a bug to report to your "
                       "AIDesk admin.").format(error=name))
        print(f"aidesk: {text}", file=sys.stderr)
        return 70
