"""Workspace limits: checked and reserved in one write-locked transaction before each call.

Windows are fixed UTC periods: requests per clock hour, tokens per day, cost per month.
Finished calls add to `ai_usage_counters` (one row per tenant and period); in-flight
calls hold a row in `ai_limit_reservations`. Both are counted, so calls running at the
same time (tasks, threads or other processes on the same database) can never overshoot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from aidesk.errors import LimitExceeded
from aidesk.storage import Database
from aidesk.storage import tables as t
from aidesk.storage.types import new_id
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
_c, _r = t.ai_usage_counters.c, t.ai_limit_reservations.c

def _counter(column: sa.Column[Any], period: str) -> sa.ScalarSelect[Any]:
    return sa.select(column).where(_c.tenant_id == sa.bindparam("tenant"),
                                   _c.period == period,
                                   _c.period_start == sa.bindparam(period)).scalar_subquery()


_held = sa.select(sa.func.count().label("n"),
                  sa.func.coalesce(sa.func.sum(_r.tokens), 0).label("tokens"),
                  sa.func.coalesce(sa.func.sum(_r.cost_usd), 0.0).label("cost")).where(
    _r.tenant_id == sa.bindparam("tenant"), _r.expires_at > sa.bindparam("now")).subquery()
# One round trip: this period's three counters and what in-flight calls hold.
_USE = sa.select(
    sa.func.coalesce(_counter(_c.requests, "hour"), 0) + _held.c.n,
    sa.func.coalesce(_counter(_c.tokens, "day"), 0) + _held.c.tokens,
    sa.func.coalesce(_counter(_c.cost_usd, "month"), 0.0) + _held.c.cost,
)
_EXPIRE = t.ai_limit_reservations.delete().where(_r.expires_at <= sa.bindparam("now"))
_RESERVE = t.ai_limit_reservations.insert()
_RELEASE = t.ai_limit_reservations.delete().where(_r.request_id == sa.bindparam("request"))
_BUMP = sqlite_insert(t.ai_usage_counters)
_BUMP = _BUMP.on_conflict_do_update(
    index_elements=["tenant_id", "period", "period_start"],
    set_={"requests": _c.requests + _BUMP.excluded.requests,
          "tokens": _c.tokens + _BUMP.excluded.tokens,
          "cost_usd": _c.cost_usd + _BUMP.excluded.cost_usd,
          "updated_at": _BUMP.excluded.updated_at},
)


def status(conn: Connection, tenant_id: str, limits: Limits, now: datetime) -> list[LimitStatus]:
    """Current use of every limit that is set, reservations of in-flight calls included."""
    hour = period_start("hour", now)
    day = hour.replace(hour=0)
    used = conn.execute(_USE, {"tenant": tenant_id, "now": now, "hour": hour, "day": day,
                               "month": day.replace(day=1)}).one()
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
            conn.execute(_EXPIRE, {"now": now})
            _last_expiry = now
        warnings = []
        for s in status(conn, tenant_id, limits, now):
            after = s.used + need[s.limit]
            if after > s.value:
                raise LimitExceeded(s.limit, s.value, s.used, s.resets_at)
            if after >= WARN_AT * s.value:
                warnings.append(LimitStatus(s.limit, s.value, after, s.resets_at))
        conn.execute(_RESERVE, {"id": new_id(), "tenant_id": tenant_id, "request_id": request_id,
                                "tokens": tokens, "cost_usd": cost, "created_at": now,
                                "expires_at": now + RESERVATION_TTL})
    return warnings


def release(conn: Connection, request_id: str) -> None:
    conn.execute(_RELEASE, {"request": request_id})


def count(conn: Connection, tenant_id: str, tokens: int, cost: float | None,
          now: datetime) -> None:
    """Add a finished call to the counters of its hour, day and month."""
    hour = period_start("hour", now)
    day = hour.replace(hour=0)
    conn.execute(_BUMP, [
        {"id": new_id(), "tenant_id": tenant_id, "period": period, "period_start": start,
         "requests": 1, "tokens": tokens, "cost_usd": cost or 0.0, "created_at": now,
         "updated_at": now}
        for period, start in (("hour", hour), ("day", day), ("month", day.replace(day=1)))
    ])
