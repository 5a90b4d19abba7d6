"""Usage summary: hourly totals kept by triggers, so the Usage tab never scans the logs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26

- ai_usage_hourly: per tenant, UTC hour (`YYYY-MM-DD HH`), provider, model and module
  ('' when none) the calls (refused and not-configured rows are no calls), errors, cache
  hits, spent tokens (cache hits excluded), the tokens cache hits gave back, the cost, and
  the latency sum and count of answered, uncached calls.
- ai_fallback_hourly: per tenant, UTC hour, provider passed over and reason (the hop's
  error code), how many times the router fell back from it (skipped providers excluded).
- An AFTER INSERT trigger on each log table keeps them in the same transaction as the row
  (router writes, spool replay and seeding alike). Existing rows are summed in once here.
  Both tables are WITHOUT ROWID: a range read walks the primary key alone.
- ix_ai_usage_logs_tenant_id_provider_created_at: the bounded p95 latency query.

Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_USAGE_VALUES = """
    {src}.tenant_id, substr({src}.created_at, 1, 13), {src}.provider, {src}.model,
    coalesce({src}.module, ''), 1, {src}.outcome = 'error', {src}.cached,
    CASE WHEN {src}.cached THEN 0 ELSE coalesce({src}.total_tokens, 0) END,
    CASE WHEN {src}.cached THEN coalesce({src}.total_tokens, 0) ELSE 0 END,
    coalesce({src}.cost_usd, 0),
    CASE WHEN {src}.outcome = 'ok' AND NOT {src}.cached
         THEN coalesce({src}.response_time_ms, 0) ELSE 0 END,
    {src}.outcome = 'ok' AND NOT {src}.cached AND {src}.response_time_ms IS NOT NULL"""
_USAGE_COLUMNS = ("tenant_id, hour, provider, model, module, calls, errors, cache_hits, "
                  "tokens, cached_tokens, cost_usd, latency_ms, latency_n")
_USAGE_UPSERT = """ON CONFLICT (tenant_id, hour, provider, model, module) DO UPDATE SET
    calls = calls + excluded.calls, errors = errors + excluded.errors,
    cache_hits = cache_hits + excluded.cache_hits, tokens = tokens + excluded.tokens,
    cached_tokens = cached_tokens + excluded.cached_tokens,
    cost_usd = cost_usd + excluded.cost_usd, latency_ms = latency_ms + excluded.latency_ms,
    latency_n = latency_n + excluded.latency_n"""
_COUNTED = "outcome NOT IN ('refused', 'not_configured')"
_HOPS = ("SELECT {src}.tenant_id, substr({src}.created_at, 1, 13), "
         "json_extract(h.value, '$.provider'), coalesce(json_extract(h.value, '$.error'), ''), 1 "
         "FROM {tables} "
         "WHERE json_extract(h.value, '$.skipped') IS NULL "
         "AND json_extract(h.value, '$.provider') IS NOT NULL")
_FALLBACK_UPSERT = ("ON CONFLICT (tenant_id, hour, provider, reason) DO UPDATE SET "
                    "fallbacks = fallbacks + excluded.fallbacks")


def upgrade() -> None:
    op.create_table(
        "ai_usage_hourly",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("hour", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("module", sa.Text(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
          for name in ("calls", "errors", "cache_hits", "tokens", "cached_tokens")),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=False, server_default=sa.text("0")),
        *(sa.Column(name, sa.Integer(), nullable=False, server_default=sa.text("0"))
          for name in ("latency_ms", "latency_n")),
        sa.PrimaryKeyConstraint("tenant_id", "hour", "provider", "model", "module"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ai_fallback_hourly",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("hour", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("fallbacks", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("tenant_id", "hour", "provider", "reason"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_ai_usage_logs_tenant_id_provider_created_at", "ai_usage_logs",
                    ["tenant_id", "provider", "created_at"])
    op.execute(
        f"INSERT INTO ai_usage_hourly ({_USAGE_COLUMNS}) "
        f"SELECT {_USAGE_VALUES.format(src='u')} FROM ai_usage_logs AS u "
        f"WHERE u.{_COUNTED} AND true {_USAGE_UPSERT}")
    op.execute(
        "INSERT INTO ai_fallback_hourly (tenant_id, hour, provider, reason, fallbacks) "
        + _HOPS.format(src="a", tables="ai_audit_logs AS a, json_each(a.hops) AS h")
        + f" AND a.hops != '[]' {_FALLBACK_UPSERT}")
    op.execute(
        f"CREATE TRIGGER tr_ai_usage_logs_hourly AFTER INSERT ON ai_usage_logs "
        f"WHEN NEW.{_COUNTED} BEGIN "
        f"INSERT INTO ai_usage_hourly ({_USAGE_COLUMNS}) "
        f"VALUES ({_USAGE_VALUES.format(src='NEW')}) "
        f"{_USAGE_UPSERT}; END")
    op.execute(
        f"CREATE TRIGGER tr_ai_audit_logs_fallbacks AFTER INSERT ON ai_audit_logs "
        f"WHEN NEW.hops != '[]' BEGIN "
        f"INSERT INTO ai_fallback_hourly (tenant_id, hour, provider, reason, fallbacks) "
        f"{_HOPS.format(src='NEW', tables='json_each(NEW.hops) AS h')} {_FALLBACK_UPSERT}; END")


def downgrade() -> None:
    op.execute("DROP TRIGGER tr_ai_audit_logs_fallbacks")
    op.execute("DROP TRIGGER tr_ai_usage_logs_hourly")
    op.drop_index("ix_ai_usage_logs_tenant_id_provider_created_at", table_name="ai_usage_logs")
    op.drop_table("ai_fallback_hourly")
    op.drop_table("ai_usage_hourly")
