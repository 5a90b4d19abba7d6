"""Sync: the push's rate against psql's \\copy, and the outbox's cost on the router's path.

1. Push: 100,000 usage rows (bench/seed.py) queued by configuring a target, pushed to a
   fresh central database on the real PostgreSQL as the tenant's desktop role (row-level
   security on), in the default batches. The same rows, as the centre stores them, loaded
   by a plain `psql \\copy` as the owner (COPY FROM is not allowed under RLS). Push and
   copy alternate three times into an emptied table; the figures are medians; the target
   is a push rate of at least a third of the copy's.
2. Router: calls through the router to the emulator (in its own process), alternating a
   workspace that syncs (the triggers queue each usage and audit row) and one that does
   not; the figure is the median of the paired differences (cache misses, then hits).
   The records' write alone (usage and audit rows in one transaction) is paired the same
   way, as the triggers' cost without the network's noise.

    python bench/sync.py [--rows 100000] [--calls 300] [--pg CONNINFO]

--pg (default $AIDESK_TEST_PG, else host=127.0.0.1 port=5432 user=postgres dbname=test)
must be allowed to create databases and roles; both are dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from aidesk.core import Core
from aidesk.sync import central, outbox, target
from aidesk.sync.push import push
from aidesk.workspaces import Workspace
from tests.emulator.remote import RemoteEmulator
from tests.support import configure, make_core

SEED = Path(__file__).resolve().parent / "seed.py"
WORKSPACE = "Seed Agency"
ADMIN = os.environ.get("AIDESK_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")
ROUNDS = 3
# the central columns in the order the centre's own COPY TO gives them back to psql
CENTRAL_USAGE = ("tenant_id, provider, model, prompt_tokens, completion_tokens, total_tokens, "
                 "cost_usd, response_time_ms, module, created_at, request_id, user_name, "
                 "cached, outcome, cache_read_tokens, cache_write_tokens, reasoning_tokens, "
                 "finish_reason, client_uuid, source_device, synced_at")


def line(name: str, value: float, unit: str, target: str | None, ok: bool = True) -> bool:
    goal = f"target {target}" if target else "target: report only"
    print(f"{name}: {value:,.3f} {unit} ({goal}) {'ok' if ok else 'MISS'}")
    return ok


@contextmanager
def central_database(admin: str, tenant_id: str) -> Iterator[tuple[str, str]]:
    """A fresh migrated central database: (owner conninfo, the tenant role's conninfo)."""
    name, role = f"aidesk_bench_{secrets.token_hex(4)}", f"aidesk_bench_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = {k: str(v) for k, v in conninfo_to_dict(admin).items() if v is not None}
    owner = make_conninfo(**{**params, "dbname": name})
    try:
        central.migrate(owner)
        with psycopg.connect(owner, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE aidesk_desktop").format(
                sql.Identifier(role)))
            conn.execute("INSERT INTO ai_tenant_roles (role_name, tenant_id) VALUES (%s, %s)",
                         (role, tenant_id))
        yield owner, make_conninfo(**{**params, "dbname": name, "user": role})
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def seeded(folder: Path, rows: int) -> None:
    subprocess.run([sys.executable, str(SEED), str(folder / "aidesk.db"), "--usage", str(rows),
                    "--workspace", WORKSPACE], check=True, stdout=subprocess.DEVNULL)


def requeue(core: Core, tenant_id: str) -> int:
    with core.db.writing("IMMEDIATE") as conn:
        outbox.clear(conn, tenant_id)
        return outbox.backfill(conn, tenant_id)


def emptied(owner: str) -> None:
    with psycopg.connect(owner, autocommit=True) as conn:
        conn.execute("TRUNCATE ai_usage_logs")
        conn.execute("VACUUM ANALYZE ai_usage_logs")


def timed_push(core: Core, ws: Workspace, desktop: str, rows: int) -> float:
    device = target.device_id(core.db)
    with psycopg.connect(desktop, autocommit=True) as pg:
        start = time.perf_counter()
        pushed = push(core.db, pg, ws.tenant_id, device)
        seconds = time.perf_counter() - start
    assert pushed["ai_usage_logs"] == rows, pushed
    return seconds


def timed_copy(owner: str, csv: Path, rows: int) -> float:
    command = (f"\\copy ai_usage_logs ({CENTRAL_USAGE}) FROM '{csv}' WITH (FORMAT csv)")
    start = time.perf_counter()
    subprocess.run(["psql", owner, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command],
                   check=True)
    seconds = time.perf_counter() - start
    with psycopg.connect(owner) as conn:
        assert conn.execute("SELECT count(*) FROM ai_usage_logs").fetchone() == (rows,)
    return seconds


def push_against_copy(core: Core, ws: Workspace, owner: str, desktop: str, rows: int,
                      folder: Path) -> tuple[float, float]:
    """(push, copy) median seconds for `rows` usage rows."""
    csv = folder / "usage.csv"
    pushes, copies = [timed_push(core, ws, desktop, rows)], []
    with psycopg.connect(owner) as conn, conn.cursor() as cur, csv.open("wb") as out, \
            cur.copy(f"COPY (SELECT {CENTRAL_USAGE} FROM ai_usage_logs) TO STDOUT "
                     "WITH (FORMAT csv)") as copy:
        for data in copy:
            out.write(data)
    for n in range(ROUNDS):
        emptied(owner)
        copies.append(timed_copy(owner, csv, rows))
        if n + 1 < ROUNDS:
            emptied(owner)
            assert requeue(core, ws.tenant_id) == rows
            pushes.append(timed_push(core, ws, desktop, rows))
    return statistics.median(pushes), statistics.median(copies)


async def router_cost(core: Core, on: Workspace, off: Workspace,
                      calls: int) -> dict[str, list[float]]:
    """Paired differences (ms) of routed calls, syncing workspace minus the other."""
    router = core.router

    async def routed(ws: Workspace, prompt: str) -> float:
        start = time.perf_counter()
        await router.ask(ws, prompt, module="chat")
        return (time.perf_counter() - start) * 1000

    out: dict[str, list[float]] = {"miss": [], "hit": []}
    for i in range(30):  # warm up: imports, pools, statement caches, price tables
        await routed(on, f"warm {i}")
        await routed(off, f"warm {i}")
    for ws in (on, off):
        await routed(ws, "the cached prompt")
    for i in range(calls):
        for phase, prompt in (("miss", f"call {i}"), ("hit", "the cached prompt")):
            first, second = (on, off) if i % 2 else (off, on)  # neither always goes first
            times = {first.tenant_id: await routed(first, prompt),
                     second.tenant_id: await routed(second, prompt)}
            out[phase].append(times[on.tenant_id] - times[off.tenant_id])
    await router.aclose()
    return out


def record_cost(core: Core, on: Workspace, off: Workspace, calls: int) -> list[float]:
    """Paired differences (ms) of the call records' write alone (usage + audit rows, the
    limit counters), syncing workspace minus the other: the triggers' cost without noise."""
    from aidesk.router.records import CallRecord, write
    from aidesk.storage.values import new_id, utcnow

    def timed(ws: Workspace, i: int) -> float:
        rec = CallRecord(new_id(), ws.tenant_id, "bench", "chat", f"record {i}",
                         provider="openai", model="gpt-4o-mini", response="ok", latency_ms=5)
        start = time.perf_counter()
        write(core.db, rec, utcnow())
        return (time.perf_counter() - start) * 1000

    diffs = []
    for i in range(calls):
        first, second = (on, off) if i % 2 else (off, on)  # neither always goes first
        times = {first.tenant_id: timed(first, i), second.tenant_id: timed(second, i)}
        diffs.append(times[on.tenant_id] - times[off.tenant_id])
    return diffs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--pg", default=ADMIN, help="an admin conninfo (creates, then drops)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        seeded(folder, args.rows)
        core = make_core(folder)
        ws = core.workspaces.find(WORKSPACE)
        assert ws is not None
        with central_database(args.pg, ws.tenant_id) as (owner, desktop):
            dsn = "postgresql://bench@127.0.0.1:5432/bench"  # pushed to by hand here
            assert target.configure(core.db, ws.tenant_id, dsn) == args.rows
            push_s, copy_s = push_against_copy(core, ws, owner, desktop, args.rows, folder)
        with RemoteEmulator() as emu:
            on, off = core.workspaces.add("Sync On"), core.workspaces.add("Sync Off")
            for space in (on, off):
                configure(core, space, emu, "openai")
            target.configure(core.db, on.tenant_id, dsn)
            cost = asyncio.run(router_cost(core, on, off, args.calls))
            records = record_cost(core, on, off, 10 * args.calls)
        queued = outbox.pending(core.db, on.tenant_id)
        core.close()
    # the triggers did queue every call's rows
    assert queued["ai_usage_logs"] == 12 * args.calls + 31, queued
    push_rate, copy_rate = args.rows / push_s, args.rows / copy_s
    ratio = push_rate / copy_rate
    miss, hit = statistics.median(cost["miss"]), statistics.median(cost["hit"])
    ok = [
        line(f"push of {args.rows:,} usage rows, median of {ROUNDS}", push_rate, "rows/s", None),
        line(f"psql \\copy of the same rows, median of {ROUNDS}", copy_rate, "rows/s", None),
        line("push rate / \\copy rate", ratio, "", ">= 0.333", ratio >= 1 / 3),
        line("router added by sync (outbox triggers), cache miss, median", miss, "ms",
             "< 0.5 ms", miss < 0.5),
        line("router added by sync (outbox triggers), cache hit, median", hit, "ms",
             "< 0.5 ms", hit < 0.5),
        line("call records' write added by sync (outbox triggers), median",
             statistics.median(records), "ms", None),
    ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
