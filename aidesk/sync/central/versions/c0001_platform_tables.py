"""The platform's AI tables, as its plan names them, plus what idempotent sync needs.

Revision ID: c0001
Revises: (none)
Create Date: 2026-11-26

Tables keep the platform's names and columns (`ai_configs`, `ai_usage_logs`,
`ai_audit_logs`: tenant_id, provider, model, prompt_tokens, completion_tokens, total_tokens,
cost_usd, response_time_ms, module, created_at …) so its own queries read them unchanged.
Each gains `client_uuid` (the desktop row's id, unique: a repeated push is an upsert that
changes nothing), `source_device` and `synced_at`. `created_at` is UTC, TIMESTAMP as the
platform's.

Row-level security: a desktop logs in with a role that is a member of `aidesk_desktop` and
mapped to one tenant in `ai_tenant_roles`; every policy compares `tenant_id` with
`(SELECT aidesk_tenant())` (a sub-select: evaluated once per statement, not per row), so
PostgreSQL itself refuses another tenant's rows. The owner (the platform's servers, the
admin who migrates) is not subject to it. The desktop role may not
read `ai_configs.api_key` (keys are never pulled back) and may only read team policies.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SYNCED = """
    client_uuid UUID UNIQUE,
    source_device VARCHAR(64),
    synced_at TIMESTAMPTZ"""

_TABLES = f"""
CREATE TABLE ai_tenant_roles (
    role_name NAME PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL
);
CREATE TABLE ai_configs (
    id SERIAL PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL,
    provider VARCHAR(50) NOT NULL,
    api_key TEXT,
    model VARCHAR(255),
    base_url TEXT,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    position INT NOT NULL DEFAULT 0,
    options JSONB NOT NULL DEFAULT '{{}}',
    key_fingerprint VARCHAR(64),
    key_rolled_out_at TIMESTAMPTZ,
    key_rolled_out_by VARCHAR(255),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,{_SYNCED},
    UNIQUE (tenant_id, provider)
);
CREATE TABLE ai_usage_logs (
    id SERIAL PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL,
    provider VARCHAR(50) NOT NULL,
    model VARCHAR(255) NOT NULL,
    prompt_tokens INT,
    completion_tokens INT,
    total_tokens INT,
    cost_usd DECIMAL(10, 6),
    response_time_ms INT,
    module VARCHAR(100),
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    request_id VARCHAR(64),
    user_name VARCHAR(255),
    cached BOOLEAN NOT NULL DEFAULT FALSE,
    outcome VARCHAR(20),
    cache_read_tokens INT,
    cache_write_tokens INT,
    reasoning_tokens INT,
    finish_reason VARCHAR(50),{_SYNCED}
);
CREATE INDEX ix_ai_usage_logs_tenant_id_created_at ON ai_usage_logs (tenant_id, created_at);
CREATE TABLE ai_audit_logs (
    id SERIAL PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL,
    user_id INT,
    provider VARCHAR(50),
    prompt TEXT,
    response TEXT,
    tokens_used INT,
    success BOOLEAN,
    error_message TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    request_id VARCHAR(64),
    user_name VARCHAR(255),
    model VARCHAR(255),
    module VARCHAR(100),
    hops JSONB NOT NULL DEFAULT '[]',
    finish_reason VARCHAR(50),
    truncated BOOLEAN NOT NULL DEFAULT FALSE,{_SYNCED}
);
CREATE INDEX ix_ai_audit_logs_tenant_id_created_at ON ai_audit_logs (tenant_id, created_at);
CREATE TABLE ai_images (
    id SERIAL PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL,
    request_id VARCHAR(64),
    file_name TEXT NOT NULL,
    prompt TEXT NOT NULL,
    preset VARCHAR(20),
    size VARCHAR(20) NOT NULL,
    provider VARCHAR(50) NOT NULL,
    model VARCHAR(255) NOT NULL,
    mime VARCHAR(50) NOT NULL,
    bytes INT NOT NULL,
    width INT,
    height INT,
    cost_usd DECIMAL(10, 6),
    revised_prompt TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,{_SYNCED}
);
CREATE TABLE ai_bulk_messages (
    id SERIAL PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL,
    job_uuid UUID NOT NULL,
    brief TEXT,
    seq INT NOT NULL,
    lead TEXT NOT NULL,
    language VARCHAR(8) NOT NULL,
    state VARCHAR(20) NOT NULL,
    message TEXT,
    error TEXT,
    provider VARCHAR(50),
    model VARCHAR(255),
    cost_usd DECIMAL(10, 6),
    tokens INT,
    request_id VARCHAR(64),
    finished_at TIMESTAMP,
    updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,{_SYNCED}
);
CREATE TABLE ai_team_policies (
    id SERIAL PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL,
    setting VARCHAR(100) NOT NULL,
    value TEXT NOT NULL,
    mandatory BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_by VARCHAR(255),
    UNIQUE (tenant_id, setting)
);
"""

_TENANT_FUNCTION = """
CREATE FUNCTION aidesk_tenant() RETURNS VARCHAR LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, public AS
$$ SELECT tenant_id FROM public.ai_tenant_roles WHERE role_name = session_user $$;
"""

_DESKTOP_ROLE = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aidesk_desktop') THEN
        CREATE ROLE aidesk_desktop NOLOGIN;
    END IF;
END $$;
"""

_WRITTEN = ("ai_usage_logs", "ai_audit_logs", "ai_images", "ai_bulk_messages")
_ISOLATED = (*_WRITTEN, "ai_configs", "ai_team_policies")
_CONFIG_READABLE = ("id, tenant_id, provider, model, base_url, enabled, position, options, "
                    "key_fingerprint, key_rolled_out_at, key_rolled_out_by, created_at, "
                    "updated_at, client_uuid, source_device, synced_at")


def upgrade() -> None:
    op.execute(_TABLES)
    op.execute(_TENANT_FUNCTION)
    op.execute(_DESKTOP_ROLE)
    for table in _ISOLATED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_tenant ON {table} "
                   "USING (tenant_id = (SELECT aidesk_tenant())) "
                   "WITH CHECK (tenant_id = (SELECT aidesk_tenant()))")
    for table in _WRITTEN:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO aidesk_desktop")
        op.execute(f"GRANT USAGE ON SEQUENCE {table}_id_seq TO aidesk_desktop")
    op.execute(f"GRANT SELECT ({_CONFIG_READABLE}) ON ai_configs TO aidesk_desktop")
    op.execute("GRANT INSERT, UPDATE ON ai_configs TO aidesk_desktop")
    op.execute("GRANT USAGE ON SEQUENCE ai_configs_id_seq TO aidesk_desktop")
    op.execute("GRANT SELECT ON ai_team_policies TO aidesk_desktop")
    op.execute("REVOKE ALL ON FUNCTION aidesk_tenant() FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION aidesk_tenant() TO aidesk_desktop")
    # Alembic made its version table before this ran: a desktop reads the revision it meets
    op.execute("GRANT SELECT ON aidesk_central_version TO aidesk_desktop")
