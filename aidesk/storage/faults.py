"""Disk problems named in plain words: SQLite errors of the disk (full, read-only, locked,
cannot open, I/O, damaged) become StorageError; anything else is a bug and propagates.

Works for the sqlite3 module's errors and for SQLAlchemy's wrappers of them, without
importing SQLAlchemy (the hot path runs on sqlite3 alone).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aidesk.errors import StorageError
from aidesk.i18n import N_, _
from aidesk.storage.health import CORRUPT_CODES, DatabaseCorrupt

# SQLite primary result codes (extended code & 0xFF) for problems of the disk, not of the code.
SQLITE_BUSY, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 5, 8, 10, 13, 14
_KNOWN: tuple[tuple[int, str, str], ...] = (
    (
        SQLITE_FULL,
        "database or disk is full",
        N_("The disk holding the AIDesk database ({path}) is full. "
           "Free some disk space, then try again."),
    ),
    (
        SQLITE_READONLY,
        "readonly database",
        N_("AIDesk cannot write to its database ({path}): the file, its folder or the disk is "
           "read-only. Check the permissions of the file and its folder, then try again."),
    ),
    (
        SQLITE_BUSY,
        "database is locked",
        N_("The AIDesk database ({path}) is locked by another program. Close other AIDesk "
           "windows or programs using that file, then try again."),
    ),
    (
        SQLITE_CANTOPEN,
        "unable to open database file",
        N_("AIDesk cannot open its database file ({path}). Check that the folder exists and "
           "that you have permission to read and write there."),
    ),
    (
        SQLITE_IOERR,
        "disk i/o error",
        N_("The disk holding the AIDesk database ({path}) reported a read/write error. "
           "Check the disk and free space, then try again."),
    ),
)


def _driver_error(error: BaseException) -> BaseException:
    """The sqlite3 error under a SQLAlchemy DBAPIError (only loaded if something uses it)."""
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is not None and isinstance(error, sa_exc.DBAPIError):
        return error.orig  # type: ignore[no-any-return]
    return error


def storage_error_for(error: BaseException, path: Path | str | None = None) -> StorageError | None:
    """The StorageError for a known disk problem, or None when `error` is something else (a bug)."""
    orig = _driver_error(error)
    if not isinstance(orig, sqlite3.Error):
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    message = str(orig).lower()
    if (code is not None and code & 0xFF in CORRUPT_CODES) or any(
            text in message for text in ("disk image is malformed", "file is not a database")):
        return DatabaseCorrupt(None if path is None else Path(path), str(orig))
    for primary, text, template in _KNOWN:
        if (code is not None and code & 0xFF == primary) or text in message:
            return StorageError(_(template).format(path=path or _("the database file")))
    return None


@contextmanager
def storage_errors(path: Path | str | None = None) -> Iterator[None]:
    """Turn known disk problems (full, read-only, locked, can't open) into StorageError.

    Anything else propagates unchanged: it is a bug, not the user's disk.
    """
    try:
        yield
    except Exception as error:
        mapped = storage_error_for(error, path)
        if mapped is None:
            raise
        raise mapped from error
