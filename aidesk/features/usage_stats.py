"""The Usage tab's figures, aggregated in SQL over the hourly totals (migration 0008).

`ai_usage_hourly` holds one row per tenant, UTC hour, provider, model and module, kept by a
trigger as each usage row is written, so a 90-day range reads at most a few tens of
thousands of small rows whatever the size of `ai_usage_logs`. A range is whole local days:
midnight to midnight in the computer's time zone, turned into UTC hours. The p95 latency is
the one figure the totals cannot give: it is read from the latest P95_SAMPLE answered,
uncached calls of each provider in the range (a bounded, index-only query).

Cache hits count as calls and as savings (the tokens they gave back priced at the average
cost per token of the same model's paid calls in the range), never as spent tokens.
"""

from __future__ import annotations

import calendar
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from aidesk.storage.values import utc_text

Grain = Literal["day", "week", "month"]
P95_SAMPLE = 5000
_FILTER = "tenant_id = ? AND hour >= ? AND hour < ?"


@dataclass(frozen=True, slots=True)
class Query:
    """A workspace, a range of local days `first`..`last` (both included), a module or all."""

    tenant_id: str
    first: date
    last: date
    module: str | None = None
    zone: tzinfo | None = None  # None: the computer's time zone

    def bounds(self) -> tuple[datetime, datetime]:
        """The range as aware UTC instants, start included, end excluded."""
        zone = self.zone or datetime.now().astimezone().tzinfo
        start = datetime.combine(self.first, time(), zone).astimezone(UTC)
        end = datetime.combine(self.last + timedelta(days=1), time(), zone).astimezone(UTC)
        return start, end

    def hours(self) -> tuple[str, str]:
        start, end = self.bounds()
        return utc_text(start)[:13], utc_text(end)[:13]

    def offset_minutes(self) -> int:
        """The zone's offset at the range start (a fixed shift turns UTC hours into local)."""
        start, _end = self.bounds()
        zone = self.zone or datetime.now().astimezone().tzinfo
        delta = start.astimezone(zone).utcoffset() or timedelta()
        return int(delta.total_seconds() // 60)


@dataclass(frozen=True, slots=True)
class ProviderFigures:
    provider: str
    calls: int
    errors: int
    cache_hits: int
    tokens: int
    cost_usd: float
    avg_latency_ms: float | None
    p95_latency_ms: int | None
    saved_usd: float


@dataclass(frozen=True, slots=True)
class Figures:
    """Everything the Usage tab shows for one query."""

    query: Query
    tokens: list[tuple[str, str, int]]  # (bucket, provider, tokens), buckets in order
    grain: Grain
    providers: list[ProviderFigures]  # most calls first
    modules: list[tuple[str, float, int]]  # (module, cost, calls), costliest first
    fallbacks: list[tuple[str, str, int]]  # (provider left, reason, times), most first
    forecast: Forecast
    totals: dict[str, float] = field(default_factory=dict)

    @property
    def cache_hit_rate(self) -> float:
        calls = self.totals.get("calls", 0)
        return self.totals.get("cache_hits", 0) / calls if calls else 0.0


@dataclass(frozen=True, slots=True)
class Forecast:
    """This month's cost so far and at month end if the pace so far holds."""

    spent_usd: float
    month_end_usd: float
    month_start: datetime
    month_end: datetime


def _where(q: Query) -> tuple[str, list[object]]:
    low, high = q.hours()
    params: list[object] = [q.tenant_id, low, high]
    sql = _FILTER
    if q.module is not None:
        sql += " AND module = ?"
        params.append(q.module)
    return sql, params


def _label(day: date, grain: Grain) -> str:
    if grain == "day":
        return day.isoformat()
    if grain == "week":  # the Monday the local week starts on
        return (day - timedelta(days=day.weekday())).isoformat()
    return day.strftime("%Y-%m")


def tokens_by_bucket(conn: sqlite3.Connection, q: Query,
                     grain: Grain = "day") -> list[tuple[str, str, int]]:
    """Spent tokens (cache hits excluded) per local day, week or month and provider.

    SQL sums them per UTC hour and provider, walking the primary key in order (no sort);
    only those sums (at most 24 × days × providers) are put in local buckets here."""
    where, params = _where(q)
    rows = conn.execute(f"SELECT hour, provider, sum(tokens) FROM ai_usage_hourly "
                        f"WHERE {where} GROUP BY hour, provider", params)
    shift = timedelta(minutes=q.offset_minutes())
    labels: dict[str, str] = {}
    sums: dict[tuple[str, str], int] = {}
    for hour, provider, tokens in rows:
        label = labels.get(hour)
        if label is None:
            utc = datetime(int(hour[:4]), int(hour[5:7]), int(hour[8:10]), int(hour[11:13]))
            label = labels[hour] = _label((utc + shift).date(), grain)
        key = (label, str(provider))
        sums[key] = sums.get(key, 0) + int(tokens)
    return [(b, p, t) for (b, p), t in sorted(sums.items())]


def _providers(conn: sqlite3.Connection, q: Query) -> list[ProviderFigures]:
    """Per provider, in one pass over the totals of each of its models (for the savings:
    each model's cached tokens priced at that model's paid rate)."""
    where, params = _where(q)
    rows = conn.execute(
        "SELECT provider, sum(calls), sum(errors), sum(cache_hits), sum(tokens), "
        "sum(cost_usd), sum(latency_ms), sum(latency_n), "
        "sum(CASE WHEN paid > 0 THEN cached * cost / paid ELSE 0 END) FROM ("
        "SELECT provider, sum(calls) AS calls, sum(errors) AS errors, "
        "sum(cache_hits) AS cache_hits, sum(tokens) AS tokens, sum(cost_usd) AS cost_usd, "
        "sum(latency_ms) AS latency_ms, sum(latency_n) AS latency_n, "
        "sum(cached_tokens) AS cached, sum(tokens) AS paid, sum(cost_usd) AS cost "
        f"FROM ai_usage_hourly WHERE {where} GROUP BY provider, model) "
        "GROUP BY provider", params).fetchall()
    out = [ProviderFigures(
        provider=str(p), calls=int(c), errors=int(e), cache_hits=int(h), tokens=int(t),
        cost_usd=float(cost), avg_latency_ms=(lat / n if n else None),
        p95_latency_ms=p95_latency(conn, q, str(p)) if n else None,
        saved_usd=float(saved or 0.0),
    ) for p, c, e, h, t, cost, lat, n, saved in rows]
    out.sort(key=lambda f: (-f.calls, f.provider))
    return out


def p95_latency(conn: sqlite3.Connection, q: Query, provider: str) -> int | None:
    """The 95th percentile response time of the latest P95_SAMPLE answered, uncached calls
    of `provider` in the range (nearest rank), or None when there are none."""
    start, end = q.bounds()
    params: list[object] = [q.tenant_id, provider, utc_text(start), utc_text(end)]
    module = ""
    if q.module is not None:
        module = " AND coalesce(module, '') = ?"
        params.append(q.module)
    sample = ("SELECT response_time_ms AS ms FROM ai_usage_logs WHERE tenant_id = ? AND "
              "provider = ? AND created_at >= ? AND created_at < ? AND outcome = 'ok' AND "
              f"cached = 0 AND response_time_ms IS NOT NULL{module} "
              f"ORDER BY created_at DESC LIMIT {P95_SAMPLE}")
    row = conn.execute(
        f"WITH s AS ({sample}) SELECT ms FROM s ORDER BY ms "
        "LIMIT 1 OFFSET (SELECT max(0, CAST(((SELECT count(*) FROM s) * 95 + 99) / 100 AS "
        "INTEGER) - 1))", params).fetchone()
    return None if row is None else int(row[0])


def modules(conn: sqlite3.Connection, q: Query) -> list[tuple[str, float, int]]:
    where, params = _where(q)
    rows = conn.execute(
        f"SELECT module, sum(cost_usd), sum(calls) FROM ai_usage_hourly WHERE {where} "
        "GROUP BY module ORDER BY sum(cost_usd) DESC, module", params).fetchall()
    return [(str(m), float(c), int(n)) for m, c, n in rows]


def fallbacks(conn: sqlite3.Connection, q: Query) -> list[tuple[str, str, int]]:
    """Fallbacks away from each provider by reason (audit hops carry no module: the module
    filter does not apply)."""
    low, high = q.hours()
    rows = conn.execute(
        f"SELECT provider, reason, sum(fallbacks) FROM ai_fallback_hourly WHERE {_FILTER} "
        "GROUP BY provider, reason ORDER BY sum(fallbacks) DESC, provider, reason",
        (q.tenant_id, low, high)).fetchall()
    return [(str(p), str(r), int(n)) for p, r, n in rows]


def forecast(conn: sqlite3.Connection, tenant_id: str, now: datetime) -> Forecast:
    """This UTC month's cost so far (the period the cost limit counts) and its month-end
    value at the same pace."""
    now = now.astimezone(UTC)
    start = datetime(now.year, now.month, 1, tzinfo=UTC)
    days = calendar.monthrange(now.year, now.month)[1]
    end = start + timedelta(days=days)
    row = conn.execute(
        "SELECT coalesce(sum(cost_usd), 0) FROM ai_usage_hourly WHERE tenant_id = ? AND "
        "hour >= ?", (tenant_id, utc_text(start)[:13])).fetchone()
    spent = float(row[0])
    elapsed = max((now - start).total_seconds(), 3600.0)
    return Forecast(spent, spent * (end - start).total_seconds() / elapsed, start, end)


def grain_for(q: Query) -> Grain:
    """Days up to two months, weeks up to a year, months beyond."""
    days = (q.last - q.first).days + 1
    return "day" if days <= 62 else "week" if days <= 366 else "month"


def figures(conn: sqlite3.Connection, q: Query, now: datetime,
            grain: Grain | None = None) -> Figures:
    """All the tab's figures for `q`, read in one snapshot (pass a `Database.reading()`)."""
    grain = grain or grain_for(q)
    providers = _providers(conn, q)
    totals = {
        "calls": float(sum(p.calls for p in providers)),
        "errors": float(sum(p.errors for p in providers)),
        "cache_hits": float(sum(p.cache_hits for p in providers)),
        "tokens": float(sum(p.tokens for p in providers)),
        "cost_usd": sum(p.cost_usd for p in providers),
        "saved_usd": sum(p.saved_usd for p in providers),
    }
    return Figures(q, tokens_by_bucket(conn, q, grain), grain, providers, modules(conn, q),
                   fallbacks(conn, q), forecast(conn, q.tenant_id, now), totals)
