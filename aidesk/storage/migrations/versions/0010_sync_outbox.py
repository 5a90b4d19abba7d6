"""Sync with the platform's PostgreSQL: the targets, the outbox and the team's policies.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26

- sync_targets: one row per workspace (tenant) that syncs: its DSN (no password: that is
  in the keyring), and the last pass's time, counts and error. No row: the tenant does not
  sync, and nothing enters the outbox for it.
- sync_outbox: one row per local row that must reach the centre (its table and id), queued
  by the triggers below in the same transaction as the row itself: usage and audit rows,
  provider configs (never keys: the sync reads only the config's own columns), image
  metadata and finished bulk messages. A push deletes the entries the centre confirmed.
- team_policies: the tenant's policies as last pulled (setting, value, mandatory).

Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOW = "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
_SYNCS = "EXISTS (SELECT 1 FROM sync_targets WHERE tenant_id = {tenant})"
_QUEUE = ("INSERT INTO sync_outbox (tenant_id, tbl, row_id, queued_at) "
          "VALUES ({tenant}, '{table}', new.id, " + _NOW + ");")
_BULK_TENANT = "(SELECT tenant_id FROM bulk_jobs WHERE id = new.job_id)"


def _trigger(table: str, event: str, tenant: str = "new.tenant_id", when: str = "") -> str:
    condition = _SYNCS.format(tenant=tenant) + (f" AND {when}" if when else "")
    return (f"{event} ON {table} FOR EACH ROW WHEN {condition} "
            f"BEGIN {_QUEUE.format(tenant=tenant, table=table)} END")


_CONFIG_COLUMNS = "model, base_url, enabled, position, options"
TRIGGERS = {
    "sync_ai_usage_logs": _trigger("ai_usage_logs", "AFTER INSERT"),
    "sync_ai_audit_logs": _trigger("ai_audit_logs", "AFTER INSERT"),
    "sync_ai_configs_insert": _trigger("ai_configs", "AFTER INSERT"),
    "sync_ai_configs_update": _trigger("ai_configs", f"AFTER UPDATE OF {_CONFIG_COLUMNS}"),
    "sync_images": _trigger("images", "AFTER INSERT"),
    "sync_bulk_items": _trigger("bulk_items", "AFTER UPDATE OF state", tenant=_BULK_TENANT,
                                when="new.state IN ('done', 'failed')"),
}


def upgrade() -> None:
    op.create_table(
        "sync_targets",
        sa.Column("tenant_id", sa.Text(), primary_key=True),
        sa.Column("dsn", sa.Text(), nullable=False),
        sa.Column("last_sync_at", sa.Text(), nullable=True),
        sa.Column("last_pushed", sa.Text(), nullable=False, server_default="{}"),
        sa.Column("last_pulled", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.Text(), nullable=True),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.Text(), nullable=False),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("tbl", sa.Text(), nullable=False),
        sa.Column("row_id", sa.Text(), nullable=False),
        sa.Column("queued_at", sa.Text(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_sync_outbox_tenant_id_seq", "sync_outbox", ["tenant_id", "seq"])
    op.create_table(
        "team_policies",
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("setting", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("mandatory", sa.Boolean(), nullable=False, server_default=sa.text("0")),
        sa.Column("updated_at", sa.Text(), nullable=False),
        sa.Column("pulled_at", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "setting"),
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("team_policies")
    op.drop_index("ix_sync_outbox_tenant_id_seq", table_name="sync_outbox")
    op.drop_table("sync_outbox")
    op.drop_table("sync_targets")
