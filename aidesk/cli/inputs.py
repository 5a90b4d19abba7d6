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
from aidesk.i18n import N_, _, ngettext
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
        self.exit(2, "aidesk: " + _("{message}; see `{command} --help`.").format(
            message=message, command=self.prog) + "\n")


# argparse's own texts (help headings, its error messages), in our catalogue: gettext's
# `argparse` domain is not shipped, so argparse is pointed at ours (translate_argparse).
ARGPARSE_TEXTS = (
    N_("usage: "), N_("positional arguments"), N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("unrecognized arguments: %s"), N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"), N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"), N_("expected one argument"),
    N_("expected at most one argument"), N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"), N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
)
if TYPE_CHECKING:  # for extraction only: the plural argparse asks for
    ngettext("expected %s argument", "expected %s arguments", 2)


def translate_argparse() -> None:
    """argparse's texts in the user's language: its module-level `_` and `ngettext` (the
    gettext functions it imported) become ours, which fall back to the English text."""
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def check_argv(argv: Sequence[str]) -> None:
    """Refuse arguments that were not valid UTF-8 (Python keeps such bytes as surrogates)."""
    for number, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(_("Argument {number} is not valid UTF-8 text; retype it, or "
                               "convert it with `iconv -t UTF-8`.").format(
                                   number=number)) from None


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
        raise ConfigError(_("{what} on stdin is not valid UTF-8 text (byte {position} is "
                            "{byte}); convert it with `iconv -t UTF-8` and retry.").format(
                                what=what[0].upper() + what[1:], position=exc.start + 1,
                                byte=f"0x{data[exc.start]:02x}")) from None


def read_secret(prompt: str, what: str, garbled: str) -> str:
    """A secret typed at a hidden prompt on a terminal, else the first line of stdin (never
    argv: ps and the shell's history would keep it). `garbled`: the sentence for bytes that
    are not UTF-8 text."""
    if not sys.stdin.isatty():
        return read_stdin(what, first_line=True)
    import getpass

    try:
        return getpass.getpass(prompt)
    except UnicodeDecodeError:
        raise ConfigError(garbled) from None
    except EOFError:
        return ""


def read_workspace(c: Core, args: argparse.Namespace) -> Workspace:
    """The workspace for a read-only command: writes nothing, not even the first `default`."""
    return c.workspaces.get(getattr(args, "workspace", None), create=False)


def parse_map(values: Sequence[str] | None, keys: Sequence[str]) -> dict[str, str] | None:
    """{key: column} from `--map k=v,k=v` (repeatable), each key one of `keys`; None when
    not given."""
    if not values:
        return None
    mapping: dict[str, str] = {}
    for value in values:
        for pair in value.split(","):
            key, sep, column = pair.partition("=")
            key = key.strip().lower()
            if not sep or not key or not column.strip():
                raise UsageError(_("--map takes KEY=COLUMN pairs separated by commas, e.g. "
                                   "--map sender=remetente,text=mensagem."))
            if key not in keys:
                raise UsageError(_("--map: \u201c{key}\u201d is not a field to map; the keys "
                                   "are {keys}.").format(key=key, keys=", ".join(keys)))
            mapping[key] = column.strip()
    return mapping
