"""Workspace limits: checked and reserved in one write-locked transaction before each call.

Windows are fixed UTC periods: requests per clock hour, tokens per day, cost per month.
Finished calls add to `ai_usage_counters` (one row per tenant and period); in-flight
calls hold a row in `ai_limit_reservations`. Both are counted, so calls running at the
same time (tasks, threads or other processes on the same database) can never overshoot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Connection

from aidesk.errors import LimitExceeded
from aidesk.storage import Database
from aidesk.storage.types import new_id, utc_text
from aidesk.workspaces import Limits

WARN_AT = 0.8
RESERVATION_TTL = timedelta(minutes=15)  # outlives any call; frees what a killed process held
PERIODS = {"requests_per_hour": "hour", "tokens_per_day": "day", "cost_per_month": "month"}


@dataclass(frozen=True, slots=True)
class LimitStatus:
    limit: str
    value: float
    used: float
    resets_at: datetime

    @property
    def fraction(self) -> float:
        return self.used / self.value if self.value else 1.0


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


_last_expiry = datetime.min.replace(tzinfo=UTC)

# Plain SQL on the hot path: these run on every limited call, and SQLAlchemy's statement
# machinery costs more than SQLite itself here. The tables are those of aidesk.storage.
_USE = """
SELECT
  coalesce((SELECT requests FROM ai_usage_counters
            WHERE tenant_id = :tenant AND period = 'hour' AND period_start = :hour), 0),
  coalesce((SELECT tokens FROM ai_usage_counters
            WHERE tenant_id = :tenant AND period = 'day' AND period_start = :day), 0),
  coalesce((SELECT cost_usd FROM ai_usage_counters
            WHERE tenant_id = :tenant AND period = 'month' AND period_start = :month), 0),
  count(*), coalesce(sum(tokens), 0), coalesce(sum(cost_usd), 0)
FROM ai_limit_reservations WHERE tenant_id = :tenant AND expires_at > :now
"""
_EXPIRE = "DELETE FROM ai_limit_reservations WHERE expires_at <= ?"
_RESERVE = (
    "INSERT INTO ai_limit_reservations (id, tenant_id, request_id, tokens, cost_usd, "
    "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_RELEASE = "DELETE FROM ai_limit_reservations WHERE request_id = ?"
_BUMP = """
INSERT INTO ai_usage_counters
  (id, tenant_id, period, period_start, requests, tokens, cost_usd, created_at, updated_at)
VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
ON CONFLICT (tenant_id, period, period_start) DO UPDATE SET
  requests = requests + 1, tokens = tokens + excluded.tokens,
  cost_usd = cost_usd + excluded.cost_usd, updated_at = excluded.updated_at
"""


def status(conn: Connection, tenant_id: str, limits: Limits, now: datetime) -> list[LimitStatus]:
    """Current use of every limit that is set, reservations of in-flight calls included."""
    hour = period_start("hour", now)
    day = hour.replace(hour=0)
    row = conn.exec_driver_sql(_USE, {
        "tenant": tenant_id, "now": utc_text(now), "hour": utc_text(hour),
        "day": utc_text(day), "month": utc_text(day.replace(day=1))}).one()
    used = [row[0] + row[3], row[1] + row[4], row[2] + row[5]]
    return [LimitStatus(limit, getattr(limits, limit), float(used[i]), period_end(period, now))
            for i, (limit, period) in enumerate(PERIODS.items())
            if getattr(limits, limit) is not None]


def reserve(
    db: Database, conn: Connection, tenant_id: str, limits: Limits, request_id: str,
    tokens: int, cost: float, now: datetime,
) -> list[LimitStatus]:
    """Reserve one request, `tokens` and `cost`; raise LimitExceeded if any limit would pass.

    `conn` must have no open transaction. Returns the limits at or above the warning
    threshold after this reservation.
    """
    global _last_expiry
    need = {"requests_per_hour": 1.0, "tokens_per_day": float(tokens), "cost_per_month": cost}
    with db.immediate(conn):
        if now - _last_expiry > timedelta(minutes=1):  # housekeeping: expired rows never count
            conn.exec_driver_sql(_EXPIRE, (utc_text(now),))
            _last_expiry = now
        warnings = []
        for s in status(conn, tenant_id, limits, now):
            after = s.used + need[s.limit]
            if after > s.value:
                raise LimitExceeded(s.limit, s.value, s.used, s.resets_at)
            if after >= WARN_AT * s.value:
                warnings.append(LimitStatus(s.limit, s.value, after, s.resets_at))
        conn.exec_driver_sql(_RESERVE, (new_id(), tenant_id, request_id, tokens, cost,
                                        utc_text(now), utc_text(now + RESERVATION_TTL)))
    return warnings


def release(conn: Connection, request_id: str) -> None:
    conn.exec_driver_sql(_RELEASE, (request_id,))


def count(conn: Connection, tenant_id: str, tokens: int, cost: float | None,
          now: datetime) -> None:
    """Add a finished call to the counters of its hour, day and month."""
    hour = period_start("hour", now)
    day = hour.replace(hour=0)
    stamp = utc_text(now)
    conn.exec_driver_sql(_BUMP, [
        (new_id(), tenant_id, period, utc_text(start), tokens, cost or 0.0, stamp, stamp)
        for period, start in (("hour", hour), ("day", day), ("month", day.replace(day=1)))
    ])
