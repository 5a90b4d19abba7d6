"""The centre's migrations: the platform's tables and columns, and PostgreSQL's own RLS."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest

from aidesk.sync.central import HEAD, current, migrate
from tests.sync.conftest import Central

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
