"""Audit search: full-text search over the audit log's prompts and answers, filter indexes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

- ai_audit_fts: an FTS5 index (external content: the text stays only in ai_audit_logs) over
  prompt and response, keyed by the audit row's rowid; `unicode61 remove_diacritics 2`, so
  "acao" finds "ação". Three triggers keep it in step with every insert, delete and update of
  a prompt or response; the rows already there are indexed once here ('rebuild').
- Indexes for the Audit tab's keyset pages, newest first on (created_at, id), alone or under
  one filter: provider, model, user, module, success. The old (tenant_id, created_at) and
  (tenant_id, success) indexes are replaced by their longer forms.

No row is changed. Imports nothing from aidesk.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FILTERS = ("provider", "model", "user_id", "module", "success")
_OLD = {"ix_ai_audit_logs_tenant_id_created_at": ["tenant_id", "created_at"],
        "ix_ai_audit_logs_tenant_id_success": ["tenant_id", "success"]}
_FTS = ("CREATE VIRTUAL TABLE ai_audit_fts USING fts5(prompt, response, "
        "content='ai_audit_logs', content_rowid='rowid', "
        "tokenize='unicode61 remove_diacritics 2')")
_DELETE = ("INSERT INTO ai_audit_fts (ai_audit_fts, rowid, prompt, response) "
           "VALUES ('delete', old.rowid, old.prompt, old.response);")
_INSERT = ("INSERT INTO ai_audit_fts (rowid, prompt, response) "
           "VALUES (new.rowid, new.prompt, new.response);")
TRIGGERS = {
    "ai_audit_fts_insert": f"AFTER INSERT ON ai_audit_logs BEGIN {_INSERT} END",
    "ai_audit_fts_delete": f"AFTER DELETE ON ai_audit_logs BEGIN {_DELETE} END",
    "ai_audit_fts_update": (f"AFTER UPDATE OF prompt, response ON ai_audit_logs "
                            f"BEGIN {_DELETE} {_INSERT} END"),
}


def upgrade() -> None:
    op.execute(_FTS)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("INSERT INTO ai_audit_fts (ai_audit_fts) VALUES ('rebuild')")
    for name in _OLD:
        op.drop_index(name, table_name="ai_audit_logs")
    op.create_index("ix_ai_audit_logs_tenant_id_created_at_id", "ai_audit_logs",
                    ["tenant_id", "created_at", "id"])
    for column in _FILTERS:
        op.create_index(f"ix_ai_audit_logs_tenant_id_{column}_created_at", "ai_audit_logs",
                        ["tenant_id", column, "created_at", "id"])


def downgrade() -> None:
    for column in _FILTERS:
        op.drop_index(f"ix_ai_audit_logs_tenant_id_{column}_created_at",
                      table_name="ai_audit_logs")
    op.drop_index("ix_ai_audit_logs_tenant_id_created_at_id", table_name="ai_audit_logs")
    for name, columns in _OLD.items():
        op.create_index(name, "ai_audit_logs", columns)
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("DROP TABLE ai_audit_fts")
