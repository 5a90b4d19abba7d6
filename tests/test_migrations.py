"""Migrations are append-only and each one upgrades real data, not just a blank file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from aidesk.router import limits
from aidesk.storage import Database, open_database
from aidesk.storage.db import MIGRATIONS_DIR, create_sqlite_engine
from aidesk.workspaces import Limits


def test_0002_backfills_counters_from_usage_logged_under_0001(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(create_sqlite_engine(path), path)
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
    with db.connect() as conn:
        got = {s.limit: s.used for s in limits.status(conn, "acme", Limits(10, 10**6, 100.0),
                                                      now)}
    db.close()
    assert got == {"requests_per_hour": 2, "tokens_per_day": 150, "cost_per_month": 1.75}
