"""Workspace limits: checked and reserved in one write-locked transaction before each call.

In-flight calls hold a row in `ai_limit_reservations`, so calls running at the
same time (tasks, threads or other processes on the same database) are counted
before they finish and can never overshoot a limit together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aidesk.errors import LimitExceeded
from aidesk.storage import Database
from aidesk.storage import tables as t
from aidesk.storage.types import new_id
from aidesk.workspaces import Limits

WARN_AT = 0.8
RESERVATION_TTL = timedelta(minutes=15)  # outlives any call; frees what a killed process held


@dataclass(frozen=True, slots=True)
class LimitStatus:
    limit: str
    value: float
    used: float
    resets_at: datetime

    @property
    def fraction(self) -> float:
        return self.used / self.value if self.value else 1.0


def window_start(limit: str, now: datetime) -> datetime:
    if limit == "requests_per_hour":
        return now - timedelta(hours=1)
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day if limit == "tokens_per_day" else day.replace(day=1)


def window_reset(limit: str, now: datetime, oldest: datetime | None) -> datetime:
    if limit == "requests_per_hour":
        return (oldest or now) + timedelta(hours=1)
    start = window_start(limit, now)
    if limit == "tokens_per_day":
        return start + timedelta(days=1)
    return (start + timedelta(days=32)).replace(day=1)


def status(conn: Connection, tenant_id: str, limits: Limits, now: datetime) -> list[LimitStatus]:
    """Current use of every limit that is set, reservations of in-flight calls included."""
    u, r = t.ai_usage_logs.c, t.ai_limit_reservations.c
    counted = sa.and_(u.tenant_id == tenant_id, u.cached.is_(False), u.outcome != "refused")
    out: list[LimitStatus] = []
    if limits.requests_per_hour is not None:
        start = window_start("requests_per_hour", now)
        row = conn.execute(sa.select(sa.func.count(), sa.func.min(u.created_at))
                           .where(counted, u.created_at >= start)).one()
        held = conn.execute(sa.select(sa.func.count()).where(
            r.tenant_id == tenant_id, r.expires_at > now)).scalar_one()
        out.append(LimitStatus("requests_per_hour", limits.requests_per_hour, row[0] + held,
                               window_reset("requests_per_hour", now, row[1])))
    for limit, column, held_col in (("tokens_per_day", u.total_tokens, r.tokens),
                                    ("cost_per_month", u.cost_usd, r.cost_usd)):
        value = getattr(limits, limit)
        if value is None:
            continue
        start = window_start(limit, now)
        used = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(column), 0))
                            .where(counted, u.created_at >= start)).scalar_one()
        held = conn.execute(sa.select(sa.func.coalesce(sa.func.sum(held_col), 0)).where(
            r.tenant_id == tenant_id, r.expires_at > now)).scalar_one()
        out.append(LimitStatus(limit, value, float(used) + float(held),
                               window_reset(limit, now, None)))
    return out


def reserve(
    db: Database, tenant_id: str, limits: Limits, request_id: str,
    tokens: int, cost: float, now: datetime,
) -> list[LimitStatus]:
    """Reserve one request, `tokens` and `cost`; raise LimitExceeded if any limit would pass.

    Returns the limits at or above the warning threshold after this reservation.
    """
    need = {"requests_per_hour": 1.0, "tokens_per_day": float(tokens), "cost_per_month": cost}
    with db.begin_immediate() as conn:
        r = t.ai_limit_reservations.c
        conn.execute(t.ai_limit_reservations.delete().where(r.expires_at <= now))
        warnings = []
        for s in status(conn, tenant_id, limits, now):
            after = s.used + need[s.limit]
            if after > s.value:
                raise LimitExceeded(s.limit, s.value, s.used, s.resets_at)
            if after >= WARN_AT * s.value:
                warnings.append(LimitStatus(s.limit, s.value, after, s.resets_at))
        conn.execute(t.ai_limit_reservations.insert().values(
            id=new_id(), tenant_id=tenant_id, request_id=request_id, tokens=tokens,
            cost_usd=cost, created_at=now, expires_at=now + RESERVATION_TTL))
    return warnings


def release(conn: Connection, request_id: str) -> None:
    r = t.ai_limit_reservations.c
    conn.execute(t.ai_limit_reservations.delete().where(r.request_id == request_id))
