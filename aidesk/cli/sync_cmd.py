"""`aidesk sync [status|migrate|login]`: one push-and-pull pass with the central PostgreSQL,
its status, the centre's migrations, and the sync password (kept in the OS keyring)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from aidesk.cli.context import core, print_json, print_table, workspace
from aidesk.cli.inputs import UsageError, read_secret, read_workspace
from aidesk.errors import ConfigError, SyncAuthFailed, SyncUnreachable
from aidesk.formats import date_time, number
from aidesk.i18n import N_, _, ngettext
from aidesk.redact import register_secret

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.workspaces import Workspace

PASS_JSON = N_(
    "--json prints {\"pushed\": {central table: rows}, \"pulled\": rows changed here, "
    "\"pending\": rows still in the outbox}.")
STATUS_JSON = N_(
    "status --json prints {\"configured\": true|false, \"dsn\", \"last_sync_at\" (ISO 8601, "
    "UTC, or null), \"pending\", \"pending_by_table\": {central table: rows}, \"last_error\" "
    "(the sentence, or null), \"last_error_at\", \"locked\": {setting: value set by the "
    "team}}.")
ARGV_PASSWORD = N_("A password on the command line is visible in `ps` and the shell history, "
                   "so it is refused: pipe it on stdin (`printenv PGPASSWORD | aidesk sync "
                   "login`) or type it at the prompt (`aidesk sync login`).")


def _options(*, json: bool) -> argparse.ArgumentParser:
    """--workspace (and --json) that a subcommand does not reset when not given again."""
    opts = argparse.ArgumentParser(add_help=False)
    opts.add_argument("--workspace", "-w", metavar="NAME", default=argparse.SUPPRESS,
                      help=_("workspace (agency client) to use; default: the current one"))
    if json:
        opts.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                          help=_("print JSON (see below)"))
    return opts


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    from aidesk.cli.chat_cmd import epilog

    sync = sub.add_parser(
        "sync", parents=[_options(json=True)],
        usage="%(prog)s [-h] [-w NAME] [--json] [{status,migrate,login,logout}] ...",
        help=_("sync with the team's central PostgreSQL (one pass, status, login, migrate)"),
        description=epilog(_("With no action: one pass that pushes this workspace's outbox (usage, "
                      "audit, configs without keys, image metadata, bulk results) to the "
                      "central database and pulls the team's policies and configs. The DSN "
                      "is the setting sync.dsn; the password is in the OS keyring (`aidesk "
                      "sync login`).")),
        epilog=epilog(_(PASS_JSON), _(STATUS_JSON)),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sync.set_defaults(run=_pass)
    ssub = sync.add_subparsers(dest="action", metavar="ACTION")
    st = ssub.add_parser("status", parents=[_options(json=True)],
                         help=_("last sync, pending rows, last error, settings locked by the "
                                "team"),
                         epilog=epilog(_(STATUS_JSON)),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    st.set_defaults(run=_status)
    mg = ssub.add_parser("migrate", parents=[_options(json=False)],
                         help=_("create or update the AIDesk tables in the central database "
                                "(needs a login that may create tables)"))
    mg.set_defaults(run=_migrate)
    lg = ssub.add_parser("login", parents=[_options(json=False)],
                         help=_("test the central database's password and keep it in the OS "
                                "keyring (from stdin or the prompt)"))
    lg.add_argument("password", nargs="*", help=argparse.SUPPRESS)  # refused: ARGV_PASSWORD
    lg.add_argument("--force", action="store_true",
                    help=_("save even when the centre cannot be reached to test it"))
    lg.set_defaults(run=_login)
    lo = ssub.add_parser("logout", parents=[_options(json=False)],
                         help=_("forget the central database's password (the OS keyring "
                                "entry); the DSN and the outbox stay"))
    lo.set_defaults(run=_logout)


def _dsn(c: Core, ws: Workspace) -> str:
    from aidesk.sync.passes import not_configured
    from aidesk.sync.target import dsn_of

    dsn = dsn_of(c.db, ws.tenant_id)
    if dsn is None:
        raise not_configured(ws)
    return dsn


def _rows(n: int) -> str:
    return ngettext("{n} row", "{n} rows", n).format(n=number(n))


def _show_progress(done: int, total: int) -> None:
    """A long push (more than one batch) says how far it is, on stderr."""
    from aidesk.sync.push import BATCH_ROWS

    if done < total or total > BATCH_ROWS:
        print(_("Pushed {done} of {total} outbox rows…").format(
            done=number(done), total=number(total)), file=sys.stderr, flush=True)


def _pass(args: argparse.Namespace) -> int:
    from aidesk.sync.passes import run_pass

    c = core()
    ws = workspace(c, args)
    report = run_pass(c, ws, progress=_show_progress)
    if getattr(args, "json", False):
        print_json(report.as_json())
        return 0
    from aidesk.sync.target import dsn_of, parse_dsn

    dsn = dsn_of(c.db, ws.tenant_id)
    where = parse_dsn(dsn).where if dsn else ""
    print(_("Synced workspace {workspace} with {host}.").format(workspace=ws.name, host=where))
    pushed = {table: n for table, n in report.pushed.items() if n}
    if pushed:
        print_table([_("central table"), _("pushed")],
                    [(table, number(n)) for table, n in sorted(pushed.items())])
    else:
        print(_("Nothing to push."))
    print(_("Pulled: {rows} changed here.").format(rows=_rows(report.pulled)))
    print(_("Pending: {rows}.").format(rows=_rows(report.pending)))
    return 0


def _status(args: argparse.Namespace) -> int:
    from aidesk.sync.passes import status

    c = core(read_only=True)
    ws = read_workspace(c, args)
    st = status(c, ws)
    if getattr(args, "json", False):
        print_json(st.as_json())
        return 0
    if not st.configured:
        print(_("Workspace {workspace} does not sync: set a central database with `aidesk "
                "config set sync.dsn postgresql://USER@HOST:PORT/DB`.").format(
                    workspace=ws.name))
    else:
        print(_("Workspace {workspace} syncs with {dsn}.").format(workspace=ws.name,
                                                                  dsn=st.dsn))
        print(_("Last sync: {time}.").format(
            time=date_time(st.last_sync_at) if st.last_sync_at else _("never")))
        by_table = ", ".join(f"{table} {number(n)}" for table, n in
                             sorted(st.pending_by_table.items()))
        print(_("Pending: {rows}.").format(rows=_rows(st.pending))
              if not by_table else
              _("Pending: {rows} ({tables}).").format(rows=_rows(st.pending), tables=by_table))
        if st.last_error:
            when = date_time(st.last_error_at) if st.last_error_at else ""
            print(_("Last error ({time}): {error}").format(time=when, error=st.last_error))
    if st.locked:
        print(_("Set by the team's policy (locked):"))
        print_table([_("setting"), _("value")], sorted(st.locked.items()))
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from aidesk.sync import central
    from aidesk.sync.connect import migrate_central
    from aidesk.sync.target import parse_dsn

    c = core()
    ws = workspace(c, args)
    dsn = _dsn(c, ws)
    before = migrate_central(c.keys, ws.tenant_id, dsn)
    where = parse_dsn(dsn).where
    if before == central.HEAD:
        print(_("The central database at {host} is already at revision {head}.").format(
            host=where, head=central.HEAD))
    else:
        print(_("The central database at {host} is now at revision {head} (it was at "
                "{before}).").format(host=where, head=central.HEAD,
                                     before=before or _("none")))
    return 0


def _read_password(user: str, host: str) -> str:
    password = read_secret(
        _("Password of {user} at {host}: ").format(user=user, host=host), _("the password"),
        _("The password typed is not valid UTF-8 text; type it again."))
    password = password.rstrip("\r\n")
    register_secret(password)
    if not password:
        raise ConfigError(_("No password given: pipe it on stdin or type it at the prompt."))
    return password


def _login(args: argparse.Namespace) -> int:
    from aidesk.sync import connect
    from aidesk.sync.target import parse_dsn

    if args.password:
        for arg in args.password:
            register_secret(arg)
        raise UsageError(_(ARGV_PASSWORD))
    c = core()
    ws = workspace(c, args)
    dsn = _dsn(c, ws)
    d = parse_dsn(dsn)
    c.keys.check()
    password = _read_password(d.user, d.where)
    try:
        note = connect.login(c.keys, ws.tenant_id, dsn, password, force=args.force)
    except SyncAuthFailed as exc:
        print("aidesk: " + _("Not saved: {error}").format(error=exc.text), file=sys.stderr)
        return 1
    except SyncUnreachable as exc:
        print("aidesk: " + _("Not saved: {error} Retry when it is reachable, or save "
                             "anyway with --force.").format(error=exc.text), file=sys.stderr)
        return 1
    print(_("Saved the password of {user} at {host} in the OS keyring (workspace "
            "{workspace}).").format(user=d.user, host=d.where, workspace=ws.name))
    if note is not None:
        print("aidesk: " + note.user_message, file=sys.stderr)
    return 0


def _logout(args: argparse.Namespace) -> int:
    from aidesk.sync.connect import PASSWORD

    c = core()
    ws = workspace(c, args)
    if c.keys.remove_secret(ws.tenant_id, PASSWORD):
        print(_("The central database's password of workspace {workspace} is no longer in "
                "the OS keyring.").format(workspace=ws.name))
    else:
        print(_("Workspace {workspace} had no central database password in the OS "
                "keyring.").format(workspace=ws.name))
    return 0
