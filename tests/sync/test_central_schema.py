"""The centre's migrations: the platform's tables and columns, and PostgreSQL's own RLS."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable

import psycopg
import pytest
from psycopg import sql

from aidesk.core import Core
from aidesk.errors import NoProviderAvailable
from aidesk.sync import passes, target
from aidesk.sync.central import HEAD, current, migrate
from aidesk.workspaces import Workspace
from tests.sync.conftest import ADMIN, Central

PLATFORM_COLUMNS = {  # as the platform's plan creates them (../shared/seed)
    "ai_usage_logs": {"id", "tenant_id", "provider", "model", "prompt_tokens",
                      "completion_tokens", "total_tokens", "cost_usd", "response_time_ms",
                      "module", "created_at"},
    "ai_audit_logs": {"id", "tenant_id", "user_id", "provider", "prompt", "response",
                      "tokens_used", "success", "error_message", "created_at"},
    "ai_configs": {"id", "tenant_id", "provider", "api_key", "model", "created_at"},
}


def test_migrate_creates_the_platform_tables_once(central_db: Central) -> None:
    assert migrate(central_db.conninfo) is None
    assert migrate(central_db.conninfo) == HEAD  # a second run changes nothing
    with central_db.connect() as conn:
        assert current(conn) == HEAD
        for table, columns in PLATFORM_COLUMNS.items():
            rows = conn.execute("SELECT column_name FROM information_schema.columns "
                                "WHERE table_name = %s", (table,)).fetchall()
            have = {str(r[0]) for r in rows}
            assert columns <= have, table
            assert {"client_uuid", "source_device", "synced_at"} <= have


def test_rls_keeps_each_tenant_to_its_rows(
        central: Central, tenant_role: Callable[[str], str]) -> None:
    role_a, role_b = tenant_role("tenant-a"), tenant_role("tenant-b")
    row = ("INSERT INTO ai_usage_logs (tenant_id, provider, model, client_uuid) "
           "VALUES (%s, 'openai', 'gpt', gen_random_uuid())")
    with psycopg.connect(central.as_role(role_b),
                         autocommit=True) as b:
        b.execute(row, ("tenant-b",))
    with psycopg.connect(central.as_role(role_a),
                         autocommit=True) as a:
        a.execute(row, ("tenant-a",))
        assert a.execute("SELECT tenant_id FROM ai_usage_logs").fetchall() == [("tenant-a",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            a.execute(row, ("tenant-b",))
        assert a.execute("UPDATE ai_usage_logs SET model = 'x' WHERE tenant_id = 'tenant-b'"
                         ).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            a.execute("SELECT api_key FROM ai_configs")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            a.execute("INSERT INTO ai_team_policies (tenant_id, setting, value) "
                      "VALUES ('tenant-a', 'fallback', 'openai')")
    with central.connect() as owner:
        assert owner.execute("SELECT count(*) FROM ai_usage_logs").fetchone() == (2,)


SEED_TABLES = """
CREATE TABLE ai_configs (id SERIAL PRIMARY KEY, tenant_id VARCHAR(255) NOT NULL,
  provider VARCHAR(50) NOT NULL, api_key TEXT, model VARCHAR(100),
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  UNIQUE (tenant_id, provider));
CREATE TABLE ai_usage_logs (id SERIAL PRIMARY KEY, tenant_id VARCHAR(255) NOT NULL,
  provider VARCHAR(50) NOT NULL, model VARCHAR(100) NOT NULL, prompt_tokens INT,
  completion_tokens INT, total_tokens INT, cost_usd DECIMAL(10, 6), response_time_ms INT,
  module VARCHAR(100), created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE ai_audit_logs (id SERIAL PRIMARY KEY, tenant_id VARCHAR(255) NOT NULL,
  user_id INT, provider VARCHAR(50) NOT NULL, prompt TEXT, response TEXT, tokens_used INT,
  success BOOLEAN, error_message TEXT, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);
INSERT INTO ai_configs (tenant_id, provider, api_key, model)
  VALUES ('default', 'openai', 'sk-server-side-key', 'gpt-4o-mini');
INSERT INTO ai_usage_logs (tenant_id, provider, model, total_tokens, cost_usd, module)
  VALUES ('default', 'openai', 'gpt-4o-mini', 300, 0.0012, 'marketing');
"""


def test_the_platforms_own_tables_are_adopted(central_db: Central, core: Core,
                                              ws: Workspace) -> None:
    """The plan says the platform already made ai_configs (and its logs tables): migrating
    keeps their rows, adds what sync needs, and a desktop pushes into them."""
    with central_db.connect() as conn:
        conn.execute(SEED_TABLES)
    migrate(central_db.conninfo)
    role = f"aidesk_t_{secrets.token_hex(4)}"
    with central_db.connect() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE aidesk_desktop").format(
            sql.Identifier(role)))
        conn.execute("INSERT INTO ai_tenant_roles VALUES (%s, %s)", (role, ws.tenant_id))
    try:
        target.configure(core.db, ws.tenant_id, central_db.dsn(role))
        with pytest.raises(NoProviderAvailable):  # refused before any provider: no provider
            asyncio.run(core.router.ask(ws, "Olá"))
        assert passes.run_pass(core, ws).pending == 0
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    with central_db.connect() as conn:
        assert conn.execute("SELECT api_key, model FROM ai_configs WHERE provider = 'openai'"
                            ).fetchall() == [("sk-server-side-key", "gpt-4o-mini")]
        assert conn.execute("SELECT count(*), count(client_uuid) FROM ai_usage_logs"
                            ).fetchone() == (2, 1)
        assert conn.execute("SELECT provider, success, client_uuid IS NOT NULL "
                            "FROM ai_audit_logs").fetchall() == [(None, False, True)]
