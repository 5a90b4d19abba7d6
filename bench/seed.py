"""Fill a fresh AIDesk database with realistic usage and audit rows, through the real schema.

6 providers, 6 modules, 20 users, 90 days back from now, 2% errors, 10% cache hits (free:
cost 0, same tokens as the answer they repeat). The rows go in with `executemany` in one
transaction per table, so a million rows take seconds.

    python bench/seed.py DB [--usage N] [--audit N] [--workspace NAME] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aidesk.router.records import AUDIT_COLUMNS, USAGE_COLUMNS
from aidesk.storage import Database, open_database
from aidesk.storage.values import new_id
from aidesk.workspaces import Workspaces

# provider: (model, US$ per 1M prompt tokens, per 1M completion tokens, mean latency ms, weight)
PROVIDERS: dict[str, tuple[str, float, float, int, int]] = {
    "openai": ("gpt-5-mini", 0.25, 2.0, 1400, 30),
    "anthropic": ("claude-sonnet-4-5", 3.0, 15.0, 2100, 20),
    "gemini": ("gemini-2.5-flash", 0.3, 2.5, 1100, 20),
    "groq": ("llama-3.3-70b-versatile", 0.59, 0.79, 450, 12),
    "openrouter": ("deepseek/deepseek-chat", 0.3, 1.2, 1800, 10),
    "local": ("llama3.1:8b", 0.0, 0.0, 2600, 8),
}
MODULES = ("marketing", "chat", "leads", "bulk", "images", "meetings")
MODULE_WEIGHTS = (30, 25, 15, 15, 8, 7)
USERS = tuple(f"user-{n:02d}" for n in range(1, 21))
DAYS = 90
ERROR_RATE = 0.02
CACHE_RATE = 0.10
FALLBACK_RATE = 0.03
REASONS = ("rate_limited", "overloaded", "server_error", "timeout")
BATCH = 20_000
CACHE_KB = 256 * 1024
TEXTS = 5000  # distinct prompts and answers in the audit rows


def _stamps(n: int, now: datetime, rng: random.Random) -> list[str]:
    """`n` UTC instants over the last DAYS days, oldest first, as utc_text stores them."""
    span = DAYS * 86_400.0
    offsets = sorted((rng.random() * span for _ in range(n)), reverse=True)
    return [(now - timedelta(seconds=o)).replace(tzinfo=None).isoformat(
        sep=" ", timespec="microseconds") for o in offsets]


def usage_rows(n: int, tenant: str, now: datetime, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    names = list(PROVIDERS)
    weights = [PROVIDERS[p][4] for p in names]
    for stamp in _stamps(n, now, rng):
        provider = rng.choices(names, weights)[0]
        model, p_in, p_out, mean_ms, _w = PROVIDERS[provider]
        module = rng.choices(MODULES, MODULE_WEIGHTS)[0]
        roll = rng.random()
        error, cached = roll < ERROR_RATE, ERROR_RATE <= roll < ERROR_RATE + CACHE_RATE
        prompt = int(rng.lognormvariate(6.5, 0.8))
        completion = int(rng.lognormvariate(5.8, 0.7))
        if error:
            values: tuple[Any, ...] = (None, None, None, None, int(rng.expovariate(1 / 800)))
        else:
            cost = 0.0 if cached else round((prompt * p_in + completion * p_out) / 1e6, 8)
            latency = rng.randint(2, 30) if cached else int(rng.gammavariate(4, mean_ms / 4))
            values = (prompt, completion, prompt + completion, cost, latency)
        yield (new_id(), tenant, new_id(), provider, model, *values, module,
               rng.choice(USERS), int(cached), "error" if error else "ok", stamp,
               None if error else 0, None if error else 0, None if error else 0,
               None if error else "stop")


def audit_rows(n: int, tenant: str, now: datetime, rng: random.Random) -> Iterator[tuple[Any, ...]]:
    names = list(PROVIDERS)
    weights = [PROVIDERS[p][4] for p in names]
    words = ("campanha", "cliente", "promoção", "Instagram", "lançamento", "desconto", "loja",
             "ótica", "post", "WhatsApp", "black friday", "newsletter", "lead", "orçamento")
    # texts drawn from a pool (made once): the words vary, the generator stays fast
    prompts = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 40)))
               for _ in range(TEXTS)]
    answers = [" ".join(rng.choice(words) for _ in range(rng.randint(20, 80)))
               for _ in range(TEXTS)]
    for stamp in _stamps(n, now, rng):
        provider = rng.choices(names, weights)[0]
        model = PROVIDERS[provider][0]
        module = rng.choices(MODULES, MODULE_WEIGHTS)[0]
        error = rng.random() < ERROR_RATE
        hops: list[dict[str, str]] = []
        if rng.random() < FALLBACK_RATE:
            before = rng.choice([p for p in names if p != provider])
            reason = rng.choice(REASONS)
            hops.append({"provider": before, "model": PROVIDERS[before][0], "error": reason,
                         "message": reason.replace("_", " ")})
        prompt, answer = rng.choice(prompts), rng.choice(answers)
        response = None if error else answer
        yield (new_id(), tenant, new_id(), rng.choice(USERS), provider, model, module, prompt,
               response, None if error else rng.randint(200, 3000), int(not error),
               "The provider answered with a server error." if error else None,
               json.dumps(hops, separators=(",", ":")), stamp, None if error else "stop", 0)


def _insert(db: Database, table: str, columns: tuple[str, ...],
            rows: Iterator[tuple[Any, ...]]) -> None:
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with db.raw() as conn:
        # a seeding run only: a big page cache for the random-UUID keys and the indexes
        # (and the triggers' tables), no fsync per page (a crash leaves a seed to redo)
        conn.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        conn.execute("PRAGMA synchronous = OFF")
        try:
            with db.transaction(conn):
                _batches(conn, sql, rows)
        finally:
            conn.execute("PRAGMA cache_size = -2000")
            conn.execute("PRAGMA synchronous = NORMAL")


def _batches(conn: sqlite3.Connection, sql: str, rows: Iterator[tuple[Any, ...]]) -> None:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.executemany(sql, batch)
            batch.clear()
    conn.executemany(sql, batch)


def seed(path: Path, usage: int, audit: int, workspace: str = "Seed Agency",
         seed_value: int = 11, now: datetime | None = None) -> str:
    """Seed `path` (a new or existing database) and return the workspace's tenant id."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed_value)
    db = open_database(path)
    try:
        spaces = Workspaces(db)
        ws = spaces.find(workspace) or spaces.add(workspace)
        _insert(db, "ai_usage_logs", USAGE_COLUMNS, usage_rows(usage, ws.tenant_id, now, rng))
        _insert(db, "ai_audit_logs", AUDIT_COLUMNS, audit_rows(audit, ws.tenant_id, now, rng))
        with db.raw() as conn:
            conn.execute("ANALYZE")
        return ws.tenant_id
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path)
    parser.add_argument("--usage", type=int, default=0)
    parser.add_argument("--audit", type=int, default=0)
    parser.add_argument("--workspace", default="Seed Agency")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    tenant = seed(args.db, args.usage, args.audit, args.workspace, args.seed)
    print(f"seeded {args.usage:,} usage and {args.audit:,} audit rows for tenant {tenant} "
          f"in {time.perf_counter() - start:.1f} s: {args.db}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
