"""The workspace's limits with their current use, and which of them to alert about now.

An alert (tray notification and banner) fires at WARN_AT (80%) of a limit once per period:
the period last alerted for each tenant and limit is kept in `app_state`
(`usage.alerted.<tenant>.<limit>` = the period's UTC start), so a restart does not repeat it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from aidesk.router import limits
from aidesk.storage import Database
from aidesk.storage.values import utc_text
from aidesk.workspaces import Limits, Workspaces

_STATE = "SELECT value FROM app_state WHERE key = ?"
_SET_STATE = ("INSERT INTO app_state (key, value) VALUES (?, ?) "
              "ON CONFLICT (key) DO UPDATE SET value = excluded.value")


@dataclass(frozen=True, slots=True)
class LimitUse:
    """One limit of the workspace: its value (None: not set), use now and reset time."""

    limit: str
    value: float | None
    used: float
    resets_at: datetime

    @property
    def fraction(self) -> float:
        return self.used / self.value if self.value else 0.0


def current(db: Database, store: Workspaces, tenant_id: str, now: datetime) -> list[LimitUse]:
    """Every limit, set or not, with this period's use (what the router counts)."""
    with db.reading() as conn:
        set_limits = store.limits(tenant_id, conn)
        probes = limits.status(conn, tenant_id, Limits(1, 1, 1.0), now)  # every limit's use
    out = []
    for probe in probes:
        value = getattr(set_limits, probe.limit)
        out.append(LimitUse(probe.limit, None if value is None else float(value),
                            probe.used, probe.resets_at))
    return out


def _key(tenant_id: str, limit: str) -> str:
    return f"usage.alerted.{tenant_id}.{limit}"


def due_alerts(db: Database, tenant_id: str, uses: list[LimitUse],
               now: datetime) -> list[LimitUse]:
    """The limits at WARN_AT or more not yet alerted in this period; marks them alerted."""
    due = []
    with db.writing() as conn:
        for use in uses:
            if use.value is None or use.fraction < limits.WARN_AT:
                continue
            period = utc_text(limits.period_start(limits.PERIODS[use.limit], now))
            if _alerted(conn, tenant_id, use.limit) == period:
                continue
            conn.execute(_SET_STATE, (_key(tenant_id, use.limit), period))
            due.append(use)
    return due


def _alerted(conn: sqlite3.Connection, tenant_id: str, limit: str) -> str | None:
    row = conn.execute(_STATE, (_key(tenant_id, limit),)).fetchone()
    return None if row is None else str(row[0])
