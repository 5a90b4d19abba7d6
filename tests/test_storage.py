"""Storage layer: exact schema, migrations, connection settings, types, locking, disk errors."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import alembic.command
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, event, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, StatementError

from aidesk.errors import StorageError
from aidesk.storage import (
    Database,
    ai_audit_logs,
    ai_configs,
    ai_limit_reservations,
    metadata,
    new_id,
    open_database,
    storage_errors,
    utcnow,
    workspaces,
)
from aidesk.storage.db import MIGRATIONS_DIR, script_heads
from aidesk.storage.types import UTCDateTime

# Every column as "name DECLARED_TYPE [AFFINITY] NULL|NOT NULL [DEFAULT x]", in table order.
# Editing this literal is the deliberate act that goes with a new migration.
EXPECTED_SCHEMA: dict[str, dict[str, Any]] = {
    "ai_audit_logs": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "request_id TEXT [TEXT] NOT NULL",
            "user_id TEXT [TEXT] NULL",
            "provider TEXT [TEXT] NULL",
            "model TEXT [TEXT] NULL",
            "module TEXT [TEXT] NULL",
            "prompt TEXT [TEXT] NULL",
            "response TEXT [TEXT] NULL",
            "tokens_used INTEGER [INTEGER] NULL",
            "success BOOLEAN [NUMERIC] NOT NULL",
            "error_message TEXT [TEXT] NULL",
            "hops TEXT [TEXT] NOT NULL DEFAULT '[]'",
            "created_at TEXT [TEXT] NOT NULL",
            "finish_reason TEXT [TEXT] NULL",
            "truncated BOOLEAN [NUMERIC] NOT NULL DEFAULT 0",
        ],
        "primary_key": ["id"],
        "unique": {},
        "indexes": {
            "ix_ai_audit_logs_tenant_id_created_at_id": (
                ["tenant_id", "created_at", "id"], False),
            **{f"ix_ai_audit_logs_tenant_id_{c}_created_at": (
                ["tenant_id", c, "created_at", "id"], False)
               for c in ("provider", "model", "user_id", "module", "success")},
        },
    },
    "ai_cache": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NOT NULL",
            "model TEXT [TEXT] NOT NULL",
            "prompt_hash VARCHAR(64) [TEXT] NOT NULL",
            "response TEXT [TEXT] NOT NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "expires_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {
            "uq_ai_cache_tenant_id_provider_prompt_hash": ["tenant_id", "provider", "prompt_hash"]
        },
        "indexes": {},
    },
    "ai_configs": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NOT NULL",
            "model TEXT [TEXT] NULL",
            "base_url TEXT [TEXT] NULL",
            "enabled BOOLEAN [NUMERIC] NOT NULL DEFAULT 1",
            "position INTEGER [INTEGER] NOT NULL DEFAULT 0",
            "options TEXT [TEXT] NOT NULL DEFAULT '{}'",
            "key_fingerprint TEXT [TEXT] NULL",
            "key_mask TEXT [TEXT] NULL",
            "last_test_status TEXT [TEXT] NULL",
            "last_test_message TEXT [TEXT] NULL",
            "last_test_at TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_ai_configs_tenant_id_provider": ["tenant_id", "provider"]},
        "indexes": {},
    },
    "ai_limit_reservations": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "request_id TEXT [TEXT] NOT NULL",
            "tokens INTEGER [INTEGER] NOT NULL",
            "cost_usd NUMERIC(12, 6) [NUMERIC] NOT NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "expires_at TEXT [TEXT] NOT NULL",
            "pid INTEGER [INTEGER] NULL",
            "proc_start TEXT [TEXT] NULL",
        ],
        "primary_key": ["id"],
        "unique": {},
        "indexes": {"ix_ai_limit_reservations_tenant_id": (["tenant_id"], False)},
    },
    "ai_usage_counters": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "period TEXT [TEXT] NOT NULL",
            "period_start TEXT [TEXT] NOT NULL",
            "requests INTEGER [INTEGER] NOT NULL DEFAULT 0",
            "tokens INTEGER [INTEGER] NOT NULL DEFAULT 0",
            "cost_usd NUMERIC(12, 6) [NUMERIC] NOT NULL DEFAULT 0",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {
            "uq_ai_usage_counters_tenant_id_period_period_start": [
                "tenant_id", "period", "period_start"]
        },
        "indexes": {},
    },
    "ai_limits": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "requests_per_hour INTEGER [INTEGER] NULL",
            "tokens_per_day INTEGER [INTEGER] NULL",
            "cost_per_month NUMERIC(12, 6) [NUMERIC] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_ai_limits_tenant_id": ["tenant_id"]},
        "indexes": {},
    },
    "ai_preferences": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "user_id TEXT [TEXT] NOT NULL",
            "module TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NULL",
            "model TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {
            "uq_ai_preferences_tenant_id_user_id_module": ["tenant_id", "user_id", "module"]
        },
        "indexes": {},
    },
    "ai_usage_logs": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "request_id TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NOT NULL",
            "model TEXT [TEXT] NOT NULL",
            "prompt_tokens INTEGER [INTEGER] NULL",
            "completion_tokens INTEGER [INTEGER] NULL",
            "total_tokens INTEGER [INTEGER] NULL",
            "cost_usd NUMERIC(12, 6) [NUMERIC] NULL",
            "response_time_ms INTEGER [INTEGER] NULL",
            "module TEXT [TEXT] NULL",
            "user_id TEXT [TEXT] NULL",
            "cached BOOLEAN [NUMERIC] NOT NULL DEFAULT 0",
            "outcome TEXT [TEXT] NOT NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "cache_read_tokens INTEGER [INTEGER] NULL",
            "cache_write_tokens INTEGER [INTEGER] NULL",
            "reasoning_tokens INTEGER [INTEGER] NULL",
            "finish_reason TEXT [TEXT] NULL",
        ],
        "primary_key": ["id"],
        "unique": {},
        "indexes": {
            "ix_ai_usage_logs_tenant_id_created_at": (["tenant_id", "created_at"], False),
            "ix_ai_usage_logs_tenant_id_provider_created_at": (
                ["tenant_id", "provider", "created_at"], False),  # 0008
        },
    },
    "alembic_version": {
        "columns": ["version_num VARCHAR(32) [TEXT] NOT NULL"],
        "primary_key": ["version_num"],
        "unique": {},
        "indexes": {},
    },
    "app_state": {
        "columns": ["key TEXT [TEXT] NOT NULL", "value TEXT [TEXT] NOT NULL"],
        "primary_key": ["key"],
        "unique": {},
        "indexes": {},
    },
    # 0004: chats and leads
    "conversations": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "title TEXT [TEXT] NOT NULL",
            "source TEXT [TEXT] NOT NULL",
            "format TEXT [TEXT] NOT NULL",
            "content_hash TEXT [TEXT] NOT NULL",
            "notes TEXT [TEXT] NOT NULL DEFAULT '[]'",
            "sentiment TEXT [TEXT] NULL",
            "sentiment_reason TEXT [TEXT] NULL",
            "summary TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_conversations_tenant_id_content_hash": ["tenant_id", "content_hash"]},
        "indexes": {},
    },
    "chat_messages": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "conversation_id TEXT [TEXT] NOT NULL",
            "seq INTEGER [INTEGER] NOT NULL",
            "sender TEXT [TEXT] NOT NULL",
            "sent_at TEXT [TEXT] NULL",
            "text TEXT [TEXT] NOT NULL",
            "kind TEXT [TEXT] NOT NULL",
            "language TEXT [TEXT] NULL",
            "line INTEGER [INTEGER] NULL",
            "sentiment TEXT [TEXT] NULL",
            "sentiment_reason TEXT [TEXT] NULL",
            "translation TEXT [TEXT] NULL",
            "translation_language TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_chat_messages_conversation_id_seq": ["conversation_id", "seq"]},
        "indexes": {},
    },
    "leads": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "name TEXT [TEXT] NOT NULL",
            "external_id TEXT [TEXT] NOT NULL",
            "company TEXT [TEXT] NOT NULL",
            "email TEXT [TEXT] NOT NULL",
            "phone TEXT [TEXT] NOT NULL",
            "history TEXT [TEXT] NOT NULL DEFAULT '[]'",
            "analysis TEXT [TEXT] NULL",
            "analysed_at TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_leads_tenant_id_external_id": ["tenant_id", "external_id"]},
        "indexes": {},
    },
    # 0005: generated images (the Images tab's gallery)
    "images": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "request_id TEXT [TEXT] NOT NULL",
            "file_name TEXT [TEXT] NOT NULL",
            "prompt TEXT [TEXT] NOT NULL",
            "preset TEXT [TEXT] NULL",
            "size TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NOT NULL",
            "model TEXT [TEXT] NOT NULL",
            "mime TEXT [TEXT] NOT NULL",
            "bytes INTEGER [INTEGER] NOT NULL",
            "width INTEGER [INTEGER] NULL",
            "height INTEGER [INTEGER] NULL",
            "cost_usd NUMERIC(12, 6) [NUMERIC] NULL",
            "revised_prompt TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_images_tenant_id_file_name": ["tenant_id", "file_name"]},
        "indexes": {"ix_images_tenant_id_created_at": (["tenant_id", "created_at"], False)},
    },
    # 0006: bulk-message jobs and their items
    "bulk_jobs": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "source TEXT [TEXT] NOT NULL",
            "brief TEXT [TEXT] NOT NULL",
            "header TEXT [TEXT] NOT NULL DEFAULT '[]'",
            "mapping TEXT [TEXT] NOT NULL DEFAULT '{}'",
            "status TEXT [TEXT] NOT NULL",
            "stop_reason TEXT [TEXT] NULL",
            "total INTEGER [INTEGER] NOT NULL",
            "out_path TEXT [TEXT] NULL",
            "runner TEXT [TEXT] NULL",
            "runner_pid INTEGER [INTEGER] NULL",
            "runner_start TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
            "finished_at TEXT [TEXT] NULL",
        ],
        "primary_key": ["id"],
        "unique": {},
        "indexes": {"ix_bulk_jobs_tenant_id_created_at": (["tenant_id", "created_at"], False)},
    },
    "bulk_items": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "job_id TEXT [TEXT] NOT NULL",
            "seq INTEGER [INTEGER] NOT NULL",
            "line INTEGER [INTEGER] NOT NULL",
            "lead TEXT [TEXT] NOT NULL",
            "cells TEXT [TEXT] NOT NULL DEFAULT '[]'",
            "language TEXT [TEXT] NOT NULL",
            "state TEXT [TEXT] NOT NULL",
            "claim TEXT [TEXT] NULL",
            "claim_pid INTEGER [INTEGER] NULL",
            "claim_start TEXT [TEXT] NULL",
            "attempts INTEGER [INTEGER] NOT NULL DEFAULT 0",
            "message TEXT [TEXT] NULL",
            "error TEXT [TEXT] NULL",
            "provider TEXT [TEXT] NULL",
            "model TEXT [TEXT] NULL",
            "cost_usd NUMERIC(12, 6) [NUMERIC] NULL",
            "tokens INTEGER [INTEGER] NULL",
            "request_id TEXT [TEXT] NULL",
            "finished_at TEXT [TEXT] NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_bulk_items_job_id_seq": ["job_id", "seq"]},
        "indexes": {"ix_bulk_items_job_id_state_seq": (["job_id", "state", "seq"], False)},
    },
    # 0007: summarised meetings (the Meetings tab)
    "meetings": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "title TEXT [TEXT] NOT NULL",
            "source TEXT [TEXT] NOT NULL",
            "duration_s NUMERIC(12, 3) [NUMERIC] NOT NULL",
            "language TEXT [TEXT] NULL",
            "transcript TEXT [TEXT] NOT NULL",
            "summary TEXT [TEXT] NOT NULL",
            "parts TEXT [TEXT] NOT NULL DEFAULT '[]'",
            "cost_usd NUMERIC(12, 6) [NUMERIC] NULL",
            "created_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {},
        "indexes": {"ix_meetings_tenant_id_created_at": (["tenant_id", "created_at"], False)},
    },
    # 0008: hourly usage and fallback totals kept by triggers (the Usage tab)
    "ai_usage_hourly": {
        "columns": [
            "tenant_id TEXT [TEXT] NOT NULL",
            "hour TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NOT NULL",
            "model TEXT [TEXT] NOT NULL",
            "module TEXT [TEXT] NOT NULL",
            *(f"{name} INTEGER [INTEGER] NOT NULL DEFAULT 0"
              for name in ("calls", "errors", "cache_hits", "tokens", "cached_tokens")),
            "cost_usd NUMERIC(12, 6) [NUMERIC] NOT NULL DEFAULT 0",
            "latency_ms INTEGER [INTEGER] NOT NULL DEFAULT 0",
            "latency_n INTEGER [INTEGER] NOT NULL DEFAULT 0",
        ],
        "primary_key": ["tenant_id", "hour", "provider", "model", "module"],
        "unique": {},
        "indexes": {},
    },
    "ai_fallback_hourly": {
        "columns": [
            "tenant_id TEXT [TEXT] NOT NULL",
            "hour TEXT [TEXT] NOT NULL",
            "provider TEXT [TEXT] NOT NULL",
            "reason TEXT [TEXT] NOT NULL",
            "fallbacks INTEGER [INTEGER] NOT NULL DEFAULT 0",
        ],
        "primary_key": ["tenant_id", "hour", "provider", "reason"],
        "unique": {},
        "indexes": {},
    },
    # 0010: sync with the platform's PostgreSQL (triggers pinned in SYNC_TRIGGERS)
    "sync_targets": {
        "columns": [
            "tenant_id TEXT [TEXT] NOT NULL",
            "dsn TEXT [TEXT] NOT NULL",
            "last_sync_at TEXT [TEXT] NULL",
            "last_pushed TEXT [TEXT] NOT NULL DEFAULT '{}'",
            "last_pulled INTEGER [INTEGER] NOT NULL DEFAULT 0",
            "last_error TEXT [TEXT] NULL",
            "last_error_at TEXT [TEXT] NULL",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["tenant_id"],
        "unique": {},
        "indexes": {},
    },
    "sync_outbox": {
        "columns": [
            "seq INTEGER [INTEGER] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "tbl TEXT [TEXT] NOT NULL",
            "row_id TEXT [TEXT] NOT NULL",
            "queued_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["seq"],
        "unique": {},
        "indexes": {"ix_sync_outbox_tenant_id_seq": (["tenant_id", "seq"], False)},
    },
    "team_policies": {
        "columns": [
            "tenant_id TEXT [TEXT] NOT NULL",
            "setting TEXT [TEXT] NOT NULL",
            "value TEXT [TEXT] NOT NULL",
            "mandatory BOOLEAN [NUMERIC] NOT NULL DEFAULT 0",
            "updated_at TEXT [TEXT] NOT NULL",
            "pulled_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["tenant_id", "setting"],
        "unique": {},
        "indexes": {},
    },
    "workspaces": {
        "columns": [
            "id TEXT [TEXT] NOT NULL",
            "tenant_id TEXT [TEXT] NOT NULL",
            "name TEXT [TEXT] NOT NULL",
            "cache_ttl_days INTEGER [INTEGER] NOT NULL DEFAULT 7",
            "created_at TEXT [TEXT] NOT NULL",
            "updated_at TEXT [TEXT] NOT NULL",
        ],
        "primary_key": ["id"],
        "unique": {"uq_workspaces_tenant_id": ["tenant_id"], "uq_workspaces_name": ["name"]},
        "indexes": {},
    },
}

ALLOWED_KEY_COLUMNS = {("ai_configs", "key_fingerprint"), ("ai_configs", "key_mask")}
ALLOWED_KEY_COLUMNS.add(("app_state", "key"))


# 0009: SQLAlchemy has no virtual tables nor triggers; these are pinned as sqlite_master has them.
FTS = "ai_audit_fts"
FTS_MASTER = {
    ("table", "ai_audit_fts"), ("table", "ai_audit_fts_config"), ("table", "ai_audit_fts_data"),
    ("table", "ai_audit_fts_docsize"), ("table", "ai_audit_fts_idx"),
    ("trigger", "ai_audit_fts_delete"), ("trigger", "ai_audit_fts_insert"),
    ("trigger", "ai_audit_fts_update"),
}
SYNC_TRIGGERS = {"sync_ai_usage_logs", "sync_ai_audit_logs", "sync_ai_configs_insert",
                 "sync_ai_configs_update", "sync_images", "sync_bulk_items"}


def affinity(declared: str) -> str:
    """SQLite's column affinity rules (https://sqlite.org/datatype3.html, section 3.1)."""
    declared = declared.upper()
    if "INT" in declared:
        return "INTEGER"
    if any(word in declared for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in declared or not declared:
        return "BLOB"
    if any(word in declared for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def actual_schema(db: Database) -> dict[str, dict[str, Any]]:
    inspector = inspect(db.engine)
    schema: dict[str, dict[str, Any]] = {}
    for table in inspector.get_table_names():
        if table.startswith(FTS):  # the FTS5 table and its shadow tables: see FTS_MASTER
            continue
        columns = []
        for col in inspector.get_columns(table):
            declared = str(col["type"])
            line = f"{col['name']} {declared} [{affinity(declared)}] "
            line += "NULL" if col["nullable"] else "NOT NULL"
            if col["default"] is not None:
                line += f" DEFAULT {col['default']}"
            columns.append(line)
        schema[table] = {
            "columns": columns,
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "unique": {
                uq["name"]: uq["column_names"] for uq in inspector.get_unique_constraints(table)
            },
            "indexes": {
                ix["name"]: (ix["column_names"], bool(ix["unique"]))
                for ix in inspector.get_indexes(table)
            },
        }
    return schema


def sqlite_master(db: Database) -> list[tuple[str, str, str | None]]:
    with db.connect() as conn:
        rows = conn.exec_driver_sql("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        return [(str(row[0]), str(row[1]), row[2]) for row in rows]


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "data" / "aidesk.db")
    yield database
    database.close()


def alembic_heads() -> set[str]:
    return set(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


# --- schema and migrations ---------------------------------------------------------------


def test_blank_file_gets_exact_schema(db: Database) -> None:
    assert db.path.exists()
    assert actual_schema(db) == EXPECTED_SCHEMA
    assert {(kind, name) for kind, name, _ in sqlite_master(db)
            if name.startswith(FTS)} == FTS_MASTER
    assert {name for kind, name, _ in sqlite_master(db)
            if kind == "trigger" and name.startswith("sync_")} == SYNC_TRIGGERS


def test_revision_is_head_and_reopening_is_a_no_op(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(alembic_heads())
    assert script_heads() == alembic_heads()  # the fast head reader agrees with alembic

    before = sqlite_master(db)
    with db.begin() as conn:
        conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme"))
    db.close()

    def no_upgrade(*args: object, **kwargs: object) -> None:
        raise AssertionError("an up-to-date database must not run alembic")

    monkeypatch.setattr(alembic.command, "upgrade", no_upgrade)
    for _ in range(2):
        again = open_database(db.path)
        assert sqlite_master(again) == before
        with again.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(workspaces)) == 1
        again.close()


def test_opening_an_up_to_date_database_is_fast(db: Database) -> None:
    db.close()
    started = time.perf_counter()
    again = open_database(db.path)
    elapsed = time.perf_counter() - started
    again.close()
    assert elapsed < 0.1, f"opening took {elapsed * 1000:.0f} ms"


def test_migrated_schema_matches_tables_metadata(db: Database) -> None:
    options = {"compare_type": True, "compare_server_default": True,
               "include_name": lambda name, kind, _parent: not (
                   kind == "table" and str(name).startswith(FTS))}
    with db.connect() as conn:
        context = MigrationContext.configure(conn, opts=options)
        assert compare_metadata(context, metadata) == []

        drifted = MetaData()
        for table in metadata.sorted_tables:
            table.to_metadata(drifted)
        drifted.tables["ai_limits"].append_column(Column("extra", Integer))
        drifted.tables["workspaces"].c.name.nullable = True
        kinds = {
            diff[0] if isinstance(diff, tuple) else diff[0][0]
            for diff in compare_metadata(context, drifted)
        }
        assert kinds == {"add_column", "modify_nullable"}  # the comparison does see drift


def test_concurrent_first_opens_migrate_once(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    errors: list[BaseException] = []

    def opener() -> None:
        try:
            open_database(path).close()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with open_database(path) as database:
        assert actual_schema(database) == EXPECTED_SCHEMA


def test_database_from_a_newer_version_is_refused(db: Database) -> None:
    with db.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    db.close()
    with pytest.raises(StorageError, match="newer version of AIDesk"):
        open_database(db.path)


def test_no_column_holds_a_key(db: Database) -> None:
    inspector = inspect(db.engine)
    offenders = {
        (table, col["name"])
        for table in inspector.get_table_names()
        for col in inspector.get_columns(table)
        if "key" in col["name"].lower()
    }
    assert offenders == ALLOWED_KEY_COLUMNS
    in_metadata = {(t.name, c.name) for t in metadata.tables.values() for c in t.c}
    assert {pair for pair in in_metadata if "key" in pair[1].lower()} == ALLOWED_KEY_COLUMNS


# --- connection settings --------------------------------------------------------------------


def test_every_connection_has_wal_foreign_keys_and_busy_timeout(db: Database) -> None:
    with db.connect() as first, db.connect() as second:  # two distinct pooled connections
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_begin_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError), db.begin() as conn:
        conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme"))
        raise RuntimeError("boom")
    with db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(workspaces)) == 0


# --- types ----------------------------------------------------------------------------------


def test_utc_datetime_round_trip(db: Database) -> None:
    plus_two = timezone(timedelta(hours=2))
    created = datetime(2025, 3, 1, 14, 30, 5, 123, tzinfo=plus_two)
    with db.begin() as conn:
        conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme", created_at=created))
        row = conn.execute(select(workspaces)).one()
        stored = conn.exec_driver_sql("SELECT created_at, updated_at FROM workspaces").one()
    assert row.created_at == created
    assert row.created_at.tzinfo is UTC
    assert row.created_at.hour == 12
    assert stored.created_at == "2025-03-01 12:30:05.000123"  # naive UTC, fixed width
    assert row.updated_at.tzinfo is UTC
    assert abs(row.updated_at - utcnow()) < timedelta(minutes=1)


def test_utc_datetime_refuses_naive(db: Database) -> None:
    naive = datetime(2025, 3, 1, 12, 0)
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(naive, db.engine.dialect)
    with pytest.raises(StatementError) as caught, db.begin() as conn:
        conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme", created_at=naive))
    assert isinstance(caught.value.orig, ValueError)


def test_json_text_and_defaults(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(
            insert(ai_configs).values(
                tenant_id="t1", provider="openai", options={"temperature": 0.2, "note": "café"}
            )
        )
        conn.execute(insert(ai_audit_logs).values(tenant_id="t1", request_id="r", success=True))
        conn.exec_driver_sql(  # server defaults, as a raw SQL writer would get them
            "INSERT INTO ai_configs (id, tenant_id, provider, created_at, updated_at) "
            "VALUES ('x', 't1', 'anthropic', '2025-01-01 00:00:00.000000', "
            "'2025-01-01 00:00:00.000000')"
        )
        configs = conn.execute(select(ai_configs).order_by(ai_configs.c.provider)).all()
        raw = conn.exec_driver_sql("SELECT options FROM ai_configs WHERE provider='openai'")
        audit = conn.execute(select(ai_audit_logs)).one()
    assert raw.scalar() == '{"temperature":0.2,"note":"café"}'
    anthropic, openai = configs
    assert openai.options == {"temperature": 0.2, "note": "café"}
    assert (anthropic.options, anthropic.enabled, anthropic.position) == ({}, True, 0)
    assert (openai.enabled, openai.position) == (True, 0)
    assert len(openai.id) == 36 and openai.id != new_id()
    assert audit.hops == []


# --- begin_immediate ------------------------------------------------------------------------


def _reserve_in_turn(db: Database, worker: str, rounds: int) -> list[int]:
    """Read-count, pause, insert: only safe if the transaction holds the write lock from BEGIN."""
    seen = []
    for _ in range(rounds):
        with db.begin_immediate() as conn:
            count = conn.scalar(select(func.count()).select_from(ai_limit_reservations))
            seen.append(int(count or 0))
            time.sleep(0.01)
            conn.execute(
                insert(ai_limit_reservations).values(
                    tenant_id="t1",
                    request_id=f"{worker}:{count}",
                    tokens=1,
                    cost_usd=0.5,
                    expires_at=utcnow() + timedelta(minutes=5),
                )
            )
    return seen


def test_begin_immediate_serialises_threads(db: Database) -> None:
    results: dict[int, list[int]] = {}
    barrier = threading.Barrier(4)

    def worker(n: int) -> None:
        barrier.wait()
        results[n] = _reserve_in_turn(db, f"thread{n}", 5)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = sorted(c for seen in results.values() for c in seen)
    assert counts == list(range(20))  # every transaction saw a different count


def test_begin_immediate_emits_begin_immediate(db: Database) -> None:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    with db.begin_immediate() as conn:
        conn.execute(select(1))
    with db.begin() as conn:
        conn.execute(select(1))
    event.remove(db.engine, "before_cursor_execute", record)
    assert [s for s in statements if s.startswith("BEGIN")] == ["BEGIN IMMEDIATE", "BEGIN DEFERRED"]


def _process_worker(path: str, worker: str, queue: Any) -> None:
    database = open_database(path)
    try:
        queue.put(_reserve_in_turn(database, worker, 4))
    finally:
        database.close()


def test_begin_immediate_serialises_processes(tmp_path: Path) -> None:
    # The processes also race to create and migrate the (not yet existing) file.
    path = tmp_path / "shared.db"
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_process_worker, args=(str(path), f"proc{n}", queue)) for n in range(3)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    counts = sorted(c for seen in results for c in seen)
    assert counts == list(range(12))
    with open_database(path) as database:
        assert actual_schema(database) == EXPECTED_SCHEMA


# --- disk errors ----------------------------------------------------------------------------


def test_read_only_database_maps_to_storage_error(db: Database) -> None:
    # query_only makes SQLite refuse writes with SQLITE_READONLY even for root.
    with db.connect() as conn:
        conn.exec_driver_sql("PRAGMA query_only=ON")
        try:
            with pytest.raises(StorageError) as caught, storage_errors(db.path):
                conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme"))
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA query_only=OFF")
    message = caught.value.user_message
    assert "read-only" in message and "permissions" in message and str(db.path) in message
    assert isinstance(caught.value.__cause__, OperationalError)


def test_read_only_file_via_uri_maps_to_storage_error(db: Database) -> None:
    raw = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    try:
        with pytest.raises(StorageError, match="read-only"), storage_errors(db.path):
            raw.execute("INSERT INTO app_state (key, value) VALUES ('a', 'b')")
    finally:
        raw.close()


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores file permissions"
)
def test_read_only_permissions_map_to_storage_error(db: Database) -> None:
    db.close()
    folder = db.path.parent
    for file in folder.iterdir():
        file.chmod(0o444)
    folder.chmod(0o555)
    try:
        with pytest.raises(StorageError, match=r"read-only|cannot open"):
            reopened = open_database(db.path)
            try:
                with reopened.begin() as conn:
                    conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme"))
            finally:
                reopened.close()
    finally:
        folder.chmod(0o755)
        for file in folder.iterdir():
            file.chmod(0o644)


def test_full_disk_maps_to_storage_error(db: Database) -> None:
    with db.connect() as conn:
        conn.exec_driver_sql("PRAGMA max_page_count=1")  # this connection can't grow the file
        with pytest.raises(StorageError, match="Free some disk space"), storage_errors(db.path):
            for n in range(200):
                conn.execute(
                    insert(ai_audit_logs).values(
                        tenant_id="t1", request_id=str(n), prompt="x" * 2000, success=True
                    )
                )
        conn.rollback()
    db.dispose()  # drop the capped connection


def test_locked_database_maps_to_storage_error(db: Database) -> None:
    impatient = Database(db.path)
    event.listen(impatient.engine, "connect",
                 lambda dbapi, _: dbapi.execute("PRAGMA busy_timeout=50"))
    try:
        locked = pytest.raises(StorageError, match="Close other AIDesk windows")
        with db.begin_immediate(), locked, impatient.begin_immediate() as conn:
            conn.execute(select(1))
    finally:
        impatient.close()


def test_unopenable_path_maps_to_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open its database file"):
        open_database(tmp_path)  # a directory, not a file
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StorageError, match="cannot create the folder"):
        open_database(blocker / "sub" / "aidesk.db")


def test_other_errors_propagate_as_bugs(db: Database) -> None:
    with pytest.raises(IntegrityError), db.begin() as conn:
        conn.execute(insert(workspaces).values(tenant_id="t1", name="Acme"))
        conn.execute(insert(workspaces).values(tenant_id="t1", name="Other"))
    missing = pytest.raises(OperationalError, match="no such table")
    with missing, storage_errors(db.path), db.connect() as conn:
        conn.execute(text("SELECT * FROM nowhere"))
