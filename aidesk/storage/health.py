"""A damaged database is named as such, with the fix, and never replaced by a fresh one.

Checked cheaply at every open (the 100-byte header and the file size, no page scan):
a file that is not SQLite (SQLITE_NOTADB), one shorter than its header says
(truncated), and a 0-byte file where a database was (the marker file beside it says one
was created). SQLITE_CORRUPT / SQLITE_NOTADB met later, on any statement, map to the
same error (aidesk.storage.db.storage_error_for).
"""

from __future__ import annotations

from pathlib import Path

from aidesk.errors import StorageError
from aidesk.i18n import _

HEADER = b"SQLite format 3\x00"
_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26
CORRUPT_CODES = frozenset({_SQLITE_CORRUPT, _SQLITE_NOTADB})


class DatabaseCorrupt(StorageError):
    """The database file is damaged: restore a backup (`aidesk db restore`)."""

    code = "database_corrupt"

    def __init__(self, path: Path | None, what: str) -> None:
        from aidesk.storage.backup import list_backups

        self.path = path
        self.what = what
        backups = list_backups(path.parent) if path is not None else []
        text = _("The AIDesk database ({path}) is damaged ({what}).").format(
            path=path or _("file"), what=what)
        if backups:
            cli = _("Restore the newest backup ({backup}) with `aidesk db restore latest`, "
                    "which keeps the damaged file aside.").format(backup=backups[0])
            gui = _("Close AIDesk and restore the newest backup ({backup}); the damaged file "
                    "is kept aside.").format(backup=backups[0])
        else:
            cli = gui = _("There is no backup yet: move the file aside to start with an empty "
                          "database, or try to recover it with the sqlite3 tool's `.recover`.")
        super().__init__(text, cli_hint=cli, gui_hint=gui)


def marker_path(db_path: Path) -> Path:
    """Written once the database has its schema: a later 0-byte file there is damage."""
    return db_path.with_name(db_path.name + ".created")


def check_file(path: Path) -> None:
    """Raise DatabaseCorrupt when the file at `path` is visibly not a sound database."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    wal = path.with_name(path.name + "-wal")
    wal_size = wal.stat().st_size if wal.exists() else 0
    # With a non-empty WAL the pages may live there, or a checkpoint may be growing the
    # file right now: only the header is judged then.
    if size == 0:
        if wal_size == 0 and marker_path(path).exists():
            raise DatabaseCorrupt(path, _("the file is empty (0 bytes)"))
        return
    with path.open("rb") as file:
        header = file.read(100)
    if len(header) < 100 or not header.startswith(HEADER):
        raise DatabaseCorrupt(path, _("the file is not an SQLite database"))
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counter_ok = header[24:28] == header[92:96]  # the page count in the header is valid
    if page_size < 512 or page_size & (page_size - 1):
        raise DatabaseCorrupt(path, _("its header is damaged"))
    if counter_ok and wal_size == 0 and size < pages * page_size:
        raise DatabaseCorrupt(path, _("the file is truncated: {size} of {total} bytes").format(
            size=size, total=pages * page_size))


def mark_created(path: Path) -> None:
    """Leave the marker beside a database that has its schema (once; best effort)."""
    marker = marker_path(path)
    if marker.exists():
        return
    from aidesk.storage.files import PRIVATE_FILE, open_private

    try:
        with open(marker, "w", encoding="ascii", opener=open_private) as file:
            file.write("An AIDesk database was created beside this file.\n")
        marker.chmod(PRIVATE_FILE)
    except OSError:
        return
