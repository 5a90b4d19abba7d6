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
    shots = _screenshots(args)
    if shots is not None:
        return _gui(smoke=True, screenshots=shots)
    from aidesk.cli import main as cli_main

    return cli_main(args)


def entry() -> None:
    """The `aidesk` executable (console script, `python -m aidesk`, the bundle).

    A command-line run ends without Python's interpreter teardown (a few hundred ms of
    freeing modules, which admins' scripts would wait for on every call): its records are
    committed and its clients closed by then; output and logs are flushed here first.
    """
    args = sys.argv[1:]
    code = main(args)
    if _is_gui(args):
        sys.exit(code)
    import contextlib
    import logging
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`aidesk … | head`)
            stream.flush()
    logging.shutdown()
    os._exit(code)


def _is_gui(args: list[str]) -> bool:
    return all(arg == "--smoke" for arg in args) or _screenshots(args) is not None


def _screenshots(args: list[str]) -> str | None:
    """DIR of `--smoke --screenshots DIR` (either order, or `--screenshots=DIR`), else None."""
    rest = [a for a in args if a != "--smoke"]
    if len(rest) == len(args):
        return None
    if len(rest) == 2 and rest[0] == "--screenshots" and rest[1] and rest[1] != "--smoke":
        return rest[1]
    if len(rest) == 1 and rest[0].startswith("--screenshots=") and len(rest[0]) > 14:
        return rest[0].partition("=")[2]
    return None


def _gui(smoke: bool, screenshots: str | None = None) -> int:
    try:
        from aidesk.ui.app import run
    except ImportError as exc:
        from aidesk import i18n

        i18n.setup()
        print("aidesk: " + i18n._("the desktop app cannot start ({error}). Install it with "
                                  "`scripts/run`, or use the command line: `aidesk "
                                  "--help`.").format(error=exc), file=sys.stderr)
        return 1
    if screenshots is None:
        return int(run(smoke=smoke))
    from pathlib import Path

    return int(run(smoke=smoke, screenshots=Path(screenshots)))


if __name__ == "__main__":
    entry()
