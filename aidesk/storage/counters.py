"""Per-period usage counters (`ai_usage_counters`): fixed UTC hour, day and month totals.

Shared by the router's records (a finished call) and the spool replay (a call whose
rows could not be written at the time).
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

from aidesk.storage.values import new_id, utc_text

_BUMP = """
INSERT INTO ai_usage_counters
  (id, tenant_id, period, period_start, requests, tokens, cost_usd, created_at, updated_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
ON CONFLICT (tenant_id, period, period_start) DO UPDATE SET
  requests = requests + 1, tokens = tokens + excluded.tokens,
  cost_usd = cost_usd + excluded.cost_usd, updated_at = excluded.updated_at
"""


def period_start(period: str, now: datetime) -> datetime:
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if period == "hour":
        return hour
    day = hour.replace(hour=0)
    return day if period == "day" else day.replace(day=1)


def period_end(period: str, now: datetime) -> datetime:
    start = period_start(period, now)
    if period == "hour":
        return start + timedelta(hours=1)
    if period == "day":
        return start + timedelta(days=1)
    return (start + timedelta(days=32)).replace(day=1)


def bump(conn: sqlite3.Connection, tenant_id: str, tokens: int, cost: float | None,
         now: datetime) -> None:
    """Add one finished call to the counters of its hour, day and month."""
    hour = period_start("hour", now)
    day = hour.replace(hour=0)
    stamp = utc_text(now)
    conn.executemany(_BUMP, [
        (new_id(), tenant_id, period, utc_text(start), tokens, cost or 0.0, stamp, stamp)
        for period, start in (("hour", hour), ("day", day), ("month", day.replace(day=1)))
    ])
