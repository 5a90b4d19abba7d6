"""Opening the local SQLite database: connection settings, migrations, transactions, disk errors.

Every connection runs with WAL, `synchronous=NORMAL`, `foreign_keys=ON` and a
5 s busy timeout. SQLAlchemy, not the sqlite3 module, emits `BEGIN` (the
pysqlite recipe from SQLAlchemy's SQLite docs), so a transaction can start as
`BEGIN IMMEDIATE` when it must take the write lock up front.
"""

from __future__ import annotations

import ast
import functools
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, create_engine, event, exc
from sqlalchemy.engine import Connection, Engine

from aidesk.errors import StorageError
from aidesk.storage import files, health, spool
from aidesk.storage.health import CORRUPT_CODES, DatabaseCorrupt

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

_BUSY_TIMEOUT_MS = 5000
_PRAGMAS = (
    f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_BEGIN_OPTION = "aidesk_begin"  # execution option read by the "begin" listener
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})

# SQLite primary result codes (extended code & 0xFF) for problems of the disk, not of the code.
_SQLITE_BUSY, _SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 8, 10, 13, 14
_KNOWN: tuple[tuple[int, str, str], ...] = (
    (
        _SQLITE_FULL,
        "database or disk is full",
        "The disk holding the AIDesk database ({path}) is full. "
        "Free some disk space, then try again.",
    ),
    (
        _SQLITE_READONLY,
        "readonly database",
        "AIDesk cannot write to its database ({path}): the file, its folder or the disk is "
        "read-only. Check the permissions of the file and its folder, then try again.",
    ),
    (
        _SQLITE_BUSY,
        "database is locked",
        "The AIDesk database ({path}) is locked by another program. Close other AIDesk "
        "windows or programs using that file, then try again.",
    ),
    (
        _SQLITE_CANTOPEN,
        "unable to open database file",
        "AIDesk cannot open its database file ({path}). Check that the folder exists and "
        "that you have permission to read and write there.",
    ),
    (
        _SQLITE_IOERR,
        "disk i/o error",
        "The disk holding the AIDesk database ({path}) reported a read/write error. "
        "Check the disk and free space, then try again.",
    ),
)


def storage_error_for(error: BaseException, path: Path | str | None = None) -> StorageError | None:
    """The StorageError for a known disk problem, or None when `error` is something else (a bug)."""
    orig = error.orig if isinstance(error, exc.DBAPIError) else error
    if not isinstance(orig, sqlite3.Error):
        return None
    code = getattr(orig, "sqlite_errorcode", None)
    message = str(orig).lower()
    if (code is not None and code & 0xFF in CORRUPT_CODES) or any(
            text in message for text in ("disk image is malformed", "file is not a database")):
        return DatabaseCorrupt(None if path is None else Path(path), str(orig))
    for primary, text, template in _KNOWN:
        if (code is not None and code & 0xFF == primary) or text in message:
            return StorageError(template.format(path=path or "the database file"))
    return None


@contextmanager
def storage_errors(path: Path | str | None = None) -> Iterator[None]:
    """Turn known disk problems (full, read-only, locked, can't open) into StorageError.

    Anything else propagates unchanged: it is a bug, not the user's disk.
    """
    try:
        yield
    except (exc.DBAPIError, sqlite3.Error) as error:
        mapped = storage_error_for(error, path)
        if mapped is None:
            raise
        raise mapped from error


class Database:
    """An open AIDesk database. `connect`, `begin` and `begin_immediate` map disk errors."""

    busy_timeout_ms = _BUSY_TIMEOUT_MS

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path

    @contextmanager
    def patience(self, conn: Connection, busy_timeout_ms: int) -> Iterator[Connection]:
        """Run with another busy timeout on `conn` (0: fail at once when another process
        holds the write lock), restored afterwards. Opens no transaction."""
        raw = conn.connection.driver_connection
        assert raw is not None
        raw.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        try:
            yield conn
        finally:
            raw.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection; statements autobegin a deferred transaction (commit it yourself)."""
        with storage_errors(self.path), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A deferred transaction (`BEGIN`), committed on success, rolled back on error."""
        with storage_errors(self.path), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def begin_immediate(self) -> Iterator[Connection]:
        """A write transaction started with `BEGIN IMMEDIATE`.

        It takes SQLite's write lock before the first read, so a check-then-write
        (e.g. count usage, then reserve against a limit) is atomic across threads
        and processes; other writers wait up to the busy timeout.
        """
        with storage_errors(self.path), self.engine.connect() as conn, self.immediate(conn):
            yield conn

    @contextmanager
    def immediate(self, conn: Connection) -> Iterator[Connection]:
        """`begin_immediate` on a connection already checked out (which has no open
        transaction): saves a pool round trip on hot paths."""
        conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        try:
            with storage_errors(self.path), conn.begin():
                yield conn
        finally:
            conn.execution_options(**{_BEGIN_OPTION: "DEFERRED"})

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # sqlite3 must not emit BEGIN/COMMIT implicitly: SQLAlchemy's "begin" listener does it.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _PRAGMAS:
            cursor.execute(pragma)
        _enable_wal(cursor)
    finally:
        cursor.close()


def _enable_wal(cursor: sqlite3.Cursor) -> None:
    """Switch to WAL (persistent; a no-op once done).

    While another connection is switching the same file, SQLite answers SQLITE_BUSY
    without calling the busy handler, so wait here for up to the busy timeout.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            busy = (getattr(error, "sqlite_errorcode", 0) & 0xFF) == _SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    if mode not in _BEGIN_MODES:
        raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_sqlite_engine(path: Path) -> Engine:
    """An engine for `path` with AIDesk's pragmas and BEGIN handling (no migrations)."""
    engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)))
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def open_database(path: Path | str, *, replay_spool: bool = True) -> Database:
    """Open (creating if needed) the database at `path` and migrate it to the latest schema.

    A damaged file raises DatabaseCorrupt (never a fresh database in its place). New
    files are private (0600, folder 0700 on POSIX). Call records spooled while the
    database could not take them are replayed (skipped quietly if it is locked now).
    """
    path = Path(path).expanduser().absolute()
    try:
        files.private_dir(path.parent)
    except OSError as error:
        raise StorageError(
            f"AIDesk cannot create the folder for its database ({path.parent}): {error.strerror}. "
            "Check that the location exists and that you have permission to write there."
        ) from error
    if not path.is_dir():  # (a folder there: SQLite's own error says it cannot open it)
        health.check_file(path)
        try:
            files.private_file(path)
            for suffix in ("-wal", "-shm"):
                files.tighten(path.with_name(path.name + suffix), files.PRIVATE_FILE)
        except OSError:
            pass  # a read-only folder or file: SQLite reports what it cannot do
    db = Database(create_sqlite_engine(path), path)
    try:
        migrate(db)
        health.mark_created(path)
        if replay_spool:
            spool.replay(db)
    except BaseException:
        db.close()
        raise
    return db


def migrate(db: Database) -> None:
    """Upgrade `db` to the newest migration; cheap when it is already there."""
    with db.connect() as conn:
        if _current_revisions(conn) == script_heads():
            return
    with db.begin_immediate() as conn:  # the write lock: one process migrates, others wait
        current = _current_revisions(conn)
        if current == script_heads():
            return
        _check_known(current, db.path)
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _current_revisions(conn: Connection) -> set[str]:
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return set()
    return set(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def _check_known(revisions: set[str], path: Path) -> None:
    known = {script.revision for script in _script_directory().walk_revisions()}
    for revision in sorted(revisions - known):
        raise StorageError(
            f"The AIDesk database ({path}) was written by a newer version of AIDesk "
            f"(schema {revision}). Update AIDesk to open it."
        )


@functools.cache
def _script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


@functools.cache
def script_heads() -> frozenset[str]:
    """The head revision(s) of the shipped migrations, read once per process.

    Parsed from the `revision`/`down_revision` assignments in `versions/*.py`
    without importing alembic (that import alone costs over 100 ms), so opening an
    up-to-date database stays fast. A test checks this against alembic's own answer.
    """
    parents: dict[str, tuple[str, ...]] = {}
    for file in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = _revision_constants(file)
        if "revision" not in found:
            continue
        down = found.get("down_revision")
        parents[str(found["revision"])] = (
            () if down is None else (down,) if isinstance(down, str) else tuple(down)
        )
    return frozenset(parents) - {rev for downs in parents.values() for rev in downs}


def _revision_constants(file: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for node in ast.parse(file.read_text(encoding="utf-8"), str(file)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found
