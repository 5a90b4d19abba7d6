"""Bulk-message jobs and their items (Marketing → Bulk messages).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

- bulk_jobs: one batch (a leads file and a brief) per row: the file's header and column
  mapping (JSON), the brief, its status (ready, running, paused, stopped, cancelled, done)
  and why it stopped, where its CSV goes, and the run holding it (`runner`: the run's
  token; `runner_pid`, `runner_start`: its process, as limit reservations record theirs).
- bulk_items: one lead per row (`seq` from 0, in file order) with its cells (JSON), its
  language and its state (pending, running, done, failed); a running item records its
  claim (the run's token and process) so an item left by a killed process is found; the
  message, or the reason it failed, with the provider, model, cost, tokens and the
  router's request id. Deleted with their job.

Only tables are added: existing rows are untouched. Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bulk_jobs",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("brief", sa.Text(), nullable=False),
        sa.Column("header", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("mapping", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("out_path", sa.Text(), nullable=True),
        sa.Column("runner", sa.Text(), nullable=True),
        sa.Column("runner_pid", sa.Integer(), nullable=True),
        sa.Column("runner_start", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.Column("finished_at", sa.Text(), nullable=True),
    )
    op.create_index("ix_bulk_jobs_tenant_id_created_at", "bulk_jobs",
                    ["tenant_id", "created_at"])
    op.create_table(
        "bulk_items",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("job_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Text(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("language", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("claim", sa.Text(), nullable=True),
        sa.Column("claim_pid", sa.Integer(), nullable=True),
        sa.Column("claim_start", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("model", sa.Text(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=True),
        sa.Column("tokens", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["bulk_jobs.id"], ondelete="CASCADE",
                                name="fk_bulk_items_job_id_bulk_jobs"),
        sa.UniqueConstraint("job_id", "seq", name="uq_bulk_items_job_id_seq"),
    )
    op.create_index("ix_bulk_items_job_id_state_seq", "bulk_items", ["job_id", "state", "seq"])


def downgrade() -> None:
    op.drop_index("ix_bulk_items_job_id_state_seq", table_name="bulk_items")
    op.drop_table("bulk_items")
    op.drop_index("ix_bulk_jobs_tenant_id_created_at", table_name="bulk_jobs")
    op.drop_table("bulk_jobs")
