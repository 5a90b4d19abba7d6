"""The outbox: which local rows still have to reach the centre.

Migration 0010's triggers queue `(tenant_id, tbl, row_id)` in `sync_outbox` in the same
transaction as the row itself, for tenants with a `sync_targets` row only. A tenant that
starts syncing has rows written before: `backfill` queues those, in the transaction that
creates its target (`aidesk.sync.target.configure`). `aidesk.sync.push` sends the entries
and deletes the ones the centre confirmed.

`tbl` is the local table's name; the centre names some tables otherwise (`SYNCED`).
"""

from __future__ import annotations

import sqlite3

from aidesk.storage import Database
from aidesk.storage.values import utc_text, utcnow

# local table → central table, in the order a backfill queues them (configs first)
SYNCED = {
    "ai_configs": "ai_configs",
    "ai_usage_logs": "ai_usage_logs",
    "ai_audit_logs": "ai_audit_logs",
    "images": "ai_images",
    "bulk_items": "ai_bulk_messages",
}

# The ids of a tenant's rows that sync, oldest first (what the triggers would have queued).
_ROWS = {
    "ai_configs": "SELECT id FROM ai_configs WHERE tenant_id = :tenant ORDER BY created_at",
    "ai_usage_logs": ("SELECT id FROM ai_usage_logs WHERE tenant_id = :tenant "
                      "ORDER BY created_at"),
    "ai_audit_logs": ("SELECT id FROM ai_audit_logs WHERE tenant_id = :tenant "
                      "ORDER BY created_at"),
    "images": "SELECT id FROM images WHERE tenant_id = :tenant ORDER BY created_at",
    "bulk_items": ("SELECT i.id FROM bulk_jobs AS j JOIN bulk_items AS i ON i.job_id = j.id "
                   "WHERE j.tenant_id = :tenant AND i.state IN ('done', 'failed') "
                   "ORDER BY j.created_at, i.seq"),
}
# Rows already queued are not queued twice (a target configured again, a DSN changed).
_BACKFILL = ("INSERT INTO sync_outbox (tenant_id, tbl, row_id, queued_at) "
             "SELECT :tenant, :tbl, id, :now FROM ({rows}) WHERE id NOT IN "
             "(SELECT row_id FROM sync_outbox WHERE tenant_id = :tenant AND tbl = :tbl)")
_PENDING = "SELECT tbl, count(*) FROM sync_outbox WHERE tenant_id = ? GROUP BY tbl"


def backfill(conn: sqlite3.Connection, tenant_id: str) -> int:
    """Queue every row of `tenant_id` that syncs and is not queued yet; the rows queued.

    Runs on `conn` inside the caller's transaction (the one creating the target), so a
    row written meanwhile is queued exactly once: by its trigger or here.
    """
    now = utc_text(utcnow())
    queued = 0
    for tbl, rows in _ROWS.items():
        cursor = conn.execute(_BACKFILL.format(rows=rows),
                              {"tenant": tenant_id, "tbl": tbl, "now": now})
        queued += cursor.rowcount
    return queued


def clear(conn: sqlite3.Connection, tenant_id: str) -> int:
    """Drop the tenant's entries (it stops syncing); the entries dropped."""
    return conn.execute("DELETE FROM sync_outbox WHERE tenant_id = ?", (tenant_id,)).rowcount


def pending_on(conn: sqlite3.Connection, tenant_id: str) -> dict[str, int]:
    """`pending` on an open connection."""
    counts = {local: 0 for local in SYNCED}
    for tbl, count in conn.execute(_PENDING, (tenant_id,)):
        if tbl in counts:
            counts[tbl] = int(count)
    return {SYNCED[local]: count for local, count in counts.items()}


def pending(db: Database, tenant_id: str) -> dict[str, int]:
    """Entries waiting for the centre, by CENTRAL table name (every synced table, 0 too)."""
    with db.reading() as conn:
        return pending_on(conn, tenant_id)
