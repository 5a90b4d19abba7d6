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
from aidesk.storage import backup


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    db = sub.add_parser("db", help="database health, backups and restore")
    dsub = db.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = dsub.add_parser("check", help="run SQLite's integrity check (exit 1 if not ok)")
    check.set_defaults(run=_check)
    take = dsub.add_parser("backup", help="back the database up now")
    take.set_defaults(run=_backup)
    restore = dsub.add_parser(
        "restore", help="list backups, or restore one (the current file is kept aside)")
    restore.add_argument("backup", nargs="?", help="a backup file or its name; "
                         "'latest' for the newest; omit to list them")
    restore.add_argument("--yes", "-y", action="store_true",
                         help="do not ask for confirmation (for scripts)")
    restore.set_defaults(run=_restore)


def _check(args: argparse.Namespace) -> int:
    db_path = paths.db_path()
    result = backup.check(db_path)
    if result == ["ok"]:
        print(f"{db_path}: ok")
        return 0
    print(f"{db_path}: damaged", file=sys.stdout)
    for line in result[:20]:
        print(f"  {line}")
    newest = backup.list_backups(db_path.parent)
    hint = (f"restore the newest backup ({newest[0].name}) with `aidesk db restore latest`"
            if newest else "no backup exists yet")
    print(f"aidesk: the database failed the integrity check; {hint}.", file=sys.stderr)
    return 1


def _backup(args: argparse.Namespace) -> int:
    db_path = paths.db_path()
    if not db_path.exists():
        raise StorageError(f"There is no AIDesk database at {db_path} to back up.")
    paths.ensure_data_dir(db_path.parent)
    print(f"Backed up to {backup.backup_now(db_path)}.")
    return 0


def _restore(args: argparse.Namespace) -> int:
    data_dir = paths.data_dir()
    backups = backup.list_backups(data_dir)
    if args.backup is None:
        if not backups:
            print(f"No backups in {backup.backup_dir(data_dir)} yet.")
            return 0
        for item in backups:
            taken = backup.taken_at(item)
            print(f"{item.name}  {taken:%Y-%m-%d %H:%M} UTC" if taken else item.name)
        print("Restore one with `aidesk db restore NAME` (or `latest`).")
        return 0
    chosen = _pick(args.backup, backups, data_dir)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError("Restoring replaces the database: confirm with --yes when "
                              "stdin is not a terminal.")
        answer = input(f"Replace the database with {chosen.name}? Calls recorded since then "
                       "stay only in the file kept aside. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing restored.")
            return 1
    kept = backup.restore(data_dir, chosen)
    aside = f" The previous file is kept as {kept}." if kept else ""
    print(f"Restored {chosen.name}.{aside}")
    return 0


def _pick(name: str, backups: list[Path], data_dir: Path) -> Path:
    if name == "latest":
        if not backups:
            raise StorageError(f"There are no backups in {backup.backup_dir(data_dir)}.")
        return backups[0]
    candidate = Path(name).expanduser()
    if candidate.is_file():
        return candidate
    for item in backups:
        if item.name == name:
            return item
    raise ConfigError(f"No backup named '{name}': `aidesk db restore` lists them.")
