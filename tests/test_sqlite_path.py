"""The sqlite3 path under the router and the CLI: transactions, the pool, disk errors, values
the SQLAlchemy schema reads back, and a one-shot `aidesk ask` that imports neither
SQLAlchemy, Alembic nor keyring."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aidesk.core import Core
from aidesk.errors import StorageError
from aidesk.storage import Database, open_database
from aidesk.storage import tables as t
from aidesk.workspaces import Workspace

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "aidesk.db")
    yield database
    database.close()


def test_writing_immediate_serialises_threads(db: Database) -> None:
    seen: list[int] = []
    barrier = threading.Barrier(4)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(5):  # read-count, pause, insert: only safe under the write lock
            with db.writing("IMMEDIATE") as conn:
                (count,) = conn.execute("SELECT count(*) FROM app_state").fetchone()
                seen.append(count)
                time.sleep(0.005)
                conn.execute("INSERT INTO app_state (key, value) VALUES (?, ?)",
                             (f"{n}-{i}", str(count)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(20))


def test_a_failed_transaction_rolls_back_and_the_connection_returns_clean(db: Database) -> None:
    with pytest.raises(ZeroDivisionError), db.writing() as conn:
        conn.execute("INSERT INTO app_state (key, value) VALUES ('a', 'b')")
        1 / 0  # noqa: B018
    with db.raw() as conn:
        assert not conn.in_transaction
        assert conn.execute("SELECT count(*) FROM app_state").fetchone() == (0,)
    with db.reading() as conn:
        assert conn.in_transaction  # one snapshot for several reads...
    with db.raw() as again:
        assert again is conn and not again.in_transaction  # ...ended when it comes back
        assert again.execute("PRAGMA busy_timeout").fetchone() == (db.busy_timeout_ms,)
    db.dispose()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")  # disposed: closed, and the next one is new
    with db.raw() as fresh:
        assert fresh is not conn
        assert fresh.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert fresh.execute("PRAGMA foreign_keys").fetchone() == (1,)


def test_a_held_write_lock_is_a_storage_error_at_once_when_asked_not_to_wait(
        db: Database) -> None:
    other = Database(db.path)
    try:
        with other.writing("IMMEDIATE"):
            started = time.monotonic()
            with pytest.raises(StorageError, match="Close other AIDesk windows"), \
                    db.writing("IMMEDIATE", busy_timeout_ms=0):
                pass
            assert time.monotonic() - started < 1.0
        with db.raw() as conn:  # the patience was for that transaction only
            assert conn.execute("PRAGMA busy_timeout").fetchone() == (db.busy_timeout_ms,)
    finally:
        other.close()


def test_plain_sql_writes_read_back_through_the_schema_types(core: Core, ws: Workspace) -> None:
    tested = datetime(2026, 11, 25, 14, 30, 5, 123456, tzinfo=UTC)
    core.workspaces.update_config(ws.tenant_id, "openai", enabled=True, options={"timeout_s": 9},
                                  last_test_at=tested, last_test_status="verified")
    core.workspaces.set_limit(ws.tenant_id, "cost_per_month", 12.5)
    core.workspaces.set_preference(ws.tenant_id, "tester", "marketing", "openai", "gpt-4o")
    core.workspaces.set_preference(ws.tenant_id, "tester", "marketing", None)
    with core.db.connect() as conn:
        row = conn.execute(sa.select(t.ai_configs).where(
            t.ai_configs.c.provider == "openai")).one()
        limit = conn.execute(sa.select(t.ai_limits.c.cost_per_month)).scalar_one()
        pref = conn.execute(sa.select(t.ai_preferences)).one()
        added = conn.execute(sa.select(t.workspaces.c.created_at)).scalar_one()
    assert (row.enabled, row.options, row.last_test_at) == (True, {"timeout_s": 9}, tested)
    assert row.updated_at.tzinfo is not None and added.tzinfo is not None
    assert limit == 12.5 and (pref.provider, pref.model) == (None, None)
    assert core.workspaces.preference(ws.tenant_id, "tester", "marketing") is None
    with pytest.raises(TypeError, match="not a provider setting"):
        core.workspaces.update_config(ws.tenant_id, "openai", api_key="x")


def test_a_one_shot_ask_imports_no_sqlalchemy_alembic_or_keyring(
        data_dir: Path, emulator: Any) -> None:
    env = {**os.environ, "AIDESK_DATA_DIR": str(data_dir), "AIDESK_USER": "tester"}

    def aidesk(*args: str, importtime: bool = False) -> subprocess.CompletedProcess[str]:
        flags = ["-X", "importtime"] if importtime else []
        done = subprocess.run([sys.executable, *flags, "-m", "aidesk", *args], env=env,
                              capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
        return done

    aidesk("config", "set", "providers.local.base_url", emulator.base_url("local"))
    aidesk("config", "set", "fallback", "local")
    asked = aidesk("ask", "--no-cache", "--json", "olá", importtime=True)
    assert '"provider": "local"' in asked.stdout
    imported = {line.split("|")[-1].strip() for line in asked.stderr.splitlines()
                if line.startswith("import time:")}
    heavy = {name for name in imported
             if name.split(".")[0] in ("sqlalchemy", "alembic", "keyring", "secretstorage")}
    assert "aidesk.router.records" in imported and not heavy
    assert "aidesk.cli.keys_cmd" not in imported  # only the command asked for is built
    listed = aidesk("workspace", "list", importtime=True)
    assert "default" in listed.stdout and "sqlalchemy" not in listed.stderr
