"""`aidesk config get|set|list`: every setting by its dotted name."""

from __future__ import annotations

import argparse

from aidesk import settings
from aidesk.cli.context import core, print_table, workspace
from aidesk.cli.inputs import read_workspace
from aidesk.i18n import _
from aidesk.sync import policies


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    cfg = sub.add_parser("config", help=_("settings of the workspace"),
                         description=_("Settings of the workspace, by their dotted names."))
    csub = cfg.add_subparsers(dest="action", metavar="ACTION", required=True)
    g = csub.add_parser("get", parents=[common], help=_("print one setting"))
    g.add_argument("key", help=_("the setting's name, e.g. limits.tokens_per_day"))
    g.set_defaults(run=_get)
    s = csub.add_parser("set", parents=[common], help=_("change one setting"))
    s.add_argument("key", help=_("the setting's name, e.g. limits.tokens_per_day"))
    s.add_argument("value", help=_("the new value ('none' clears a limit)"))
    s.set_defaults(run=_set)
    ls = csub.add_parser("list", parents=[common], help=_("print every setting"))
    ls.set_defaults(run=_list)


def _get(args: argparse.Namespace) -> int:
    c = core(read_only=True)
    ws = read_workspace(c, args)
    value = settings.get(c.workspaces, ws, args.key)
    print(value + _locked(policies.lock_for(policies.locked(c.db, ws.tenant_id), args.key)))
    return 0


def _locked(held: tuple[str, str] | None) -> str:
    """What `get` and `list` add to a setting a mandatory team policy holds."""
    return "" if held is None else " " + _("(locked by team)")


def _set(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    notes = settings.set(c.workspaces, ws, args.key, args.value)
    ws = c.workspaces.get(ws.name)
    print(f"{args.key.strip()} = {settings.get(c.workspaces, ws, args.key)}")
    for note in notes:
        print(note)
    return 0


def _list(args: argparse.Namespace) -> int:
    c = core(read_only=True)
    ws = read_workspace(c, args)
    locks = policies.locked(c.db, ws.tenant_id)
    print_table([_("setting"), _("value")],
                [(k, settings.get(c.workspaces, ws, k) + _locked(policies.lock_for(locks, k)))
                 for k in settings.setting_names()])
    return 0
