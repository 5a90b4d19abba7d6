"""A paid answer is never lost: unrecordable calls go to the spool and are replayed once."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aidesk.core import Core
from aidesk.providers.base import UNKNOWN_USAGE, Usage
from aidesk.router import records
from aidesk.router.records import CallRecord
from aidesk.storage import Database, open_database, spool
from aidesk.storage import db as db_module
from aidesk.storage import tables as t
from aidesk.storage.types import utcnow
from aidesk.workspaces import Workspace
from tests.support import configure, make_core

FAKE_KEY = "sk-proj-" + "Zz9" * 12  # a key shape (with a digit): never in the spool


def pragmas(monkeypatch: pytest.MonkeyPatch, db: Database, *extra: str) -> None:
    """New connections of `db` get a short busy timeout plus `extra` pragmas."""
    monkeypatch.setattr(db_module, "_PRAGMAS", (
        "PRAGMA busy_timeout=150", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
        *extra))
    db.dispose()


def count_rows(db: Database, table: sa.Table, request_id: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    if request_id is not None:
        query = query.where(table.c.request_id == request_id)
    with db.connect() as conn:
        return int(conn.scalar(query) or 0)


def day_tokens(db: Database) -> int:
    with db.connect() as conn:
        return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.sum(
            t.ai_usage_counters.c.tokens), 0)).where(t.ai_usage_counters.c.period == "day"))
            or 0)


def record(request_id: str = "r1", **kw: Any) -> CallRecord:
    fields: dict[str, Any] = {"provider": "openai", "model": "gpt-4o-mini",
                              "response": "answer", "usage": Usage(100, 20), "cost_usd": 0.01}
    fields.update(kw)
    return CallRecord(request_id, "default", "tester", "marketing",
                      f"prompt with {FAKE_KEY} pasted", **fields)


def test_locked_database_spools_the_answer_and_the_next_open_replays_it_once(
        core: Core, ws: Workspace, emulator: Any, monkeypatch: pytest.MonkeyPatch,
        keyring_backend: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 10**6)
    emulator.latency("openai", 0.6)
    pragmas(monkeypatch, core.db)

    async def main() -> Any:
        task = asyncio.create_task(core.router.ask(ws, f"slogan, key {FAKE_KEY}"))
        await asyncio.sleep(0.3)  # reserved; the provider is still answering
        holder = sqlite3.connect(core.db.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's long write
        try:
            return await task
        finally:
            holder.rollback()
            holder.close()
            await core.router.aclose()

    result = asyncio.run(main())
    assert result.text  # the caller got its answer
    path = spool.spool_path(core.db.path)
    text = path.read_text(encoding="utf-8")
    assert result.request_id in text and FAKE_KEY not in text
    assert emulator.key("openai") not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert count_rows(core.db, t.ai_usage_logs, result.request_id) == 0
    assert count_rows(core.db, t.ai_limit_reservations) == 1  # the lock kept it: replay frees it
    saved = path.read_bytes()
    core.close()

    for _ in range(2):  # a second replay of the same lines inserts nothing twice
        reopened = make_core(core.data_dir, keyring_backend)
        assert count_rows(reopened.db, t.ai_usage_logs, result.request_id) == 1
        assert count_rows(reopened.db, t.ai_audit_logs, result.request_id) == 1
        assert count_rows(reopened.db, t.ai_limit_reservations) == 0
        assert day_tokens(reopened.db) == result.usage.total_tokens
        assert path.stat().st_size == 0
        reopened.close()
        path.write_bytes(saved)


@pytest.mark.parametrize("fault", ["full", "read-only"])
def test_disk_full_or_read_only_spools_instead_of_raising(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str,
        caplog: pytest.LogCaptureFixture) -> None:
    db = open_database(tmp_path / "aidesk.db")
    with db.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    # SQLite's own refusals, which bind root too: the file may not grow / not be written.
    pragmas(monkeypatch, db, f"PRAGMA max_page_count={pages}" if fault == "full"
            else "PRAGMA query_only=ON")
    long_answer = " ".join(f"linha {n}" for n in range(20_000))  # grows the file
    big = record(response=long_answer)
    records.write(db, big, utcnow())  # no exception: the answer is not lost
    assert "kept in the spool" in caplog.text
    assert count_rows(db, t.ai_usage_logs) == 0
    db.close()
    monkeypatch.undo()

    again = open_database(tmp_path / "aidesk.db")
    with again.connect() as conn:
        row = conn.execute(sa.select(t.ai_audit_logs.c.response, t.ai_audit_logs.c.prompt)).one()
    assert row.response == long_answer and FAKE_KEY not in row.prompt
    assert day_tokens(again) == 120
    again.close()


def test_unknown_usage_writes_null_tokens_and_counts_the_reservation_estimate(
        tmp_path: Path) -> None:
    from aidesk.router import limits
    from aidesk.workspaces import Limits

    db = open_database(tmp_path / "aidesk.db")
    now = utcnow()
    with db.raw() as conn:
        limits.reserve(db, conn, "default", Limits(tokens_per_day=10**6), "r1", 700, 0.5, now)
    records.write(db, record(usage=UNKNOWN_USAGE, cost_usd=None), now, reserved=True)
    with db.connect() as conn:
        usage = conn.execute(sa.select(t.ai_usage_logs)).one()
        audit = conn.execute(sa.select(t.ai_audit_logs)).one()
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens,
            usage.cost_usd, usage.cache_read_tokens) == (None, None, None, None, None)
    assert audit.tokens_used is None
    assert day_tokens(db) == 700  # unknown is not zero: the estimate counts
    assert count_rows(db, t.ai_limit_reservations) == 0
    db.close()


@pytest.mark.parametrize("outcome", ["refused", "not_configured"])
def test_calls_that_never_reached_a_provider_do_not_count(tmp_path: Path, outcome: str) -> None:
    db = open_database(tmp_path / "aidesk.db")
    records.write(db, record(outcome=outcome, usage=Usage(), cost_usd=None), utcnow())
    records.write(db, record("r2"), utcnow())
    with db.connect() as conn:
        requests = conn.scalar(sa.select(t.ai_usage_counters.c.requests).where(
            t.ai_usage_counters.c.period == "hour"))
    assert requests == 1 and count_rows(db, t.ai_usage_logs) == 2
    db.close()


_CHILD = textwrap.dedent("""
    import sys
    from aidesk.storage import db as db_module, open_database
    from aidesk.router import records
    from aidesk.router.records import CallRecord
    from aidesk.providers.base import Usage
    from aidesk.storage.types import utcnow

    db = open_database(sys.argv[1])
    db_module._PRAGMAS = db_module._PRAGMAS + ("PRAGMA query_only=ON",)  # writes fail
    db.dispose()
    n = 0
    while True:
        rid = f"kill-{n}"
        records.write(db, CallRecord(rid, "default", None, None, "p", provider="openai",
                      model="m", response="a" * 5000, usage=Usage(10, 5)), utcnow())
        print(rid, flush=True)  # acknowledged: the caller would now show the answer
        n += 1
""")


def test_sigkill_mid_run_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "aidesk.db"
    open_database(path).close()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).parent.parent)
    assert child.stdout is not None
    acknowledged = [child.stdout.readline().strip() for _ in range(40)]
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    acknowledged += [line.strip() for line in child.stdout if line.strip()]
    child.stdout.close()

    for _ in range(2):
        db = open_database(path)
        with db.connect() as conn:
            ids = list(conn.execute(sa.select(t.ai_usage_logs.c.request_id)).scalars())
            audits = list(conn.execute(sa.select(t.ai_audit_logs.c.request_id)).scalars())
        db.close()
        assert len(ids) == len(set(ids)) and sorted(ids) == sorted(audits)
        assert set(acknowledged) <= set(ids)
        assert len(ids) <= len(acknowledged) + 1  # at most the one being written
        assert not spool.pending(spool.spool_path(path))
