"""One sync pass (connect → push the outbox → pull policies and configs), and the status.

Synchronous and blocking: the CLI runs it in its process, the desktop off the UI thread.
Each pass leaves its trace in `sync_targets`: the time, what moved, or the error sentence,
which the status (CLI and the desktop's status bar) shows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aidesk.errors import AIDeskError, ConfigError
from aidesk.i18n import _
from aidesk.storage import Database
from aidesk.storage.values import utc_from_text, utc_text, utcnow
from aidesk.sync.target import device_id, dsn_of

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.workspaces import Workspace


@dataclass
class SyncReport:
    """What one pass moved: rows pushed per central table, local rows changed by the pull,
    outbox rows still pending after it."""

    pushed: dict[str, int]
    pulled: int
    pending: int
    at: datetime
    cancelled: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"pushed": dict(self.pushed), "pulled": self.pulled, "pending": self.pending}


@dataclass
class SyncStatus:
    configured: bool
    dsn: str | None
    last_sync_at: datetime | None
    pending: int
    pending_by_table: dict[str, int]
    last_error: str | None
    last_error_at: datetime | None
    locked: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def iso(moment: datetime | None) -> str | None:
            return None if moment is None else moment.isoformat()

        return {"configured": self.configured, "dsn": self.dsn,
                "last_sync_at": iso(self.last_sync_at), "pending": self.pending,
                "pending_by_table": dict(self.pending_by_table),
                "last_error": self.last_error, "last_error_at": iso(self.last_error_at),
                "locked": dict(self.locked)}


def not_configured(ws: Workspace) -> ConfigError:
    return ConfigError(
        _("Workspace {workspace} has no central database to sync with.").format(
            workspace=ws.name),
        cli_hint=_("Set one with `aidesk config set sync.dsn postgresql://USER@HOST:PORT/DB`."),
        gui_hint=_("Set one in Settings, Sync."))


def run_pass(core: Core, ws: Workspace, *, cancel: threading.Event | None = None,
             progress: Callable[[int, int], None] | None = None) -> SyncReport:
    """Push the outbox, then pull; record the outcome in sync_targets. A failure is recorded
    as the last error and raised (a SyncError, or the AIDeskError push or pull raised).
    `progress(done, total)` after each pushed batch (outbox entries)."""
    import psycopg

    from aidesk.sync import connect, pull, push
    from aidesk.sync.target import parse_dsn

    dsn = dsn_of(core.db, ws.tenant_id)
    if dsn is None:
        raise not_configured(ws)
    device = device_id(core.db)
    try:
        try:
            pg = connect.connect(core.keys, ws.tenant_id, dsn)
            try:
                pushed = push.push(core.db, pg, ws.tenant_id, device, cancel=cancel,
                                   progress=progress)
                cancelled = cancel is not None and cancel.is_set()
                pulled = 0 if cancelled else pull.pull(core.db, core.workspaces, pg,
                                                       ws.tenant_id, device)
            finally:
                pg.close()
        except psycopg.Error as exc:  # the link lost, a right missing, a row refused
            raise connect.failure(exc, parse_dsn(dsn)) from None
    except AIDeskError as exc:
        record_error(core.db, ws.tenant_id, exc)
        raise
    at = utcnow()
    with core.db.writing() as conn:
        conn.execute("UPDATE sync_targets SET last_sync_at = COALESCE(?, last_sync_at), "
                     "last_pushed = ?, last_pulled = ?, last_error = NULL, "
                     "last_error_at = NULL, updated_at = ? WHERE tenant_id = ?",
                     (None if cancelled else utc_text(at), json.dumps(pushed), pulled,
                      utc_text(at), ws.tenant_id))
    pending = sum(_pending(core.db, ws.tenant_id).values())
    return SyncReport(pushed, pulled, pending, at, cancelled)


def record_error(db: Database, tenant_id: str, exc: AIDeskError) -> None:
    """Keep a failed pass's sentence (redacted, as every AIDeskError) and its time."""
    now = utc_text(utcnow())
    with db.writing() as conn:
        conn.execute("UPDATE sync_targets SET last_error = ?, last_error_at = ?, "
                     "updated_at = ? WHERE tenant_id = ?",
                     (exc.user_message, now, now, tenant_id))


def status(core: Core, ws: Workspace) -> SyncStatus:
    """The workspace's sync state, read from the local database only (no network)."""
    with core.db.raw() as conn:
        row = conn.execute("SELECT dsn, last_sync_at, last_error, last_error_at "
                           "FROM sync_targets WHERE tenant_id = ?", (ws.tenant_id,)).fetchone()
    by_table = _pending(core.db, ws.tenant_id)
    locked = _locked(core.db, ws.tenant_id)
    if row is None:
        return SyncStatus(False, None, None, sum(by_table.values()), by_table, None, None,
                          locked)
    dsn, last_sync_at, last_error, last_error_at = row
    return SyncStatus(True, dsn, _when(last_sync_at), sum(by_table.values()), by_table,
                      last_error, _when(last_error_at), locked)


def _when(value: str | None) -> datetime | None:
    return None if value is None else utc_from_text(value)


def _pending(db: Database, tenant_id: str) -> dict[str, int]:
    from aidesk.sync import outbox

    return {table: n for table, n in outbox.pending(db, tenant_id).items() if n}


def _locked(db: Database, tenant_id: str) -> dict[str, str]:
    from aidesk.sync import policies

    return dict(policies.locked(db, tenant_id))
