"""What the user hands the CLI (argv, stdin), checked before anything uses it.

Bad input ends in one sentence: exit 2 for a usage error (`UsageError`, argparse's own
errors), exit 1 for any other expected failure. A value that may be a key is never echoed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from aidesk.errors import ConfigError
from aidesk.redact import redact

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.workspaces import Workspace


class UsageError(ConfigError):
    """The command line itself is wrong (exit status 2, like argparse's own errors)."""

    code = "usage"


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors: `aidesk: <what is wrong>; see `aidesk … --help`.`"""

    def error(self, message: str) -> NoReturn:
        message = redact(message).rstrip(".")
        self.exit(2, f"aidesk: {message}; see `{self.prog} --help`.\n")


def check_argv(argv: Sequence[str]) -> None:
    """Refuse arguments that were not valid UTF-8 (Python keeps such bytes as surrogates)."""
    for number, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"Argument {number} is not valid UTF-8 text; retype it, or convert "
                             "it with `iconv -t UTF-8`.") from None


def read_stdin(what: str, *, first_line: bool = False) -> str:
    """Text from stdin, decoded as UTF-8 (a BOM is dropped); one clear sentence when it is not.

    `what` names the input in the message ("the prompt", "the key"); the text itself is
    never quoted back, since it may be a key.
    """
    stream = sys.stdin
    buffer = getattr(stream, "buffer", None)
    if buffer is None:  # a text stream without bytes underneath (tests, embedding)
        return stream.readline() if first_line else stream.read()
    data: bytes = buffer.readline() if first_line else buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what[0].upper()}{what[1:]} on stdin is not valid UTF-8 text "
                          f"(byte {exc.start + 1} is 0x{data[exc.start]:02x}); convert it with "
                          "`iconv -t UTF-8` and retry.") from None


def read_workspace(c: Core, args: argparse.Namespace) -> Workspace:
    """The workspace for a read-only command: writes nothing, not even the first `default`."""
    return c.workspaces.get(getattr(args, "workspace", None), create=False)
