"""Initial schema: workspaces, provider configs, usage, cache, audit, limits, preferences.

Revision ID: 0001
Revises:
Create Date: 2025-11-24

Written by hand and append-only: never edit it once released; add a new migration.
Timestamps are TEXT (UTC, `YYYY-MM-DD HH:MM:SS.ffffff`, see aidesk.storage.types.UTCDateTime);
JSON columns are TEXT. This file deliberately imports nothing from aidesk so that later
code changes can't alter history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.Text(), primary_key=True)


def _stamp(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.Text(), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "workspaces",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("cache_ttl_days", sa.Integer(), nullable=False, server_default=sa.text("7")),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint("tenant_id", name="uq_workspaces_tenant_id"),
        sa.UniqueConstraint("name", name="uq_workspaces_name"),
    )
    op.create_table(
        "ai_configs",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.text("1")),
        sa.Column("position", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("options", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("key_fingerprint", sa.Text(), nullable=True),
        sa.Column("key_mask", sa.Text(), nullable=True),
        sa.Column("last_test_status", sa.Text(), nullable=True),
        sa.Column("last_test_message", sa.Text(), nullable=True),
        _stamp("last_test_at", nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint("tenant_id", "provider", name="uq_ai_configs_tenant_id_provider"),
    )
    op.create_table(
        "ai_usage_logs",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("total_tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=True),
        sa.Column("response_time_ms", sa.Integer(), nullable=True),
        sa.Column("module", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("cached", sa.Boolean(), nullable=False, server_default=sa.text("0")),
        sa.Column("outcome", sa.Text(), nullable=False),
        _stamp("created_at"),
    )
    op.create_index(
        "ix_ai_usage_logs_tenant_id_created_at", "ai_usage_logs", ["tenant_id", "created_at"]
    )
    op.create_table(
        "ai_cache",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("prompt_hash", sa.String(64), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        _stamp("created_at"),
        _stamp("expires_at"),
        sa.UniqueConstraint(
            "tenant_id",
            "provider",
            "prompt_hash",
            name="uq_ai_cache_tenant_id_provider_prompt_hash",
        ),
    )
    op.create_table(
        "ai_audit_logs",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("module", sa.Text(), nullable=True),
        sa.Column("prompt", sa.Text(), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("tokens_used", sa.Integer(), nullable=True),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("hops", sa.Text(), nullable=False, server_default="[]"),
        _stamp("created_at"),
    )
    op.create_index(
        "ix_ai_audit_logs_tenant_id_created_at", "ai_audit_logs", ["tenant_id", "created_at"]
    )
    op.create_index("ix_ai_audit_logs_tenant_id_success", "ai_audit_logs", ["tenant_id", "success"])
    op.create_table(
        "ai_limits",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("requests_per_hour", sa.Integer(), nullable=True),
        sa.Column("tokens_per_day", sa.Integer(), nullable=True),
        sa.Column("cost_per_month", sa.Numeric(12, 6), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint("tenant_id", name="uq_ai_limits_tenant_id"),
    )
    op.create_table(
        "ai_limit_reservations",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=False),
        _stamp("created_at"),
        _stamp("expires_at"),
    )
    op.create_index("ix_ai_limit_reservations_tenant_id", "ai_limit_reservations", ["tenant_id"])
    op.create_table(
        "ai_preferences",
        _id(),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=False),
        sa.Column("module", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        _stamp("created_at"),
        _stamp("updated_at"),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "module", name="uq_ai_preferences_tenant_id_user_id_module"
        ),
    )
    op.create_table(
        "app_state",
        sa.Column("key", sa.Text(), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "app_state",
        "ai_preferences",
        "ai_limit_reservations",
        "ai_limits",
        "ai_audit_logs",
        "ai_cache",
        "ai_usage_logs",
        "ai_configs",
        "workspaces",
    ):
        op.drop_table(table)
