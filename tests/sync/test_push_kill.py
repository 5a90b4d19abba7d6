"""`aidesk sync` killed with SIGKILL at the two moments that matter, then run again: every
row reaches the centre exactly once (counts and client UUIDs compared).

1. In the middle of a batch: the test holds `LOCK TABLE ai_usage_logs IN EXCLUSIVE MODE`,
   so the pass's INSERT waits on it inside its transaction (after an earlier batch
   committed); the test sees that wait in pg_stat_activity and kills the process.
2. After the centre committed a batch, before the outbox entries are deleted: the test
   holds SQLite's write lock (BEGIN IMMEDIATE), sees the batch's rows in the centre, kills.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from aidesk.core import Core
from aidesk.sync import outbox, target
from aidesk.workspaces import Workspace
from tests.sync.conftest import Central
from tests.sync.test_push import central_ids, local_ids, seed_audit, seed_usage

ROOT = Path(__file__).resolve().parents[2]


def start_sync(data_dir: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "AIDESK_DATA_DIR": str(data_dir), "AIDESK_USER": "tester",
           "LANGUAGE": "en"}
    return subprocess.Popen([sys.executable, "-m", "aidesk", "sync", "--json"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL


def wait_for(what: str, check: Callable[[], bool], child: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not check():
        if child.poll() is not None:
            raise AssertionError(f"aidesk sync ended before {what}: {child.communicate()}")
        if time.monotonic() > deadline:
            kill(child)
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def count(central: Central, table: str) -> int:
    with central.connect() as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(str(row[0]))


def sync_again(data_dir: Path) -> str:
    child = start_sync(data_dir)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err
    return out


@pytest.fixture
def syncing(core: Core, ws: Workspace, central: Central,
            tenant_role: Callable[[str], str]) -> str:
    """The workspace syncs as its tenant's role (trust auth: no password): the role."""
    role = tenant_role(ws.tenant_id)
    target.configure(core.db, ws.tenant_id, central.dsn(role))
    target.device_id(core.db)  # made now: the pass under test writes nothing before pushing
    return role


def test_killed_in_the_middle_of_a_batch(core: Core, ws: Workspace, data_dir: Path,
                                         central: Central, syncing: str) -> None:
    audit = seed_audit(core.db, ws.tenant_id, 5000)  # the first batch: committed
    # the second batch: its config goes in first, then its usage rows wait on the lock
    core.workspaces.update_config(ws.tenant_id, "openai", enabled=True, model="gpt-4o")
    usage = seed_usage(core.db, ws.tenant_id, 3000)
    with psycopg.connect(central.conninfo) as lock:
        lock.execute("LOCK TABLE ai_usage_logs IN EXCLUSIVE MODE")
        child = start_sync(data_dir)

        def waits_on_the_lock() -> bool:  # asked outside the lock's transaction, whose
            with central.connect() as conn:  # view of pg_stat_activity would stay as it was
                row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE usename = %s "
                                   "AND wait_event_type = 'Lock'", (syncing,)).fetchone()
            return row is not None and row[0] == 1

        wait_for("the pass to wait on the lock", waits_on_the_lock, child)
        kill(child)
        assert count(central, "ai_audit_logs") == 5000
        assert outbox.pending(core.db, ws.tenant_id) == {
            "ai_configs": 1, "ai_usage_logs": 3000, "ai_audit_logs": 0, "ai_images": 0,
            "ai_bulk_messages": 0}
        lock.commit()  # the killed pass's transaction never commits
    assert count(central, "ai_usage_logs") == count(central, "ai_configs") == 0
    out = sync_again(data_dir)
    assert '"ai_usage_logs": 3000' in out and '"ai_configs": 1' in out
    assert central_ids(central, "ai_configs") == local_ids(core.db, "ai_configs", ws.tenant_id)
    assert central_ids(central, "ai_usage_logs") == sorted(usage)
    assert central_ids(central, "ai_audit_logs") == sorted(audit)
    assert sum(outbox.pending(core.db, ws.tenant_id).values()) == 0


def test_killed_after_the_centre_committed_before_the_outbox_forgot(
        core: Core, ws: Workspace, data_dir: Path, central: Central, syncing: str) -> None:
    usage = seed_usage(core.db, ws.tenant_id, 500)
    lock = sqlite3.connect(core.db.path, isolation_level=None)
    try:
        lock.execute("BEGIN IMMEDIATE")  # the pass reads, pushes, then waits to delete
        child = start_sync(data_dir)
        wait_for("the centre to commit", lambda: count(central, "ai_usage_logs") == 500, child)
        kill(child)
        lock.execute("ROLLBACK")
    finally:
        lock.close()
    assert outbox.pending(core.db, ws.tenant_id)["ai_usage_logs"] == 500  # not forgotten
    assert '"ai_usage_logs": 500' in sync_again(data_dir)  # sent again: the centre keeps one
    assert count(central, "ai_usage_logs") == 500
    assert central_ids(central, "ai_usage_logs") == sorted(usage) == local_ids(
        core.db, "ai_usage_logs", ws.tenant_id)
    assert sum(outbox.pending(core.db, ws.tenant_id).values()) == 0
