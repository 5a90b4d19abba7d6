"""The Usage tab's figures (aidesk.features.usage_stats) against plain SQL over the logs.

Rows are written by the router's own recorder (aidesk.router.records.write), so the
triggers of migration 0008 keep the hourly totals exactly as they do for real calls.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from aidesk.features import usage_stats as us
from aidesk.providers.base import Usage
from aidesk.router.records import CallRecord, write
from aidesk.storage import Database, open_database

BRT = timezone(timedelta(hours=-3))
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
PROVIDERS = ("openai", "anthropic", "gemini")
MODULES = ("chat", "bulk", None)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "usage.db")
    rng = random.Random(3)
    for n in range(400):
        at = NOW - timedelta(minutes=rng.randint(0, 60 * 24 * 40))
        provider = rng.choice(PROVIDERS)
        roll = rng.random()
        outcome = "error" if roll < 0.05 else "refused" if roll < 0.08 else "ok"
        cached = outcome == "ok" and rng.random() < 0.15
        prompt, completion = rng.randint(10, 900), rng.randint(5, 400)
        rate = {"openai": 2.0, "anthropic": 9.0, "gemini": 1.0}[provider] / 1e6
        reason = rng.choice(["timeout", "overloaded"])
        hops: list[dict[str, object]] = (
            [{"provider": "groq", "model": "m", "error": reason, "message": "x"}]
            if rng.random() < 0.1 else [])
        if rng.random() < 0.05:
            hops.append({"provider": "local", "model": "m", "error": "no_key", "message": "x",
                         "skipped": True})
        rec = CallRecord(
            request_id=f"r{n}", tenant_id="acme" if n % 10 else "other", user_id="u",
            module=rng.choice(MODULES), prompt="p", provider=provider, model=f"{provider}-m",
            usage=(Usage(prompt, completion) if outcome == "ok" else Usage(known=False)),
            cost_usd=(0.0 if cached else (prompt + completion) * rate) if outcome == "ok"
            else None,
            latency_ms=rng.randint(5, 40) if cached else rng.randint(200, 4000),
            cached=cached, outcome=outcome, hops=hops)
        write(database, rec, at)
    yield database
    database.close()


def query(**kw: object) -> us.Query:
    args: dict[str, object] = {"tenant_id": "acme", "first": date(2026, 10, 25),
                               "last": date(2026, 11, 20), "zone": BRT}
    args.update(kw)
    return us.Query(**args)  # type: ignore[arg-type]


def logs(db: Database, q: us.Query, select: str, extra: str = "",
         group: str = "") -> list[tuple[object, ...]]:
    start, end = (t.replace(tzinfo=None).isoformat(sep=" ") for t in q.bounds())
    sql = (f"SELECT {select} FROM ai_usage_logs WHERE tenant_id = ? AND created_at >= ? AND "
           f"created_at < ? AND outcome NOT IN ('refused', 'not_configured'){extra}")
    params: list[object] = [q.tenant_id, start, end]
    if q.module is not None:
        sql += " AND module = ?"
        params.append(q.module)
    if group:
        sql += f" GROUP BY {group} ORDER BY {group}"
    with db.raw() as conn:
        return conn.execute(sql, params).fetchall()


def test_range_is_local_midnight_to_midnight_in_utc() -> None:
    start, end = query(first=date(2026, 11, 1), last=date(2026, 11, 1)).bounds()
    assert (start, end) == (datetime(2026, 11, 1, 3, tzinfo=UTC),
                            datetime(2026, 11, 2, 3, tzinfo=UTC))


@pytest.mark.parametrize("module", [None, "chat", "bulk"])
def test_provider_figures_equal_sql_over_the_logs(db: Database, module: str | None) -> None:
    q = query(module=module)
    with db.reading() as conn:
        got = {p.provider: p for p in us.figures(conn, q, NOW).providers}
    want = logs(db, q, "provider, count(*), sum(outcome = 'error'), sum(cached), "
                "sum(CASE WHEN cached THEN 0 ELSE coalesce(total_tokens, 0) END), "
                "sum(coalesce(cost_usd, 0)), avg(CASE WHEN outcome = 'ok' AND NOT cached "
                "THEN response_time_ms END)", group="provider")
    assert set(got) == {str(r[0]) for r in want}
    for provider, calls, errors, hits, tokens, cost, avg in want:
        f = got[str(provider)]
        assert (f.calls, f.errors, f.cache_hits, f.tokens) == (calls, errors, hits, tokens)
        assert f.cost_usd == pytest.approx(cost)
        assert f.avg_latency_ms == pytest.approx(avg)


def test_providers_come_most_used_first(db: Database) -> None:
    with db.reading() as conn:
        calls = [p.calls for p in us.figures(conn, query(), NOW).providers]
    assert calls == sorted(calls, reverse=True) and len(calls) == 3


def test_p95_latency_is_the_nearest_rank_of_answered_uncached_calls(db: Database) -> None:
    q = query()
    with db.reading() as conn:
        got = {p.provider: p.p95_latency_ms for p in us.figures(conn, q, NOW).providers}
    for provider in PROVIDERS:
        values = sorted(int(str(r[0])) for r in logs(
            db, q, "response_time_ms", f" AND outcome = 'ok' AND NOT cached AND "
            f"provider = '{provider}'"))
        rank = -(-len(values) * 95 // 100)
        assert got[provider] == values[rank - 1]


def test_tokens_per_local_day_leave_cache_hits_out(db: Database) -> None:
    q = query()
    with db.reading() as conn:
        got = us.tokens_by_bucket(conn, q, "day")
    want = logs(db, q, "date(created_at, '-3 hours') AS d, provider, "
                "sum(CASE WHEN cached THEN 0 ELSE coalesce(total_tokens, 0) END)",
                group="d, provider")
    assert got == [(str(d), str(p), int(str(t))) for d, p, t in want]
    with db.reading() as conn:
        weeks = us.tokens_by_bucket(conn, q, "week")
        months = us.tokens_by_bucket(conn, q, "month")
    assert sum(t for *_, t in weeks) == sum(t for *_, t in months) == sum(t for *_, t in got)
    assert {b for b, *_ in months} == {"2026-10", "2026-11"}
    assert all(date.fromisoformat(b).weekday() == 0 for b, *_ in weeks)


def test_cost_per_module_and_cache_savings(db: Database) -> None:
    q = query()
    with db.reading() as conn:
        f = us.figures(conn, q, NOW)
    want = logs(db, q, "coalesce(module, ''), sum(coalesce(cost_usd, 0)), count(*)",
                group="coalesce(module, '')")
    got = {m: (round(c, 9), n) for m, c, n in f.modules}
    assert got == {str(m): (round(float(str(c)), 9), n) for m, c, n in want}
    assert [c for _m, c, _n in f.modules] == sorted((c for _m, c, _n in f.modules),
                                                    reverse=True)
    hits = logs(db, q, "count(*), sum(cached)")[0]
    assert f.cache_hit_rate == pytest.approx(int(str(hits[1])) / int(str(hits[0])))
    # each model's cached tokens at that model's paid rate (cost per uncached token)
    saved = 0.0
    for model, cached, paid, cost in logs(
            db, q, "model, sum(CASE WHEN cached THEN total_tokens ELSE 0 END), "
            "sum(CASE WHEN cached THEN 0 ELSE coalesce(total_tokens, 0) END), "
            "sum(coalesce(cost_usd, 0))", group="model"):
        assert model
        saved += int(str(cached)) * float(str(cost)) / int(str(paid))
    assert f.totals["saved_usd"] == pytest.approx(saved) and saved > 0


def test_fallbacks_per_provider_and_reason_leave_skipped_providers_out(db: Database) -> None:
    q = query()
    with db.reading() as conn:
        got = us.fallbacks(conn, q)
    start, end = (t.replace(tzinfo=None).isoformat(sep=" ") for t in q.bounds())
    with db.raw() as conn:
        want = conn.execute(
            "SELECT json_extract(h.value, '$.provider'), json_extract(h.value, '$.error'), "
            "count(*) FROM ai_audit_logs AS a, json_each(a.hops) AS h WHERE a.tenant_id = ? "
            "AND a.created_at >= ? AND a.created_at < ? AND "
            "json_extract(h.value, '$.skipped') IS NULL GROUP BY 1, 2",
            ("acme", start, end)).fetchall()
    assert sorted(got) == sorted((str(p), str(r), int(n)) for p, r, n in want)
    assert got and all(p == "groq" for p, _r, _n in got)


def test_month_end_forecast_follows_the_pace_so_far(db: Database) -> None:
    with db.reading() as conn:
        f = us.forecast(conn, "acme", NOW)
    with db.raw() as conn:
        spent = conn.execute(
            "SELECT sum(coalesce(cost_usd, 0)) FROM ai_usage_logs WHERE tenant_id = 'acme' "
            "AND created_at >= '2026-11-01' AND outcome NOT IN ('refused')").fetchone()[0]
    elapsed = (NOW - datetime(2026, 11, 1, tzinfo=UTC)).total_seconds()
    assert f.spent_usd == pytest.approx(spent)
    assert f.month_end_usd == pytest.approx(spent * 30 * 86400 / elapsed)


def test_an_empty_range_has_no_figures(db: Database) -> None:
    with db.reading() as conn:
        f = us.figures(conn, query(first=date(2025, 1, 1), last=date(2025, 1, 2)), NOW)
    assert (f.providers, f.modules, f.tokens, f.fallbacks) == ([], [], [], [])
    assert f.cache_hit_rate == 0.0


def test_existing_rows_are_summed_in_by_the_migration(db: Database) -> None:
    from alembic import command
    from alembic.config import Config

    from aidesk.storage.db import MIGRATIONS_DIR

    with db.raw() as conn:
        before = conn.execute("SELECT sum(calls), sum(tokens) FROM ai_usage_hourly").fetchone()
    with db.connect() as conn:  # back to before 0008, the logs kept
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
        conn.commit()
    with db.raw() as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE "
                            "'%hourly%'").fetchone() == (0,)
    db.close()
    with open_database(db.path) as again, again.raw() as conn:
        after = conn.execute("SELECT sum(calls), sum(tokens) FROM ai_usage_hourly").fetchone()
    assert after == before and before[0] > 300


def test_the_seed_makes_realistic_rows_that_the_figures_sum(tmp_path: Path) -> None:
    import runpy

    seed = runpy.run_path(str(Path(__file__).resolve().parent.parent / "bench" / "seed.py"))
    tenant = seed["seed"](tmp_path / "seed.db", 6000, 3000, now=NOW)
    with open_database(tmp_path / "seed.db") as database, database.raw() as conn:
        row = conn.execute(
            "SELECT count(DISTINCT provider), count(DISTINCT module), count(DISTINCT user_id), "
            "avg(outcome = 'error'), avg(cached), min(created_at), max(created_at), "
            "sum(CASE WHEN cached THEN 0 ELSE coalesce(total_tokens, 0) END) "
            "FROM ai_usage_logs WHERE tenant_id = ?", (tenant,)).fetchone()
        audit = conn.execute("SELECT count(*), avg(hops != '[]') FROM ai_audit_logs").fetchone()
        q = us.Query(tenant, date(2026, 8, 1), date(2026, 11, 30), zone=UTC)
        f = us.figures(conn, q, NOW)
    assert row[:3] == (6, 6, 20)
    assert 0.01 < row[3] < 0.03 and 0.08 < row[4] < 0.12
    assert row[5] >= "2026-08-22" and row[6] <= "2026-11-20 15"
    assert f.totals["tokens"] == row[7] and f.totals["calls"] == 6000
    assert audit[0] == 3000 and 0.01 < audit[1] < 0.05
