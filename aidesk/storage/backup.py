"""Automatic and manual backups with SQLite's online backup API, and restoring one.

Backups live in `backups/` of the data directory as `aidesk-YYYYMMDD-HHMMSS.db`
(UTC), 0600. `maybe_backup` takes at most one a day and keeps the newest KEEP.
Nothing here imports Qt: the desktop calls `list_backups` and `restore` when it
cannot open the database, the CLI calls them from `aidesk db`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aidesk.errors import StorageError
from aidesk.i18n import _
from aidesk.storage import files

log = logging.getLogger(__name__)

DB_NAME = "aidesk.db"
BACKUP_DIR = "backups"
KEEP = 7
EVERY = timedelta(days=1)
_PREFIX, _SUFFIX = "aidesk-", ".db"
_STAMP = "%Y%m%d-%H%M%S"


def backup_dir(data_dir: Path) -> Path:
    return data_dir / BACKUP_DIR


def list_backups(data_dir: Path) -> list[Path]:
    """The backups in `data_dir`, newest first."""
    try:
        found = [p for p in backup_dir(data_dir).iterdir()
                 if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX)]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.name, reverse=True)


def taken_at(backup: Path) -> datetime | None:
    stamp = backup.name[len(_PREFIX):-len(_SUFFIX)]  # YYYYmmdd-HHMMSS (_STAMP)
    if len(stamp) != 15 or stamp[8] != "-" or not (stamp[:8] + stamp[9:]).isdigit():
        return None
    try:  # by hand: strptime's first use imports and compiles its regexes (over 1 ms)
        return datetime(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[9:11]),
                        int(stamp[11:13]), int(stamp[13:15]), tzinfo=UTC)
    except ValueError:
        return None


def backup_now(db_path: Path, now: datetime | None = None) -> Path:
    """Copy the live database (other connections may use it) into a new backup file."""
    now = now or datetime.now(UTC)
    folder = files.private_dir(backup_dir(db_path.parent))
    target = folder / f"{_PREFIX}{now.astimezone(UTC).strftime(_STAMP)}{_SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(db_path, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        partial.unlink(missing_ok=True)
        raise StorageError(_("AIDesk could not back up its database to {folder}: {error}. "
                             "Check the free space and permissions there.").format(
                                 folder=folder, error=error)) from error
    for old in list_backups(db_path.parent)[KEEP:]:
        old.unlink(missing_ok=True)
    return target


def _copy(source_path: Path, target: Path) -> None:
    """SQLite's online backup of `source_path` (read-only; others may be using it) into
    a new private file `target`, left as one self-contained file (no -wal)."""
    files.private_file(target)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode=DELETE")
        finally:
            dest.close()
    finally:
        source.close()


def due(data_dir: Path, now: datetime) -> bool:
    """True when the newest backup is a day old or there is none."""
    backups = list_backups(data_dir)
    newest = taken_at(backups[0]) if backups else None
    return newest is None or now - newest >= EVERY or newest > now


def maybe_backup(db_path: Path, now: datetime | None = None) -> Path | None:
    """The daily backup: taken when due, never raising (a failed backup is logged)."""
    now = now or datetime.now(UTC)
    if not db_path.exists() or not due(db_path.parent, now):
        return None
    try:
        return backup_now(db_path, now)
    except StorageError as error:
        log.warning("automatic backup failed: %s", error.user_message)
        return None


def check(db_path: Path) -> list[str]:
    """SQLite's quick_check then integrity_check on the file: ["ok"] when sound."""
    if not db_path.exists():
        raise StorageError(_("There is no AIDesk database at {path}.").format(path=db_path))
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            quick = [str(r[0]) for r in conn.execute("PRAGMA quick_check")]
            if quick != ["ok"]:
                return quick
            return [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as error:  # not a database at all, or unreadable
        return [str(error)]


def restore(data_dir: Path, backup: Path, now: datetime | None = None) -> Path | None:
    """Put `backup` in place of the database; the current file (and its -wal/-shm) is
    renamed aside, never deleted. Returns where it was kept (None if there was none).
    No connection to the database may be open meanwhile."""
    now = now or datetime.now(UTC)
    db_path = data_dir / DB_NAME
    if check(backup) != ["ok"]:
        raise StorageError(
            _("The backup {backup} is damaged too; pick another one.").format(backup=backup),
            cli_hint=_("`aidesk db restore` lists them."))
    stamp = now.astimezone(UTC).strftime(_STAMP)
    aside = db_path.with_name(f"{DB_NAME}.broken-{stamp}")
    staged = db_path.with_name(f"{DB_NAME}.restoring")
    try:
        _copy(backup, staged)
        kept = None
        if db_path.exists():
            os.replace(db_path, aside)
            kept = aside
        for suffix in ("-wal", "-shm", "-journal"):
            side = db_path.with_name(DB_NAME + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        os.replace(staged, db_path)
    except (OSError, sqlite3.Error) as error:
        staged.unlink(missing_ok=True)
        raise StorageError(_("AIDesk could not restore {backup}: {error}. Check the free "
                             "space and permissions of its folder.").format(
                                 backup=backup, error=error)) from error
    return kept
