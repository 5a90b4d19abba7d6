"""Generated images: the Images tab's gallery, one row per image file.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26

- images: one row per generated image of a tenant. The file itself lives under the data
  directory (`images/<tenant>/<file_name>`, 0600); the row keeps what it was made from and
  what it cost: prompt, preset, requested size, provider, model, the call's `request_id` (its
  usage and audit rows), the image's own share of the call's cost, type, bytes and pixels.

Only a table is added: existing rows are untouched. Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Text(), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("preset", sa.Text(), nullable=True),
        sa.Column("size", sa.Text(), nullable=False),
        sa.Column("provider", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("mime", sa.Text(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(12, 6), nullable=True),
        sa.Column("revised_prompt", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "file_name", name="uq_images_tenant_id_file_name"),
    )
    op.create_index("ix_images_tenant_id_created_at", "images", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_images_tenant_id_created_at", table_name="images")
    op.drop_table("images")
