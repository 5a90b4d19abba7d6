"""`aidesk workspace add|list|use`."""

from __future__ import annotations

import argparse

from aidesk.cli.context import core, print_table
from aidesk.cli.inputs import read_workspace
from aidesk.i18n import _


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    ws = sub.add_parser("workspace", help=_("agency clients (tenants)"),
                        description=_("Workspaces: one per agency client (tenant)."))
    wsub = ws.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = wsub.add_parser("add", help=_("create a workspace"))
    add.add_argument("name", help=_("the workspace's name, e.g. the client's"))
    add.add_argument("--tenant-id", help=_("the platform's tenant id (default: from the name)"))
    add.set_defaults(run=_add)
    ls = wsub.add_parser("list", help=_("list workspaces"))
    ls.set_defaults(run=_list)
    use = wsub.add_parser("use", help=_("make a workspace the current one"))
    use.add_argument("name", help=_("the workspace's name or tenant id"))
    use.set_defaults(run=_use)


def _add(args: argparse.Namespace) -> int:
    c = core()
    ws = c.workspaces.add(args.name, args.tenant_id)
    print(_("Workspace '{name}' created (tenant {tenant}).").format(name=ws.name,
                                                                    tenant=ws.tenant_id))
    return 0


def _list(args: argparse.Namespace) -> int:
    c = core(read_only=True)
    current = read_workspace(c, args)
    rows = [("*" if w.id == current.id else "", w.name, w.tenant_id, w.cache_ttl_days)
            for w in c.workspaces.all()]
    if not rows:
        print(_("No workspaces yet: `aidesk workspace add NAME` creates one."))
        return 0
    print_table(["", _("name"), _("tenant"), _("cache days")], rows)
    return 0


def _use(args: argparse.Namespace) -> int:
    c = core()
    ws = c.workspaces.get(args.name)
    c.workspaces.set_current(ws)
    print(_("Current workspace: {name}.").format(name=ws.name))
    return 0
