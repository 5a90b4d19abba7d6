"""Push the outbox to the centre, in batches: no row lost, none twice.

A batch is the oldest `batch_rows` outbox entries of the tenant. Their rows are read from
SQLite (a row deleted since is skipped), then ONE PostgreSQL transaction copies them into
temporary staging tables (COPY) and moves them into the central tables with an upsert
keyed by the client UUID (aidesk.sync.push_rows). Only after the centre committed are
exactly those outbox entries deleted. A kill before the commit leaves the centre as it
was and the entries queued; a kill after it leaves entries whose rows the centre has, and
the next push's upsert of them changes nothing. Entries queued while a push runs wait for
the next one (the push stops at the last entry present when it started).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from aidesk.storage import Database
from aidesk.sync.outbox import SYNCED
from aidesk.sync.push_rows import TABLES, Table

BATCH_ROWS = 5000  # outbox entries per batch: one PostgreSQL transaction each
_ENTRIES = ("SELECT seq, tbl, row_id FROM sync_outbox WHERE tenant_id = ? AND seq > ? "
            "AND seq <= ? ORDER BY seq LIMIT ?")
_RANGE = "SELECT max(seq), count(*) FROM sync_outbox WHERE tenant_id = ?"
_FORGET = "DELETE FROM sync_outbox WHERE seq IN (SELECT value FROM json_each(?))"


@dataclass
class Batch:
    read: int = 0  # entries read
    last: int = 0  # the last one's seq
    seqs: list[int] = field(default_factory=list)  # the entries done with: sent or skipped
    rows: dict[str, list[str]] = field(default_factory=dict)  # local table → COPY lines


def push(db: Database, pg: psycopg.Connection[Any], tenant_id: str, device: str, *,
         batch_rows: int = BATCH_ROWS, cancel: threading.Event | None = None,
         progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Send the tenant's outbox to the centre; rows the centre confirmed, by central table.

    `progress(done, total)` after each batch (entries); `cancel` stops between batches.
    psycopg errors are raised as they come (aidesk.sync.passes words them).
    """
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    pushed = dict.fromkeys(SYNCED.values(), 0)
    with db.reading() as conn:
        ceiling, total = conn.execute(_RANGE, (tenant_id,)).fetchone()
    if not total:
        return pushed
    _idle(pg)
    done = 0
    # The next batch is read from SQLite while the centre works on this one (SQLite's own
    # work runs without the GIL). A batch's entries are deleted once the centre committed.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aidesk-push") as reader:
        ahead = reader.submit(read_batch, db, tenant_id, 0, int(ceiling), batch_rows)
        while cancel is None or not cancel.is_set():
            batch = ahead.result()
            if not batch.read:
                break
            ahead = reader.submit(read_batch, db, tenant_id, batch.last, int(ceiling),
                                  batch_rows)
            send(pg, tenant_id, device, batch)
            forget(db, batch.seqs)
            for local, rows in batch.rows.items():
                pushed[SYNCED[local]] += len(rows)
            done += batch.read
            if progress is not None:
                progress(done, int(total))
    return pushed


def read_batch(db: Database, tenant_id: str, after: int, ceiling: int, limit: int) -> Batch:
    """The entries after seq `after` (up to `ceiling`) and their rows, as one snapshot."""
    batch = Batch()
    ids: dict[str, dict[str, None]] = {}
    with db.reading() as conn:
        for seq, tbl, row_id in conn.execute(_ENTRIES, (tenant_id, after, ceiling, limit)):
            batch.read += 1
            batch.last = int(seq)
            if tbl in TABLES:  # an unknown table's entry (a newer version's) stays queued
                batch.seqs.append(int(seq))
                ids.setdefault(tbl, {})[row_id] = None  # once each, in queue order
        for local in SYNCED:
            if local in ids:
                batch.rows[local] = _rows(conn, TABLES[local], list(ids[local]), tenant_id)
    return batch


def _rows(conn: sqlite3.Connection, table: Table, ids: list[str], tenant_id: str) -> list[str]:
    return [str(row[0]) for row in conn.execute(table.select, (json.dumps(ids), tenant_id))]


def send(pg: psycopg.Connection[Any], tenant_id: str, device: str, batch: Batch) -> None:
    """The batch's rows into the centre in one transaction, committed when this returns.

    Text holding a NUL (which PostgreSQL refuses) is sent again without it; any other
    refusal of the data stands.
    """
    try:
        _send(pg, tenant_id, device, batch.rows)
    except psycopg.DataError:
        cleaned = {local: [row.replace("\x00", "") for row in rows]
                   for local, rows in batch.rows.items()}
        if cleaned == batch.rows:
            raise
        _send(pg, tenant_id, device, cleaned)


def _send(pg: psycopg.Connection[Any], tenant_id: str, device: str,
          rows_by_table: dict[str, list[str]]) -> None:
    params = {"tenant": tenant_id, "device": device}
    with pg.transaction(), pg.cursor() as cur:
        for local, rows in rows_by_table.items():
            if not rows:
                continue
            table = TABLES[local]
            cur.execute(table.create)
            with cur.copy(table.copy) as copy:
                copy.write("".join(rows))
            cur.execute(table.upsert, params)
    if not pg.autocommit and pg.info.transaction_status != TransactionStatus.IDLE:
        raise RuntimeError("the push's transaction was nested in another, not committed")


def forget(db: Database, seqs: list[int]) -> None:
    """Delete exactly these outbox entries (the centre has their rows)."""
    if not seqs:
        return
    with db.writing() as conn:
        conn.execute(_FORGET, (json.dumps(seqs),))


def _idle(pg: psycopg.Connection[Any]) -> None:
    """End a transaction the caller's queries opened, so each batch is a real one (not a
    savepoint inside it, which would commit nothing)."""
    status = pg.info.transaction_status
    if status == TransactionStatus.INTRANS:
        pg.commit()
    elif status == TransactionStatus.INERROR:
        pg.rollback()
