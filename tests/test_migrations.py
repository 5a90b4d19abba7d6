"""Migrations are append-only and each one upgrades real data, not just a blank file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from aidesk.router import limits
from aidesk.storage import Database, open_database
from aidesk.storage.db import MIGRATIONS_DIR
from aidesk.workspaces import Limits


def test_0002_backfills_counters_from_usage_logged_under_0001(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    with old.begin_immediate() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    rows = [  # (created_at, tokens, cost, cached, outcome)
        ("2026-11-24 10:05:00.000000", 100, 0.5, 0, "ok"),
        ("2026-11-24 10:40:00.000000", 50, 0.25, 0, "error"),
        ("2026-11-24 10:50:00.000000", 999, 9.0, 1, "ok"),  # cached: not counted
        ("2026-11-24 11:10:00.000000", 10, 0.0, 0, "refused"),  # refused: not counted
        ("2026-11-23 23:59:00.000000", 7, 1.0, 0, "ok"),
    ]
    with old.begin() as conn:
        for i, (at, tokens, cost, cached, outcome) in enumerate(rows):
            conn.execute(sa.text(
                "INSERT INTO ai_usage_logs (id, tenant_id, request_id, provider, model, "
                "total_tokens, cost_usd, cached, outcome, created_at) VALUES "
                "(:id, 'acme', :id, 'openai', 'gpt-4o-mini', :tokens, :cost, :cached, :outcome, "
                ":at)"), {"id": f"r{i}", "tokens": tokens, "cost": cost, "cached": cached,
                          "outcome": outcome, "at": at})
    old.close()

    db = open_database(path)
    now = datetime(2026, 11, 24, 10, 59, tzinfo=UTC)
    with db.raw() as conn:
        got = {s.limit: s.used for s in limits.status(conn, "acme", Limits(10, 10**6, 100.0),
                                                      now)}
    db.close()
    assert got == {"requests_per_hour": 2, "tokens_per_day": 150, "cost_per_month": 1.75}


def _database_at(path: Path, revision: str) -> Database:
    old = Database(path)
    with old.begin_immediate() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
    return old


def test_0003_keeps_rows_of_a_0002_database_and_adds_nullable_detail(tmp_path: Path) -> None:
    path = tmp_path / "v2.db"
    old = _database_at(path, "0002")
    with old.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO ai_usage_logs (id, tenant_id, request_id, provider, model, prompt_tokens,"
            " completion_tokens, total_tokens, cost_usd, cached, outcome, created_at) VALUES "
            "('u1', 'acme', 'r1', 'openai', 'gpt-4o-mini', 10, 5, 15, 0.25, 0, 'ok', "
            "'2026-11-24 10:05:00.000000')")
        conn.exec_driver_sql(
            "INSERT INTO ai_audit_logs (id, tenant_id, request_id, prompt, response, tokens_used,"
            " success, created_at) VALUES ('a1', 'acme', 'r1', 'hi', 'hello', 15, 1, "
            "'2026-11-24 10:05:00.000000')")
        conn.exec_driver_sql(
            "INSERT INTO ai_limit_reservations (id, tenant_id, request_id, tokens, cost_usd, "
            "created_at, expires_at) VALUES ('l1', 'acme', 'r2', 100, 0.5, "
            "'2026-11-24 10:05:00.000000', '2026-11-24 10:20:00.000000')")
    old.close()

    db = open_database(path)
    with db.connect() as conn:
        usage = conn.exec_driver_sql(
            "SELECT request_id, prompt_tokens, completion_tokens, total_tokens, cost_usd, "
            "cache_read_tokens, cache_write_tokens, reasoning_tokens, finish_reason "
            "FROM ai_usage_logs").all()
        audit = conn.exec_driver_sql(
            "SELECT request_id, response, tokens_used, finish_reason, truncated "
            "FROM ai_audit_logs").all()
        held = conn.exec_driver_sql(
            "SELECT request_id, tokens, pid, proc_start FROM ai_limit_reservations").all()
        # unknown usage is storable now: NULL token counts
        conn.exec_driver_sql(
            "INSERT INTO ai_usage_logs (id, tenant_id, request_id, provider, model, outcome, "
            "created_at) VALUES ('u2', 'acme', 'r3', 'local', 'llama', 'ok', "
            "'2026-11-24 11:00:00.000000')")
        conn.commit()
    db.close()
    assert [tuple(r) for r in usage] == [("r1", 10, 5, 15, 0.25, None, None, None, None)]
    assert [tuple(r) for r in audit] == [("r1", "hello", 15, None, 0)]
    assert [tuple(r) for r in held] == [("r2", 100, None, None)]


def test_the_head_reader_reads_one_line_and_multi_line_assignments(tmp_path: Path) -> None:
    from aidesk.storage.schema import _revision_constants

    simple = tmp_path / "0004_x.py"
    simple.write_text('"""x"""\nrevision: str = "0004"\ndown_revision: str | None = "0003"\n'
                      'branch_labels = None\n', encoding="utf-8")
    merge = tmp_path / "0009_merge.py"
    merge.write_text('revision = "0009"\ndown_revision = (\n    "0007",\n    "0008",\n)\n',
                     encoding="utf-8")
    assert _revision_constants(simple) == {"revision": "0004", "down_revision": "0003"}
    assert _revision_constants(merge) == {"revision": "0009", "down_revision": ("0007", "0008")}
