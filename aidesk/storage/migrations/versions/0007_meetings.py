"""Meetings: the Meetings tab's summaries of recorded meetings, one row each.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

- meetings: one summarised recording of a tenant: its file name and the path it was picked
  from, its length in seconds, the language asked for (NULL: detected), the joined
  transcript, the summary (JSON: summary, key_points, decisions, action_items with task,
  owner and due), the parts it was sent in (JSON: where each lies, provider, model, cost and
  the router's request id, whose usage and audit rows hold the rest) and what the
  transcription cost in all (NULL when a price was unknown). No audio is kept.

Only a table is added: existing rows are untouched. Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("duration_s", sa.Numeric(12, 3), nullable=False),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
    )
    op.create_index("ix_meetings_tenant_id_created_at", "meetings", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_meetings_tenant_id_created_at", table_name="meetings")
    op.drop_table("meetings")
