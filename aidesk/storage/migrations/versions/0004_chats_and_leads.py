"""Chat conversations, their messages, and leads (the Chat and Leads tabs).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

- conversations: one imported conversation per row (per tenant), with its conversation
  label, the reason, and the summary (JSON). `content_hash` (SHA-256 of the messages) is
  unique per tenant, so importing the same file again adds nothing.
- chat_messages: the messages in order (`seq` from 0), deleted with their conversation.
  `sent_at` is the export's own naive local time as ISO text (WhatsApp and most CRMs write
  no zone), not a UTC instant. Each message keeps its label, reason and translation.
- leads: one row per tenant and lead (`external_id`: the lead's key), the history (JSON)
  and the last analysis (JSON).

Only tables are added: existing rows are untouched. Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("format", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("sentiment", sa.Text(), nullable=True),
        sa.Column("sentiment_reason", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "content_hash",
                            name="uq_conversations_tenant_id_content_hash"),
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("conversation_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("sender", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("language", sa.Text(), nullable=True),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("sentiment", sa.Text(), nullable=True),
        sa.Column("sentiment_reason", sa.Text(), nullable=True),
        sa.Column("translation", sa.Text(), nullable=True),
        sa.Column("translation_language", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE",
                                name="fk_chat_messages_conversation_id_conversations"),
        sa.UniqueConstraint("conversation_id", "seq",
                            name="uq_chat_messages_conversation_id_seq"),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("phone", sa.Text(), nullable=False),
        sa.Column("history", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("analysis", sa.Text(), nullable=True),
        sa.Column("analysed_at", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.UniqueConstraint("tenant_id", "external_id", name="uq_leads_tenant_id_external_id"),
    )


def downgrade() -> None:
    for table in ("leads", "chat_messages", "conversations"):
        op.drop_table(table)
