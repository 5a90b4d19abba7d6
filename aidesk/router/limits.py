"""Workspace limits: checked and reserved in one write-locked transaction before each call.

Windows are fixed UTC periods: requests per clock hour, tokens per day, cost per month.
Finished calls add to `ai_usage_counters` (one row per tenant and period); in-flight
calls hold a row in `ai_limit_reservations`. Both are counted, so calls running at the
same time (tasks, threads or other processes on the same database) can never overshoot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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
COUNTER_COLUMN = {"requests_per_hour": "requests", "tokens_per_day": "tokens",
                  "cost_per_month": "cost_usd"}


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
_COUNTERS = sa.select(_c.period, _c.requests, _c.tokens, _c.cost_usd).where(
    _c.tenant_id == sa.bindparam("tenant"),
    sa.or_(*(sa.and_(_c.period == p, _c.period_start == sa.bindparam(p))
             for p in ("hour", "day", "month"))),
)
_HELD = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(_r.tokens), 0),
                  sa.func.coalesce(sa.func.sum(_r.cost_usd), 0.0)).where(
    _r.tenant_id == sa.bindparam("tenant"), _r.expires_at > sa.bindparam("now"))
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
    params = {p: period_start(p, now) for p in ("hour", "day", "month")}
    counters = {row.period: row for row in conn.execute(_COUNTERS, {"tenant": tenant_id,
                                                                    **params})}
    held = conn.execute(_HELD, {"tenant": tenant_id, "now": now}).one()
    held_by_limit = {"requests_per_hour": held[0], "tokens_per_day": held[1],
                     "cost_per_month": held[2]}
    out = []
    for limit, period in PERIODS.items():
        value = getattr(limits, limit)
        if value is None:
            continue
        row = counters.get(period)
        used = float(getattr(row, COUNTER_COLUMN[limit]) if row else 0)
        out.append(LimitStatus(limit, value, used + float(held_by_limit[limit]),
                               period_end(period, now)))
    return out


def reserve(
    db: Database, tenant_id: str, limits: Limits, request_id: str,
    tokens: int, cost: float, now: datetime,
) -> list[LimitStatus]:
    """Reserve one request, `tokens` and `cost`; raise LimitExceeded if any limit would pass.

    Returns the limits at or above the warning threshold after this reservation.
    """
    global _last_expiry
    need = {"requests_per_hour": 1.0, "tokens_per_day": float(tokens), "cost_per_month": cost}
    with db.begin_immediate() as conn:
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
    conn.execute(_BUMP, [
        {"id": new_id(), "tenant_id": tenant_id, "period": period,
         "period_start": period_start(period, now), "requests": 1, "tokens": tokens,
         "cost_usd": cost or 0.0, "created_at": now, "updated_at": now}
        for period in ("hour", "day", "month")
    ])
