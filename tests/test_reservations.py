"""Limit reservations name their process: a dead process's share is reclaimed at once, and a
refusal names when the limit really frees."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aidesk.errors import LimitExceeded
from aidesk.router import limits
from aidesk.router.limits import LimitHeld
from aidesk.storage import Database, open_database, procs
from aidesk.storage.values import utc_text
from aidesk.workspaces import Limits

TOKENS = Limits(tokens_per_day=1000)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def reserve(db: Database, request_id: str, tokens: int, now: datetime = NOW,
            lim: Limits = TOKENS) -> None:
    with db.raw() as conn:
        limits.reserve(db, conn, "acme", lim, request_id, tokens, 0.0, now)


def held(db: Database) -> list[tuple[str, int | None, str | None]]:
    with db.connect() as conn:
        return [(str(r[0]), r[1], r[2]) for r in conn.exec_driver_sql(
            "SELECT request_id, pid, proc_start FROM ai_limit_reservations ORDER BY request_id")]


_CHILD = textwrap.dedent("""
    import sys, time
    from datetime import datetime, UTC
    from aidesk.router import limits
    from aidesk.storage import open_database
    from aidesk.workspaces import Limits

    db = open_database(sys.argv[1])
    with db.raw() as conn:
        limits.reserve(db, conn, "acme", Limits(tokens_per_day=1000), "child", 900, 0.0,
                       datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    print("reserved", flush=True)
    time.sleep(60)
""")


def test_a_sigkilled_process_s_reservation_is_reclaimed_by_the_next_call(tmp_path: Path) -> None:
    path = tmp_path / "aidesk.db"
    db = open_database(path)
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True, cwd=Path(__file__).parent.parent)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "reserved"
        [(_, pid, started)] = held(db)
        assert pid == child.pid and started is not None and not procs.gone(pid, started)

        # While the child lives, its share counts; the refusal says the limit frees when
        # the call in flight ends (at the latest when its reservation expires), not at midnight.
        with pytest.raises(LimitHeld) as refused:
            reserve(db, "parent-1", 200, NOW + timedelta(seconds=1))
        assert refused.value.resets_at == NOW + limits.RESERVATION_TTL
        assert "held by calls still running" in refused.value.user_message

        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None
        child.stdout.close()
    assert procs.gone(pid, started)
    reserve(db, "parent-2", 200, NOW + timedelta(seconds=2))  # not refused: reclaimed at once
    assert [r[0] for r in held(db)] == ["parent-2"]
    db.close()


def test_a_reused_pid_does_not_keep_a_dead_reservation(tmp_path: Path) -> None:
    db = open_database(tmp_path / "aidesk.db")
    me, my_start = procs.me()
    with db.begin() as conn:  # our pid, but another start time: the pid was reused
        conn.exec_driver_sql(
            "INSERT INTO ai_limit_reservations (id, tenant_id, request_id, tokens, cost_usd, "
            "created_at, expires_at, pid, proc_start) VALUES ('x', 'acme', 'ghost', 900, 0, ?, ?,"
            " ?, 'linux:1')", (utc_text(NOW), utc_text(NOW + timedelta(minutes=15)), me))
    reserve(db, "mine", 900)
    reserve(db, "mine-2", 50)  # our own live reservation is kept and counted
    assert [(r[0], r[1], r[2]) for r in held(db)] == [("mine", me, my_start),
                                                      ("mine-2", me, my_start)]
    with pytest.raises(LimitExceeded):
        reserve(db, "too-much", 100)
    db.close()


def test_a_limit_used_up_by_finished_calls_resets_at_the_period_end(tmp_path: Path) -> None:
    db = open_database(tmp_path / "aidesk.db")
    with db.writing() as conn:
        limits.count(conn, "acme", 950, 0.0, NOW)
    with pytest.raises(LimitExceeded) as refused:
        reserve(db, "r", 100)
    assert not isinstance(refused.value, LimitHeld)
    assert refused.value.resets_at == datetime(2026, 11, 26, tzinfo=UTC)
    db.close()


def test_release_returns_the_estimate_and_a_locked_database_does_not_block_try_release(
        tmp_path: Path) -> None:
    db = open_database(tmp_path / "aidesk.db")
    reserve(db, "r", 300)
    assert limits.held(db, "r") == (300, 0.0)
    with db.begin_immediate():  # another writer holds the lock: give up at once, no wait
        assert limits.try_release(db, "r") is False
    assert limits.try_release(db, "r") is True
    assert limits.held(db, "r") is None
    db.close()
