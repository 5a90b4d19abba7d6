"""Workspace limits: checked and reserved in one write-locked transaction before each call.

Windows are fixed UTC periods: requests per clock hour, tokens per day, cost per month.
Finished calls add to `ai_usage_counters` (one row per tenant and period); in-flight
calls hold a row in `ai_limit_reservations`. Both are counted, so calls running at the
same time (tasks, threads or other processes on the same database) can never overshoot.

A reservation records its process (pid and start time): one left by a process that has
ended (killed, crashed) is reclaimed by the next reservation at once; without that
information it expires after RESERVATION_TTL.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aidesk.errors import AIDeskError, LimitExceeded, StorageError, limit_hints, limit_label
from aidesk.formats import plain
from aidesk.i18n import _
from aidesk.storage import Database, procs
from aidesk.storage.counters import bump, period_end, period_start
from aidesk.storage.values import new_id, utc_text
from aidesk.workspaces import Limits

__all__ = ["LimitHeld", "LimitStatus", "count", "held", "period_end", "period_start",
           "release", "reserve", "status", "try_release"]

WARN_AT = 0.8
RESERVATION_TTL = timedelta(minutes=15)  # outlives any call; frees what an unknown process held
PERIODS = {"requests_per_hour": "hour", "tokens_per_day": "day", "cost_per_month": "month"}
_COLUMN = {"requests_per_hour": "1", "tokens_per_day": "tokens", "cost_per_month": "cost_usd"}


@dataclass(frozen=True, slots=True)
class LimitStatus:
    limit: str
    value: float
    used: float
    resets_at: datetime

    @property
    def fraction(self) -> float:
        return self.used / self.value if self.value else 1.0


class LimitHeld(LimitExceeded):
    """The limit is full only because of calls still in flight: it frees when they finish
    (at the latest when their reservations expire), not at the end of the period."""

    def __init__(self, limit: str, value: float, used: float, held: float,
                 resets_at: datetime) -> None:
        self.limit, self.value, self.used, self.held = limit, value, used, held
        self.resets_at = resets_at
        from aidesk.formats import date_time

        AIDeskError.__init__(self, _(
            "Workspace limit reached for now: {limit} is {value}, {used} used and {held} held "
            "by calls still running. Try again when they finish (at the latest {time}).").format(
                limit=limit_label(limit), value=plain(value), used=plain(used - held),
                held=plain(held), time=date_time(resets_at)),
            **limit_hints(limit))


_last_expiry = datetime.min.replace(tzinfo=UTC)

# Plain SQL on sqlite3 (the hot path): these run on every limited call, and SQLAlchemy's
# statement machinery costs more than SQLite itself here. The tables are aidesk.storage's.
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
_OTHERS = (
    "SELECT DISTINCT pid, proc_start FROM ai_limit_reservations WHERE pid IS NOT NULL "
    "AND NOT (pid = ? AND proc_start IS ?)"
)
_RECLAIM = "DELETE FROM ai_limit_reservations WHERE pid = ? AND proc_start IS ?"
_RESERVE = (
    "INSERT INTO ai_limit_reservations (id, tenant_id, request_id, tokens, cost_usd, "
    "created_at, expires_at, pid, proc_start) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_RELEASE = "DELETE FROM ai_limit_reservations WHERE request_id = ? RETURNING tokens, cost_usd"
_HELD = "SELECT tokens, cost_usd FROM ai_limit_reservations WHERE request_id = ?"
_IN_FLIGHT = (
    "SELECT expires_at, {column} FROM ai_limit_reservations "
    "WHERE tenant_id = ? AND expires_at > ? ORDER BY expires_at"
)


def status(conn: sqlite3.Connection, tenant_id: str, limits: Limits,
           now: datetime) -> list[LimitStatus]:
    """Current use of every limit that is set, reservations of in-flight calls included."""
    return [s for s, _ in _status(conn, tenant_id, limits, now)]


def _status(conn: sqlite3.Connection, tenant_id: str, limits: Limits,
            now: datetime) -> list[tuple[LimitStatus, float]]:
    """(status, the part of `used` held by in-flight reservations) per limit that is set."""
    hour = period_start("hour", now)
    day = hour.replace(hour=0)
    row = conn.execute(_USE, {
        "tenant": tenant_id, "now": utc_text(now), "hour": utc_text(hour),
        "day": utc_text(day), "month": utc_text(day.replace(day=1))}).fetchone()
    return [(LimitStatus(limit, getattr(limits, limit), float(row[i] + row[i + 3]),
                         period_end(period, now)), float(row[i + 3]))
            for i, (limit, period) in enumerate(PERIODS.items())
            if getattr(limits, limit) is not None]


def reserve(
    db: Database, conn: sqlite3.Connection, tenant_id: str, limits: Limits, request_id: str,
    tokens: int, cost: float, now: datetime,
) -> list[LimitStatus]:
    """Reserve one request, `tokens` and `cost`; raise LimitExceeded if any limit would pass.

    `conn` (a sqlite3 connection of `db`) must have no open transaction. Returns the limits
    at or above the warning threshold after this reservation.
    """
    global _last_expiry
    need = {"requests_per_hour": 1.0, "tokens_per_day": float(tokens), "cost_per_month": cost}
    pid, started = procs.me()
    with db.transaction(conn, "IMMEDIATE"):
        if now - _last_expiry > timedelta(minutes=1):  # housekeeping: expired rows never count
            conn.execute(_EXPIRE, (utc_text(now),))
            _last_expiry = now
        current = _status(conn, tenant_id, limits, now)
        if any(held > 0 and s.used + need[s.limit] >= WARN_AT * s.value
               for s, held in current):
            # Only when calls in flight push a limit to a warning or a refusal does it matter
            # whether their processes still live: reclaim the dead ones, then look again.
            _reclaim(conn, pid, started)
            current = _status(conn, tenant_id, limits, now)
        warnings = []
        for s, in_flight in current:
            after = s.used + need[s.limit]
            if after > s.value:
                raise _refusal(conn, tenant_id, s, in_flight, need[s.limit], now)
            if after >= WARN_AT * s.value:
                warnings.append(LimitStatus(s.limit, s.value, after, s.resets_at))
        conn.execute(_RESERVE, (new_id(), tenant_id, request_id, tokens, cost,
                                        utc_text(now), utc_text(now + RESERVATION_TTL),
                                        pid, started))
    return warnings


def _reclaim(conn: sqlite3.Connection, pid: int, started: str | None) -> None:
    """Drop the reservations of processes that have ended (usually none are held)."""
    for other_pid, other_start in conn.execute(_OTHERS, (pid, started)).fetchall():
        if procs.gone(other_pid, other_start):
            conn.execute(_RECLAIM, (other_pid, other_start))


def _refusal(conn: sqlite3.Connection, tenant_id: str, s: LimitStatus, in_flight: float,
             need: float, now: datetime) -> LimitExceeded:
    """The refusal with the real reset: the period's end, or — when only calls in flight
    fill the limit — the time their reservations are gone at the latest."""
    settled = s.used - in_flight
    if in_flight <= 0 or settled + need > s.value:
        return LimitExceeded(s.limit, s.value, s.used, s.resets_at)
    rows = conn.execute(_IN_FLIGHT.format(column=_COLUMN[s.limit]),
                                (tenant_id, utc_text(now))).fetchall()
    remaining = in_flight
    free_at = s.resets_at
    for expires_at, amount in rows:
        remaining -= float(amount)
        if settled + remaining + need <= s.value:
            free_at = datetime.fromisoformat(expires_at).replace(tzinfo=UTC)
            break
    if free_at >= s.resets_at:
        return LimitExceeded(s.limit, s.value, s.used, s.resets_at)
    return LimitHeld(s.limit, s.value, s.used, in_flight, free_at)


def release(conn: sqlite3.Connection, request_id: str) -> tuple[int, float] | None:
    """Drop the reservation of `request_id`; returns its (tokens, cost) estimate, if it was held."""
    rows = conn.execute(_RELEASE, (request_id,)).fetchall()
    row = rows[0] if rows else None
    return None if row is None else (int(row[0]), float(row[1]))


def held(db: Database, request_id: str) -> tuple[int, float] | None:
    """The (tokens, cost) estimate reserved for `request_id` (a read: works on a locked,
    full or read-only database), or None."""
    try:
        with db.raw() as conn:
            row = conn.execute(_HELD, (request_id,)).fetchone()
    except StorageError:
        return None
    return None if row is None else (int(row[0]), float(row[1]))


def try_release(db: Database, request_id: str) -> bool:
    """Release without waiting for the write lock; False when that is not possible now
    (the spool's replay releases it later, or it expires)."""
    try:
        with db.writing("IMMEDIATE", busy_timeout_ms=0) as conn:
            release(conn, request_id)
    except StorageError:
        return False
    return True


def count(conn: sqlite3.Connection, tenant_id: str, tokens: int, cost: float | None,
          now: datetime) -> None:
    """Add a finished call to the counters of its hour, day and month."""
    bump(conn, tenant_id, tokens, cost, now)
