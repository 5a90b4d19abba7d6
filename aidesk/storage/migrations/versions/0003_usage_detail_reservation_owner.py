"""Usage detail (cache reads/writes, reasoning, finish), truncated answers, reservation owners.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

- ai_usage_logs: cache_read_tokens, cache_write_tokens, reasoning_tokens (part of the
  prompt / completion counts) and finish_reason. prompt/completion/total_tokens were
  already NULLable since 0001: NULL now means "the provider reported no usage".
- ai_audit_logs: finish_reason and truncated (the output limit cut the answer).
- ai_limit_reservations: pid and proc_start (the reserving process and its start time),
  so a reservation left by a killed process is reclaimed at once.

Only columns are added (SQLite's ALTER TABLE ADD COLUMN: no table copy, existing rows kept).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ai_usage_logs") as batch:
        batch.add_column(sa.Column("cache_read_tokens", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cache_write_tokens", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reasoning_tokens", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("finish_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("ai_audit_logs") as batch:
        batch.add_column(sa.Column("finish_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("truncated", sa.Boolean(), nullable=False,
                                   server_default=sa.text("0")))
    with op.batch_alter_table("ai_limit_reservations") as batch:
        batch.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("proc_start", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ai_limit_reservations") as batch:
        batch.drop_column("proc_start")
        batch.drop_column("pid")
    with op.batch_alter_table("ai_audit_logs") as batch:
        batch.drop_column("truncated")
        batch.drop_column("finish_reason")
    with op.batch_alter_table("ai_usage_logs") as batch:
        batch.drop_column("finish_reason")
        batch.drop_column("reasoning_tokens")
        batch.drop_column("cache_write_tokens")
        batch.drop_column("cache_read_tokens")
