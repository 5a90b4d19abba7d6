"""The platform's AI tables, as its plan names them, plus what idempotent sync needs.

Revision ID: c0001
Revises: (none)
Create Date: 2026-11-26

Tables keep the platform's names and columns (`ai_configs`, `ai_usage_logs`,
`ai_audit_logs`: tenant_id, provider, model, prompt_tokens, completion_tokens, total_tokens,
cost_usd, response_time_ms, module, created_at …) so its own queries read them unchanged.
Each gains `client_uuid` (the desktop row's id, unique: a repeated push is an upsert that
changes nothing), `source_device` and `synced_at`. `created_at` is UTC, TIMESTAMP as the
platform's. A table the platform already made is adopted: its rows stay, the missing
columns and unique indexes are added, `model` is widened to 255 characters and the audit
log's `provider` may be NULL (a call refused before any provider).

Row-level security: a desktop logs in with a role that is a member of `aidesk_desktop` and
mapped to one tenant in `ai_tenant_roles`; every policy compares `tenant_id` with
`(SELECT aidesk_tenant())` (a sub-select: evaluated once per statement, not per row), so
PostgreSQL itself refuses another tenant's rows. The owner (the platform's servers, the
admin who migrates) is not subject to it: a platform server reading these tables must log
in as their owner or a BYPASSRLS role. The desktop role may not read `ai_configs.api_key`
(keys are never pulled back) and may only read team policies.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "c0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SYNCED = (("client_uuid", "UUID"), ("source_device", "VARCHAR(64)"),
           ("synced_at", "TIMESTAMPTZ"))
_CREATED = ("created_at", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP")

# Columns after `id SERIAL PRIMARY KEY`, in the platform's order first. Each table is created
# when missing and each column added when missing, so a centre where the platform already
# made `ai_configs` (its plan says it did) or the log tables is adopted, its rows kept.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "ai_configs": (
        ("tenant_id", "VARCHAR(255) NOT NULL"), ("provider", "VARCHAR(50) NOT NULL"),
        ("api_key", "TEXT"), ("model", "VARCHAR(255)"), _CREATED,
        ("updated_at", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP"), ("base_url", "TEXT"),
        ("enabled", "BOOLEAN NOT NULL DEFAULT TRUE"), ("position", "INT NOT NULL DEFAULT 0"),
        ("options", "JSONB NOT NULL DEFAULT '{}'"), ("key_fingerprint", "VARCHAR(64)"),
        ("key_rolled_out_at", "TIMESTAMPTZ"), ("key_rolled_out_by", "VARCHAR(255)"),
        *_SYNCED),
    "ai_usage_logs": (
        ("tenant_id", "VARCHAR(255) NOT NULL"), ("provider", "VARCHAR(50) NOT NULL"),
        ("model", "VARCHAR(255) NOT NULL"), ("prompt_tokens", "INT"),
        ("completion_tokens", "INT"), ("total_tokens", "INT"),
        ("cost_usd", "DECIMAL(10, 6)"), ("response_time_ms", "INT"),
        ("module", "VARCHAR(100)"), _CREATED, ("request_id", "VARCHAR(64)"),
        ("user_name", "VARCHAR(255)"), ("cached", "BOOLEAN NOT NULL DEFAULT FALSE"),
        ("outcome", "VARCHAR(20)"), ("cache_read_tokens", "INT"),
        ("cache_write_tokens", "INT"), ("reasoning_tokens", "INT"),
        ("finish_reason", "VARCHAR(50)"), *_SYNCED),
    "ai_audit_logs": (
        ("tenant_id", "VARCHAR(255) NOT NULL"), ("user_id", "INT"),
        ("provider", "VARCHAR(50)"), ("prompt", "TEXT"), ("response", "TEXT"),
        ("tokens_used", "INT"), ("success", "BOOLEAN"), ("error_message", "TEXT"), _CREATED,
        ("request_id", "VARCHAR(64)"), ("user_name", "VARCHAR(255)"),
        ("model", "VARCHAR(255)"), ("module", "VARCHAR(100)"),
        ("hops", "JSONB NOT NULL DEFAULT '[]'"), ("finish_reason", "VARCHAR(50)"),
        ("truncated", "BOOLEAN NOT NULL DEFAULT FALSE"), *_SYNCED),
    "ai_images": (
        ("tenant_id", "VARCHAR(255) NOT NULL"), ("request_id", "VARCHAR(64)"),
        ("file_name", "TEXT NOT NULL"), ("prompt", "TEXT NOT NULL"), ("preset", "VARCHAR(20)"),
        ("size", "VARCHAR(20) NOT NULL"), ("provider", "VARCHAR(50) NOT NULL"),
        ("model", "VARCHAR(255) NOT NULL"), ("mime", "VARCHAR(50) NOT NULL"),
        ("bytes", "INT NOT NULL"), ("width", "INT"), ("height", "INT"),
        ("cost_usd", "DECIMAL(10, 6)"), ("revised_prompt", "TEXT"), _CREATED, *_SYNCED),
    "ai_bulk_messages": (
        ("tenant_id", "VARCHAR(255) NOT NULL"), ("job_uuid", "UUID NOT NULL"),
        ("brief", "TEXT"), ("seq", "INT NOT NULL"), ("lead", "TEXT NOT NULL"),
        ("language", "VARCHAR(8) NOT NULL"), ("state", "VARCHAR(20) NOT NULL"),
        ("message", "TEXT"), ("error", "TEXT"), ("provider", "VARCHAR(50)"),
        ("model", "VARCHAR(255)"), ("cost_usd", "DECIMAL(10, 6)"), ("tokens", "INT"),
        ("request_id", "VARCHAR(64)"), ("finished_at", "TIMESTAMP"),
        ("updated_at", "TIMESTAMP DEFAULT CURRENT_TIMESTAMP"), *_SYNCED),
    "ai_team_policies": (
        ("tenant_id", "VARCHAR(255) NOT NULL"), ("setting", "VARCHAR(100) NOT NULL"),
        ("value", "TEXT NOT NULL"), ("mandatory", "BOOLEAN NOT NULL DEFAULT FALSE"),
        ("updated_at", "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP"),
        ("updated_by", "VARCHAR(255)")),
}
UNIQUE = {  # (name, columns): what the push's ON CONFLICT targets
    **{t: (("client_uuid",),) for t in COLUMNS if t != "ai_team_policies"},
    "ai_configs": (("client_uuid",), ("tenant_id", "provider")),
    "ai_team_policies": (("tenant_id", "setting"),),
}
_INDEXED = ("ai_usage_logs", "ai_audit_logs", "ai_images")  # (tenant_id, created_at)
# An adopted platform table may hold these narrower or NOT NULL (a refused call reached no
# provider, so its audit row has none): widened, never narrowed.
_WIDEN = {"ai_usage_logs": "model", "ai_audit_logs": "model", "ai_configs": "model"}
_NULLABLE = {"ai_audit_logs": "provider"}

_ROLES_TABLE = """CREATE TABLE IF NOT EXISTS ai_tenant_roles (
    role_name NAME PRIMARY KEY,
    tenant_id VARCHAR(255) NOT NULL
)"""

_WIDEN_SQL = """DO $$ BEGIN
    IF (SELECT character_maximum_length FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = '{table}'
        AND column_name = '{column}') < 255 THEN
        ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(255);
    END IF;
END $$"""

_SEQUENCE_GRANT = """DO $$ DECLARE s TEXT := pg_get_serial_sequence('{table}', 'id');
BEGIN
    IF s IS NOT NULL THEN EXECUTE format('GRANT USAGE ON SEQUENCE %s TO aidesk_desktop', s);
    END IF;
END $$"""


def _tables() -> None:
    op.execute(_ROLES_TABLE)
    for table, columns in COLUMNS.items():
        op.execute(f"CREATE TABLE IF NOT EXISTS {table} (id SERIAL PRIMARY KEY)")
        for name, kind in columns:
            op.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {kind}")
        for unique in UNIQUE[table]:
            op.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS uq_{table}_{'_'.join(unique)} "
                       f"ON {table} ({', '.join(unique)})")
    for table in _INDEXED:
        op.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_tenant_id_created_at "
                   f"ON {table} (tenant_id, created_at)")
    for table, column in _WIDEN.items():
        op.execute(_WIDEN_SQL.format(table=table, column=column))
    for table, column in _NULLABLE.items():
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} DROP NOT NULL")


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
    _tables()
    op.execute(_TENANT_FUNCTION)
    op.execute(_DESKTOP_ROLE)
    for table in _ISOLATED:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_tenant ON {table} "
                   "USING (tenant_id = (SELECT aidesk_tenant())) "
                   "WITH CHECK (tenant_id = (SELECT aidesk_tenant()))")
    for table in _WRITTEN:
        op.execute(f"GRANT SELECT, INSERT, UPDATE ON {table} TO aidesk_desktop")
        op.execute(_SEQUENCE_GRANT.format(table=table))
    op.execute(f"GRANT SELECT ({_CONFIG_READABLE}) ON ai_configs TO aidesk_desktop")
    op.execute("GRANT INSERT, UPDATE ON ai_configs TO aidesk_desktop")
    op.execute(_SEQUENCE_GRANT.format(table="ai_configs"))
    op.execute("GRANT SELECT ON ai_team_policies TO aidesk_desktop")
    op.execute("REVOKE ALL ON FUNCTION aidesk_tenant() FROM PUBLIC")
    op.execute("GRANT EXECUTE ON FUNCTION aidesk_tenant() TO aidesk_desktop")
    # Alembic made its version table before this ran: a desktop reads the revision it meets
    op.execute("GRANT SELECT ON aidesk_central_version TO aidesk_desktop")
