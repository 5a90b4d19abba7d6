"""`aidesk db check|backup|restore`: the database's health, backups and restoring one.

These commands work on the file directly, so they also run when the database is
damaged and the other commands refuse to start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aidesk import paths
from aidesk.errors import ConfigError, StorageError
from aidesk.i18n import _
from aidesk.storage import backup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    db = sub.add_parser("db", help=_("database health, backups and restore"),
                        description=_("The database's health, backups and restoring one."))
    dsub = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = dsub.add_parser("check", help=_("run SQLite's integrity check (exit 1 if not ok)"))
    check.set_defaults(run=_check)
    take = dsub.add_parser("backup", help=_("back the database up now"))
    take.set_defaults(run=_backup)
    restore = dsub.add_parser(
        "restore", help=_("list backups, or restore one (the current file is kept aside)"))
    restore.add_argument("backup", nargs="?", help=_(
        "a backup file or its name; 'latest' for the newest; omit to list them"))
    restore.add_argument("--yes", "-y", action="store_true",
                         help=_("do not ask for confirmation (for scripts)"))
    restore.set_defaults(run=_restore)


def _check(args: argparse.Namespace) -> int:
    db_path = paths.db_path()
    result = backup.check(db_path)
    if result == ["ok"]:
        print(_("{path}: ok").format(path=db_path))
        return 0
    print(_("{path}: damaged").format(path=db_path), file=sys.stdout)
    for line in result[:20]:
        print(f"  {line}")
    newest = backup.list_backups(db_path.parent)
    text = (_("the database failed the integrity check; restore the newest backup ({backup}) "
              "with `aidesk db restore latest`.").format(backup=newest[0].name) if newest
            else _("the database failed the integrity check; no backup exists yet."))
    print(f"aidesk: {text}", file=sys.stderr)
    return 1


def _backup(args: argparse.Namespace) -> int:
    db_path = paths.db_path()
    if not db_path.exists():
        raise StorageError(_("There is no AIDesk database at {path} to back up.").format(
            path=db_path))
    paths.ensure_data_dir(db_path.parent)
    print(_("Backed up to {path}.").format(path=backup.backup_now(db_path)))
    return 0


def _restore(args: argparse.Namespace) -> int:
    data_dir = paths.data_dir()
    backups = backup.list_backups(data_dir)
    if args.backup is None:
        if not backups:
            print(_("No backups in {folder} yet.").format(folder=backup.backup_dir(data_dir)))
            return 0
        from aidesk.formats import date_time  # local time, by locale (Babel loads on use)

        for item in backups:
            taken = backup.taken_at(item)
            print(f"{item.name}  {date_time(taken)}" if taken else item.name)
        print(_("Restore one with `aidesk db restore NAME` (or `latest`)."))
        return 0
    chosen = _pick(args.backup, backups, data_dir)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError(_("Restoring replaces the database: confirm with --yes when "
                                "stdin is not a terminal."))
        answer = input(_("Replace the database with {name}? Calls recorded since then stay "
                         "only in the file kept aside. [y/N] ").format(name=chosen.name))
        if answer.strip().lower() not in ("y", "yes", _("y"), _("yes")):
            print(_("Nothing restored."))
            return 1
    kept = backup.restore(data_dir, chosen)
    print(_("Restored {name}. The previous file is kept as {path}.").format(
        name=chosen.name, path=kept) if kept else _("Restored {name}.").format(name=chosen.name))
    return 0


def _pick(name: str, backups: list[Path], data_dir: Path) -> Path:
    if name == "latest":
        if not backups:
            raise StorageError(_("There are no backups in {folder}.").format(
                folder=backup.backup_dir(data_dir)))
        return backups[0]
    candidate = Path(name).expanduser()
    if candidate.is_file():
        return candidate
    for item in backups:
        if item.name == name:
            return item
    raise ConfigError(_("No backup named '{name}': `aidesk db restore` lists them.").format(
        name=name))
