"""Opening the local SQLite database: connection settings, transactions, disk errors.

Every connection runs with WAL, `synchronous=NORMAL`, `foreign_keys=ON` and a
5 s busy timeout, in sqlite3's autocommit mode: transactions are opened explicitly, so
one can start as `BEGIN IMMEDIATE` when it must take the write lock up front.

Two ways in. The hot path (router, workspace reads, start-up) uses pooled sqlite3
connections: `raw`, `reading`, `writing`, `transaction`. Migrations, the workspace
writers and tests that use the Core tables use SQLAlchemy: `connect`, `begin`,
`begin_immediate` on `engine`, which is built (and SQLAlchemy imported) on first use.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from aidesk.errors import StorageError
from aidesk.i18n import _
from aidesk.storage import files, health, spool
from aidesk.storage.faults import SQLITE_BUSY, storage_error_for, storage_errors
from aidesk.storage.schema import MIGRATIONS_DIR, migrate, script_heads

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

__all__ = ["MIGRATIONS_DIR", "Database", "connect_sqlite", "create_sqlite_engine", "migrate",
           "open_database", "script_heads", "storage_error_for", "storage_errors"]

_BUSY_TIMEOUT_MS = 5000
_PRAGMAS = (
    f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
_BEGIN_OPTION = "aidesk_begin"  # execution option read by the "begin" listener
_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})
_POOL_SIZE = 5  # idle sqlite3 connections kept; more are closed when they come back


def connect_sqlite(path: Path) -> sqlite3.Connection:
    """A new connection to `path` with AIDesk's pragmas, in autocommit mode (BEGIN is ours)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        for pragma in _PRAGMAS:
            conn.execute(pragma)
        _enable_wal(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL (persistent; a no-op once done).

    While another connection is switching the same file, SQLite answers SQLITE_BUSY
    without calling the busy handler, so wait here for up to the busy timeout.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
            return
        except sqlite3.OperationalError as error:
            busy = (getattr(error, "sqlite_errorcode", 0) & 0xFF) == SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


class Database:
    """An open AIDesk database. Every way in maps disk errors to StorageError."""

    busy_timeout_ms = _BUSY_TIMEOUT_MS

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._engine_lock = threading.Lock()
        self._engine: Engine | None = None

    # -- sqlite3: the hot path ------------------------------------------------------------------
    @contextmanager
    def raw(self) -> Iterator[sqlite3.Connection]:
        """A pooled sqlite3 connection in autocommit mode (open transactions with
        `transaction`); a transaction left open is rolled back when it returns. Disk errors
        inside the block are mapped too."""
        with storage_errors(self.path):
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                conn = connect_sqlite(self.path)
            try:
                yield conn
            finally:
                self._checkin(conn)

    def _checkin(self, conn: sqlite3.Connection) -> None:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            conn.close()
            return
        with self._lock:
            if len(self._idle) < _POOL_SIZE:
                self._idle.append(conn)
                return
        conn.close()

    @contextmanager
    def transaction(self, conn: sqlite3.Connection,
                    mode: str = "DEFERRED") -> Iterator[sqlite3.Connection]:
        """`BEGIN <mode>` on `conn` (which has none open), committed on success, rolled back
        on error. IMMEDIATE takes the write lock before the first read, so a check-then-write
        (count usage, then reserve against a limit) is atomic across threads and processes."""
        if mode not in _BEGIN_MODES:
            raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
        with storage_errors(self.path):
            conn.execute(f"BEGIN {mode}")
            try:
                yield conn
            except BaseException:
                with suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """One consistent snapshot for several reads (a deferred transaction, rolled back)."""
        with self.raw() as conn:
            conn.execute("BEGIN")
            yield conn

    @contextmanager
    def writing(self, mode: str = "DEFERRED", *,
                busy_timeout_ms: int | None = None) -> Iterator[sqlite3.Connection]:
        """A transaction on a pooled connection, committed on success; `busy_timeout_ms`
        (0: fail at once when another process holds the write lock) for this one only."""
        with self.raw() as conn:
            if busy_timeout_ms is None:
                with self.transaction(conn, mode):
                    yield conn
            else:
                with self.patience(conn, busy_timeout_ms), self.transaction(conn, mode):
                    yield conn

    @contextmanager
    def patience(self, conn: sqlite3.Connection,
                 busy_timeout_ms: int) -> Iterator[sqlite3.Connection]:
        """Run with another busy timeout on `conn` (0: fail at once when another process
        holds the write lock), restored afterwards. Opens no transaction."""
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        try:
            yield conn
        finally:
            conn.execute(f"PRAGMA busy_timeout={self.busy_timeout_ms}")

    # -- SQLAlchemy: migrations, workspace writers, tests ---------------------------------------
    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine on the same file (built, and SQLAlchemy imported, on first use)."""
        with self._engine_lock:  # not the pool's lock: building it imports SQLAlchemy
            if self._engine is None:
                self._engine = create_sqlite_engine(self.path)
            return self._engine

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
        """A write transaction started with `BEGIN IMMEDIATE` (see `transaction`)."""
        with storage_errors(self.path), self.engine.connect() as conn, self.immediate(conn):
            yield conn

    @contextmanager
    def immediate(self, conn: Connection) -> Iterator[Connection]:
        """`begin_immediate` on a connection already checked out (which has no open
        transaction)."""
        conn.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        try:
            with storage_errors(self.path), conn.begin():
                yield conn
        finally:
            conn.execution_options(**{_BEGIN_OPTION: "DEFERRED"})

    # -- lifetime -------------------------------------------------------------------------------
    def dispose(self) -> None:
        """Close the pooled connections (both kinds); new ones get the current pragmas."""
        with self._lock:
            idle, self._idle = self._idle, []
            engine = self._engine
        for conn in idle:
            conn.close()
        if engine is not None:
            engine.dispose()

    def close(self) -> None:
        self.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path)!r})"


def _on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
    if mode not in _BEGIN_MODES:
        raise ValueError(f"unknown SQLite BEGIN mode {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_sqlite_engine(path: Path) -> Engine:
    """A SQLAlchemy engine for `path` with AIDesk's pragmas and BEGIN handling (the
    pysqlite recipe from SQLAlchemy's SQLite docs: SQLAlchemy, not sqlite3, emits BEGIN)."""
    from sqlalchemy import URL, create_engine, event

    engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)),
                           creator=lambda: connect_sqlite(path))
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
            _("AIDesk cannot create the folder for its database ({folder}): {error}. Check "
              "that the location exists and that you have permission to write there.").format(
                  folder=path.parent, error=error.strerror)
        ) from error
    if not path.is_dir():  # (a folder there: SQLite's own error says it cannot open it)
        health.check_file(path)
        try:
            files.private_file(path)
            for suffix in ("-wal", "-shm"):
                files.tighten(path.with_name(path.name + suffix), files.PRIVATE_FILE)
        except OSError:
            pass  # a read-only folder or file: SQLite reports what it cannot do
    db = Database(path)
    try:
        migrate(db)
        health.mark_created(path)
        if replay_spool:
            spool.replay(db)
    except BaseException:
        db.close()
        raise
    return db
