"""Usage counters per tenant and fixed UTC period (hour, day, month), for fast limit checks.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

Local only (not synced): a running total beside the append-only usage log, so that
checking a limit reads three rows instead of summing a month of usage.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_usage_counters",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("period_start", sa.Text(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("tokens", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "period", "period_start",
                            name="uq_ai_usage_counters_tenant_id_period_period_start"),
    )
    # Fill the counters from the usage already logged, so limits set later see it.
    for period, fmt in (("hour", "%Y-%m-%d %H:00:00.000000"), ("day", "%Y-%m-%d 00:00:00.000000"),
                        ("month", "%Y-%m-01 00:00:00.000000")):
        op.execute(sa.text(
            "INSERT INTO ai_usage_counters (id, tenant_id, period, period_start, requests, "
            "tokens, cost_usd, created_at, updated_at) "
            "SELECT lower(hex(randomblob(16))), tenant_id, :period, strftime(:fmt, created_at), "
            "count(*), coalesce(sum(total_tokens), 0), coalesce(sum(cost_usd), 0), "
            "max(created_at), max(created_at) FROM ai_usage_logs "
            "WHERE cached = 0 AND outcome != 'refused' "
            "GROUP BY tenant_id, strftime(:fmt, created_at)"
        ).bindparams(period=period, fmt=fmt))


def downgrade() -> None:
    op.drop_table("ai_usage_counters")
