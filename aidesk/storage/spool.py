"""The spool: an append-only JSON-lines file of call records the database could not take.

When a call's usage and audit rows cannot be written (database locked past the busy
timeout, disk full, read-only), they are appended here, fsync'd, mode 0600, and
replayed into the database on the next open. Replay is idempotent: every row keeps
the id it was given, rows already present are skipped, and the counters are bumped
only together with a usage row actually inserted. The rows are already redacted
when they reach the spool (aidesk.router.records builds them).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aidesk.errors import StorageError
from aidesk.storage.counters import bump
from aidesk.storage.files import PRIVATE_FILE

log = logging.getLogger(__name__)

SPOOL_NAME = "spool.jsonl"
REPLAY_BUSY_MS = 100  # replay is a courtesy at open: never make a start-up wait on a writer
_TABLES = ("ai_usage_logs", "ai_audit_logs")


@dataclass(frozen=True, slots=True)
class Entry:
    request_id: str
    rows: dict[str, dict[str, Any]]  # table -> {column: value}, in insertion order
    count: dict[str, Any] | None = None  # {"tenant_id", "tokens", "cost_usd", "at"}
    release: str | None = None  # request id of a limit reservation to drop
    v: int = 1


def spool_path(db_path: Path) -> Path:
    return db_path.with_name(SPOOL_NAME)


@contextmanager
def _locked(fd: int) -> Iterator[None]:
    """An exclusive lock on the open spool file (appends and a replay never interleave)."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined,unused-ignore]
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
        return
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def append(path: Path, entry: Entry) -> None:
    """Append `entry` as one line and fsync it; raises OSError when even that fails."""
    line = json.dumps(asdict(entry), ensure_ascii=False, separators=(",", ":")).encode()
    flags = os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, PRIVATE_FILE)
        with _locked(fd):
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":  # a line cut by a crash
                line = b"\n" + line
            os.write(fd, line + b"\n")
            os.fsync(fd)
    finally:
        os.close(fd)


def pending(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


def replay(db: Any, path: Path | None = None) -> int:
    """Insert the spooled records into `db` (an aidesk.storage.Database), then empty the
    spool. Returns how many entries were new. A locked or unwritable database leaves
    the spool for the next open; nothing is raised."""
    path = path or spool_path(db.path)
    if not pending(path):
        return 0
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        with _locked(fd):
            raw = b""
            while chunk := os.pread(fd, 1 << 20, len(raw)):
                raw += chunk
            entries = list(_parse(raw, path))
            try:
                with db.writing("IMMEDIATE", busy_timeout_ms=REPLAY_BUSY_MS) as conn:
                    applied = sum(_apply(conn, entry) for entry in entries)
            except StorageError as error:
                log.warning("the spool (%s) could not be replayed now: %s", path,
                            error.user_message)
                return 0
            os.ftruncate(fd, 0)
            os.fsync(fd)
    finally:
        os.close(fd)
    if applied:
        log.info("replayed %d spooled call record(s) from %s", applied, path)
    return applied


def _parse(raw: bytes, path: Path) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut by a crash while it was written: never acknowledged
            log.warning("spool %s line %d is incomplete and was skipped", path, number)
            continue
        if isinstance(entry, dict) and entry.get("v") == 1:
            yield entry


def _apply(conn: sqlite3.Connection, entry: dict[str, Any]) -> int:
    inserted: dict[str, bool] = {}
    for table, row in entry.get("rows", {}).items():
        if table not in _TABLES:
            continue
        known = {str(r[1]) for r in conn.execute(f"PRAGMA table_info({table})")}
        columns = [c for c in row if c in known]  # names from the file are checked, not trusted
        sql = (f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) "
               f"VALUES ({', '.join('?' * len(columns))})")
        inserted[table] = conn.execute(sql, tuple(row[c] for c in columns)).rowcount > 0
    count = entry.get("count")
    if count and inserted.get("ai_usage_logs"):
        bump(conn, count["tenant_id"], int(count["tokens"]), count["cost_usd"],
             datetime.fromisoformat(count["at"] + "+00:00"))
    if entry.get("release"):
        conn.execute("DELETE FROM ai_limit_reservations WHERE request_id = ?",
                     (entry["release"],))
    return int(any(inserted.values()))
