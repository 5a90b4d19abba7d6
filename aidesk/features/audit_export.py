"""The audit log's CSV export (streamed) and its retention purge (no Qt).

`export_csv` writes the rows of a filter to a binary file in chunks, as aidesk.features.leads
writes its CSV (UTF-8 with BOM, `;`, CRLF, formula-guarded cells): one read snapshot, a
cursor walked in order, so a million rows never sit in memory. It reports the rows written
after each chunk and stops between chunks when asked to (the file is then incomplete: the
caller removes it). `purge` deletes rows older than N days in small transactions; the FTS5
triggers keep the search index in step.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from datetime import datetime, timedelta
from typing import BinaryIO

from aidesk.features.audit_log import _OUTCOME, AuditFilter, where
from aidesk.features.leads import _FORMULA_START, csv_bytes
from aidesk.storage import Database
from aidesk.storage.values import utc_text

CHUNK_ROWS = 5000
PURGE_BATCH = 1000  # ~60 ms of deleting (search index included) per transaction
RETENTION_RANGE = (1, 3650)
CSV_HEADER = ("created_at", "provider", "model", "module", "user", "outcome", "tokens", "error",
              "prompt", "response")
_GUARDED = ", ".join(str(ord(c)) for c in _FORMULA_START)


def _text(column: str) -> str:
    """`column` as one CSV cell built by SQLite: quoted, quotes doubled, a formula's first
    character guarded as leads.csv_bytes guards it, NULL as an empty cell."""
    guarded = f"iif(unicode({column}) IN ({_GUARDED}), '''' || {column}, {column})"
    return f"coalesce('\"' || replace({guarded}, '\"', '\"\"') || '\"', '')"


# Each row comes out of SQLite as its CSV line (the Python csv module would cost more than
# the query); the time in the computer's time zone, as SQLite's 'localtime' gives it.
_LINE = " || ';' || ".join((
    "datetime(a.created_at, 'localtime')",
    *(_text(f"a.{c}") for c in ("provider", "model", "module", "user_id")),
    _OUTCOME, "coalesce(a.tokens_used, '')",
    *(_text(f"a.{c}") for c in ("error_message", "prompt", "response"))))


class ExportCancelled(Exception):
    """The caller's `cancelled()` said stop: what the caller asked for, not a failure to
    show (it says so in its own words and removes the partial file)."""


def csv_chunks(db: Database, tenant_id: str, flt: AuditFilter,
               chunk_rows: int = CHUNK_ROWS) -> Generator[tuple[bytes, int], None, None]:
    """The CSV file in pieces: (bytes, rows in them); the first piece is the header (from
    leads.csv_bytes: UTF-8 with BOM, `;`, CRLF)."""
    clause, params = where(tenant_id, flt)
    yield csv_bytes(CSV_HEADER, ()), 0
    with db.reading() as conn:
        cursor = conn.execute(f"SELECT {_LINE} FROM ai_audit_logs a WHERE {clause} "
                              "ORDER BY a.created_at DESC, a.id DESC", params)
        while batch := cursor.fetchmany(chunk_rows):
            yield ("\r\n".join(r[0] for r in batch) + "\r\n").encode("utf-8"), len(batch)


def export_csv(db: Database, tenant_id: str, flt: AuditFilter, out: BinaryIO, *,
               progress: Callable[[int], None] | None = None,
               cancelled: Callable[[], bool] | None = None,
               chunk_rows: int = CHUNK_ROWS) -> int:
    """Write the filtered rows to `out`; return how many. Raises ExportCancelled when
    `cancelled()` turns true (checked between chunks)."""
    written = 0
    for data, count in csv_chunks(db, tenant_id, flt, chunk_rows):
        if cancelled is not None and cancelled():
            raise ExportCancelled
        out.write(data)
        written += count
        if progress is not None and count:
            progress(written)
    return written


def count(db: Database, tenant_id: str, flt: AuditFilter) -> int:
    """How many rows match `flt` (the export's total, for its progress bar)."""
    clause, params = where(tenant_id, flt)
    with db.raw() as conn:
        return int(conn.execute(
            f"SELECT count(*) FROM ai_audit_logs a WHERE {clause}", params).fetchone()[0])


def purge_batches(db: Database, days: int, now: datetime,
                  batch: int = PURGE_BATCH) -> Generator[int, None, None]:
    """Delete every workspace's audit rows older than `days` days, one transaction of at
    most `batch` rows per step, yielding how many each deleted (a caller can pause between
    steps: the first purge of a big log takes a while; others write in between)."""
    low, high = RETENTION_RANGE
    if not low <= days <= high:
        raise ValueError(f"retention {days} days outside {low}-{high}")
    cutoff = utc_text(now - timedelta(days=days))
    with db.raw() as conn:
        tenants = [r[0] for r in conn.execute("SELECT DISTINCT tenant_id FROM ai_audit_logs")]
    for tenant in tenants:
        gone = batch
        while gone == batch:
            with db.writing() as conn:
                gone = conn.execute(
                    "DELETE FROM ai_audit_logs WHERE rowid IN (SELECT rowid FROM ai_audit_logs "
                    "WHERE tenant_id = ? AND created_at < ? LIMIT ?)",
                    (tenant, cutoff, batch)).rowcount
            yield gone


def purge(db: Database, days: int, now: datetime) -> int:
    """Delete every workspace's audit rows older than `days` days; return how many."""
    return sum(purge_batches(db, days, now))
