"""The local schema as SQLAlchemy Core tables.

Names and columns mirror the central platform's PostgreSQL schema so a later
sync maps one to one. Every row has a client-generated UUID `id` and a UTC
`created_at`; mutable rows also `updated_at`. This module must always describe
the same schema as the migrations (a test compares them): change the schema by
adding a migration under `migrations/versions/` *and* editing this file.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from aidesk.storage.types import JSONText, UTCDateTime, new_id, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _money() -> Numeric[float]:
    return Numeric(12, 6, asdecimal=False)


def _id() -> Column[str]:
    return Column("id", Text, primary_key=True, default=new_id)


def _created_at() -> Column[datetime]:
    return Column("created_at", UTCDateTime, nullable=False, default=utcnow)


def _updated_at() -> Column[datetime]:
    return Column("updated_at", UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


workspaces = Table(
    "workspaces",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("cache_ttl_days", Integer, nullable=False, default=7, server_default=text("7")),
    _created_at(),
    _updated_at(),
    UniqueConstraint("tenant_id", name="uq_workspaces_tenant_id"),
    UniqueConstraint("name", name="uq_workspaces_name"),
)

ai_configs = Table(
    "ai_configs",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("model", Text, nullable=True),
    Column("base_url", Text, nullable=True),
    Column("enabled", Boolean, nullable=False, default=True, server_default=text("1")),
    Column("position", Integer, nullable=False, default=0, server_default=text("0")),
    Column("options", JSONText, nullable=False, default=dict, server_default="{}"),
    Column("key_fingerprint", Text, nullable=True),
    Column("key_mask", Text, nullable=True),
    Column("last_test_status", Text, nullable=True),  # 'verified' | 'rejected' | 'unverified'
    Column("last_test_message", Text, nullable=True),
    Column("last_test_at", UTCDateTime, nullable=True),
    _created_at(),
    _updated_at(),
    UniqueConstraint("tenant_id", "provider", name="uq_ai_configs_tenant_id_provider"),
)

ai_usage_logs = Table(
    "ai_usage_logs",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("prompt_tokens", Integer),
    Column("completion_tokens", Integer),
    Column("total_tokens", Integer),
    Column("cost_usd", _money(), nullable=True),
    Column("response_time_ms", Integer),
    Column("module", Text, nullable=True),
    Column("user_id", Text, nullable=True),
    Column("cached", Boolean, nullable=False, default=False, server_default=text("0")),
    # 'ok' | 'error' | 'cancelled' | 'refused' (limit) | 'not_configured' (config refusal)
    Column("outcome", Text, nullable=False),
    _created_at(),
    # 0003: token counts are NULL when the provider reported no usage at all
    Column("cache_read_tokens", Integer, nullable=True),  # part of prompt_tokens
    Column("cache_write_tokens", Integer, nullable=True),  # part of prompt_tokens
    Column("reasoning_tokens", Integer, nullable=True),  # part of completion_tokens
    Column("finish_reason", Text, nullable=True),
    Index("ix_ai_usage_logs_tenant_id_created_at", "tenant_id", "created_at"),
    Index("ix_ai_usage_logs_tenant_id_provider_created_at", "tenant_id", "provider",
          "created_at"),  # 0008: the bounded p95 latency query
)

ai_cache = Table(
    "ai_cache",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("provider", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("prompt_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),  # JSON of the completion
    _created_at(),
    Column("expires_at", UTCDateTime, nullable=False),
    UniqueConstraint(
        "tenant_id", "provider", "prompt_hash", name="uq_ai_cache_tenant_id_provider_prompt_hash"
    ),
)

ai_audit_logs = Table(
    "ai_audit_logs",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("user_id", Text, nullable=True),
    Column("provider", Text, nullable=True),  # NULL when no provider was reached
    Column("model", Text, nullable=True),
    Column("module", Text, nullable=True),
    Column("prompt", Text),
    Column("response", Text, nullable=True),
    Column("tokens_used", Integer, nullable=True),
    Column("success", Boolean, nullable=False),
    Column("error_message", Text, nullable=True),
    # list of {"provider", "model", "error"}: every provider tried before the answer
    Column("hops", JSONText, nullable=False, default=list, server_default="[]"),
    _created_at(),
    Column("finish_reason", Text, nullable=True),  # 0003
    Column("truncated", Boolean, nullable=False, default=False, server_default=text("0")),
    # 0009: keyset pages newest first on (created_at, id), alone or under one filter; the
    # FTS5 table ai_audit_fts over prompt/response and its triggers live in migration 0009
    Index("ix_ai_audit_logs_tenant_id_created_at_id", "tenant_id", "created_at", "id"),
    *(Index(f"ix_ai_audit_logs_tenant_id_{c}_created_at", "tenant_id", c, "created_at", "id")
      for c in ("provider", "model", "user_id", "module", "success")),
)

ai_limits = Table(
    "ai_limits",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("requests_per_hour", Integer, nullable=True),
    Column("tokens_per_day", Integer, nullable=True),
    Column("cost_per_month", _money(), nullable=True),
    _created_at(),
    _updated_at(),
    UniqueConstraint("tenant_id", name="uq_ai_limits_tenant_id"),
)

# Local only: an in-flight call holds a reservation so concurrent calls can't overshoot a limit.
ai_limit_reservations = Table(
    "ai_limit_reservations",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),
    Column("tokens", Integer, nullable=False),
    Column("cost_usd", _money(), nullable=False),
    _created_at(),
    Column("expires_at", UTCDateTime, nullable=False),
    # 0003: the reserving process; a reservation whose process is gone is reclaimed at once
    Column("pid", Integer, nullable=True),
    Column("proc_start", Text, nullable=True),  # the process's start time (opaque text)
    Index("ix_ai_limit_reservations_tenant_id", "tenant_id"),
)

# Local only: running totals per fixed UTC period ('hour' | 'day' | 'month') for limit checks.
ai_usage_counters = Table(
    "ai_usage_counters",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("period_start", UTCDateTime, nullable=False),
    Column("requests", Integer, nullable=False, default=0, server_default=text("0")),
    Column("tokens", Integer, nullable=False, default=0, server_default=text("0")),
    Column("cost_usd", _money(), nullable=False, default=0.0, server_default=text("0")),
    _created_at(),
    _updated_at(),
    UniqueConstraint("tenant_id", "period", "period_start",
                     name="uq_ai_usage_counters_tenant_id_period_period_start"),
)

# 0008, local only: hourly totals per UTC hour (`YYYY-MM-DD HH`), provider, model and module
# ('' for none), kept by the trigger tr_ai_usage_logs_hourly in the same transaction as
# each usage row (refused and not-configured rows are no calls): the Usage tab reads these.
ai_usage_hourly = Table(
    "ai_usage_hourly",
    metadata,
    *(Column(name, Text, primary_key=True)
      for name in ("tenant_id", "hour", "provider", "model", "module")),
    *(Column(name, Integer, nullable=False, server_default=text("0"))
      for name in ("calls", "errors", "cache_hits", "tokens", "cached_tokens")),
    Column("cost_usd", _money(), nullable=False, server_default=text("0")),
    # latency sum and count of answered, uncached calls
    *(Column(name, Integer, nullable=False, server_default=text("0"))
      for name in ("latency_ms", "latency_n")),
    sqlite_with_rowid=False,
)

# 0008, local only: fallbacks away from a provider per UTC hour and reason (the hop's error
# code), kept by the trigger tr_ai_audit_logs_fallbacks from each audit row's hops.
ai_fallback_hourly = Table(
    "ai_fallback_hourly",
    metadata,
    *(Column(name, Text, primary_key=True)
      for name in ("tenant_id", "hour", "provider", "reason")),
    Column("fallbacks", Integer, nullable=False, server_default=text("0")),
    sqlite_with_rowid=False,
)

ai_preferences = Table(
    "ai_preferences",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("user_id", Text, nullable=False),
    Column("module", Text, nullable=False),
    Column("provider", Text, nullable=True),  # NULL = automatic (fallback order)
    Column("model", Text, nullable=True),
    _created_at(),
    _updated_at(),
    UniqueConstraint(
        "tenant_id", "user_id", "module", name="uq_ai_preferences_tenant_id_user_id_module"
    ),
)

# Local key/value state (e.g. the current workspace): the one table without id/created_at.
app_state = Table(
    "app_state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

# 0004: the Chat tab's imported conversations, one row per tenant and distinct content.
conversations = Table(
    "conversations",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("source", Text, nullable=False),  # the file it came from
    Column("format", Text, nullable=False),  # whatsapp | csv | json
    Column("content_hash", Text, nullable=False),  # SHA-256 of the messages (no re-import)
    Column("notes", JSONText, nullable=False, default=list, server_default="[]"),
    Column("sentiment", Text, nullable=True),  # positive | neutral | negative | urgent
    Column("sentiment_reason", Text, nullable=True),
    Column("summary", JSONText, nullable=True),  # {executive_summary, open_questions, next_steps}
    _created_at(),
    _updated_at(),
    UniqueConstraint("tenant_id", "content_hash", name="uq_conversations_tenant_id_content_hash"),
)

chat_messages = Table(
    "chat_messages",
    metadata,
    _id(),
    Column("conversation_id", Text,
           ForeignKey("conversations.id", ondelete="CASCADE",
                      name="fk_chat_messages_conversation_id_conversations"),
           nullable=False),
    Column("seq", Integer, nullable=False),  # order in the conversation, from 0
    Column("sender", Text, nullable=False),  # "" for a system line
    Column("sent_at", Text, nullable=True),  # the export's naive LOCAL time, ISO text: not UTC
    Column("text", Text, nullable=False),
    Column("kind", Text, nullable=False),  # text | media | system
    Column("language", Text, nullable=True),  # pt | en | es | fr | it, NULL: uncertain
    Column("line", Integer, nullable=True),  # line/row/index in the source file
    Column("sentiment", Text, nullable=True),
    Column("sentiment_reason", Text, nullable=True),
    Column("translation", Text, nullable=True),
    Column("translation_language", Text, nullable=True),
    _created_at(),
    UniqueConstraint("conversation_id", "seq", name="uq_chat_messages_conversation_id_seq"),
)

# 0004: the Leads tab, one row per tenant and lead key (a re-import updates the row).
leads = Table(
    "leads",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("name", Text, nullable=False),
    # the lead's key (the CRM's id, or the name when it has none); no column is named *key*:
    # tests/test_storage.py keeps that word for API-key columns, which must not exist
    Column("external_id", Text, nullable=False),
    Column("company", Text, nullable=False, default=""),
    Column("email", Text, nullable=False, default=""),
    Column("phone", Text, nullable=False, default=""),
    Column("history", JSONText, nullable=False, default=list, server_default="[]"),
    Column("analysis", JSONText, nullable=True),  # the last LeadAnalysis, as JSON
    Column("analysed_at", UTCDateTime, nullable=True),
    _created_at(),
    _updated_at(),
    UniqueConstraint("tenant_id", "external_id", name="uq_leads_tenant_id_external_id"),
)

# 0005: the Images tab's gallery, one row per generated image (the file: images/<tenant>/…).
images = Table(
    "images",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("request_id", Text, nullable=False),  # the call: its ai_usage_logs/ai_audit_logs rows
    Column("file_name", Text, nullable=False),  # under <data>/images/<tenant>/
    Column("prompt", Text, nullable=False),
    Column("preset", Text, nullable=True),  # campaign | social | banner, NULL: none
    Column("size", Text, nullable=False),  # as asked: 1024x1024 … auto, or an aspect such as 16:9
    Column("provider", Text, nullable=False),
    Column("model", Text, nullable=False),
    Column("mime", Text, nullable=False),  # image/png | image/jpeg | image/webp
    Column("bytes", Integer, nullable=False),
    Column("width", Integer, nullable=True),  # pixels, when the file says
    Column("height", Integer, nullable=True),
    Column("cost_usd", _money(), nullable=True),  # this image's share of the call; NULL unknown
    Column("revised_prompt", Text, nullable=True),
    _created_at(),
    UniqueConstraint("tenant_id", "file_name", name="uq_images_tenant_id_file_name"),
    Index("ix_images_tenant_id_created_at", "tenant_id", "created_at"),
)

# 0006: bulk-message jobs (Marketing → Bulk messages), one item per lead.
bulk_jobs = Table(
    "bulk_jobs",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("source", Text, nullable=False),  # the leads file, as the user picked it
    Column("brief", Text, nullable=False),  # with its {placeholders}
    Column("header", JSONText, nullable=False, default=list, server_default="[]"),
    Column("mapping", JSONText, nullable=False, default=dict, server_default="{}"),
    Column("status", Text, nullable=False),  # ready | running | paused | stopped | cancelled | done
    Column("stop_reason", Text, nullable=True),  # the sentence of what stopped it
    Column("total", Integer, nullable=False),
    Column("out_path", Text, nullable=True),  # where the CLI writes its CSV
    Column("runner", Text, nullable=True),  # the token of the run holding it
    Column("runner_pid", Integer, nullable=True),
    Column("runner_start", Text, nullable=True),  # that process's start time (opaque text)
    _created_at(),
    _updated_at(),
    Column("finished_at", UTCDateTime, nullable=True),
    Index("ix_bulk_jobs_tenant_id_created_at", "tenant_id", "created_at"),
)

bulk_items = Table(
    "bulk_items",
    metadata,
    _id(),
    Column("job_id", Text,
           ForeignKey("bulk_jobs.id", ondelete="CASCADE", name="fk_bulk_items_job_id_bulk_jobs"),
           nullable=False),
    Column("seq", Integer, nullable=False),  # file order, from 0
    Column("line", Integer, nullable=False),  # where the lead's row starts in the file
    Column("lead", Text, nullable=False),  # name, e-mail or phone: for lists
    Column("cells", JSONText, nullable=False, default=list, server_default="[]"),
    Column("language", Text, nullable=False),  # pt | en | es | fr | it
    Column("state", Text, nullable=False),  # pending | running | done | failed
    Column("claim", Text, nullable=True),  # while running: the run's token
    Column("claim_pid", Integer, nullable=True),
    Column("claim_start", Text, nullable=True),
    Column("attempts", Integer, nullable=False, default=0, server_default=text("0")),
    Column("message", Text, nullable=True),
    Column("error", Text, nullable=True),  # why it failed (the user's sentence)
    Column("provider", Text, nullable=True),
    Column("model", Text, nullable=True),
    Column("cost_usd", _money(), nullable=True),
    Column("tokens", Integer, nullable=True),
    Column("request_id", Text, nullable=True),  # the router's, as in the audit rows
    Column("finished_at", UTCDateTime, nullable=True),
    _updated_at(),
    UniqueConstraint("job_id", "seq", name="uq_bulk_items_job_id_seq"),
    Index("ix_bulk_items_job_id_state_seq", "job_id", "state", "seq"),
)

# 0007: the Meetings tab's summarised recordings (no audio is kept).
meetings = Table(
    "meetings",
    metadata,
    _id(),
    Column("tenant_id", Text, nullable=False),
    Column("title", Text, nullable=False),  # the audio file's name
    Column("source", Text, nullable=False),  # the path it was picked from
    Column("duration_s", Numeric(12, 3, asdecimal=False), nullable=False),
    Column("language", Text, nullable=True),  # as asked (pt, en…); NULL: detected
    Column("transcript", Text, nullable=False),
    Column("summary", JSONText, nullable=False),  # {summary, key_points, decisions, action_items}
    Column("parts", JSONText, nullable=False, default=list, server_default="[]"),
    Column("cost_usd", _money(), nullable=True),  # the transcription's; NULL: a price unknown
    _created_at(),
    Index("ix_meetings_tenant_id_created_at", "tenant_id", "created_at"),
)

# 0010: sync with the platform's PostgreSQL (aidesk.sync). A tenant with a row here syncs;
# triggers (migration 0010) queue its rows in sync_outbox in the same transaction as the row.
sync_targets = Table(
    "sync_targets",
    metadata,
    Column("tenant_id", Text, primary_key=True),
    Column("dsn", Text, nullable=False),  # postgresql://USER@HOST:PORT/DB, no password
    Column("last_sync_at", UTCDateTime, nullable=True),
    Column("last_pushed", JSONText, nullable=False, default=dict, server_default="{}"),
    Column("last_pulled", Integer, nullable=False, default=0, server_default=text("0")),
    Column("last_error", Text, nullable=True),  # the user's sentence
    Column("last_error_at", UTCDateTime, nullable=True),
    _created_at(),
    _updated_at(),
)

sync_outbox = Table(
    "sync_outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Text, nullable=False),
    Column("tbl", Text, nullable=False),  # ai_usage_logs | ai_audit_logs | ai_configs | …
    Column("row_id", Text, nullable=False),  # that table's id (the client UUID)
    Column("queued_at", UTCDateTime, nullable=False),
    Index("ix_sync_outbox_tenant_id_seq", "tenant_id", "seq"),
    sqlite_autoincrement=True,
)

team_policies = Table(
    "team_policies",
    metadata,
    Column("tenant_id", Text, primary_key=True),
    Column("setting", Text, primary_key=True),  # a setting name of aidesk.settings
    Column("value", Text, nullable=False),  # as `aidesk config set` takes it
    Column("mandatory", Boolean, nullable=False, default=False, server_default=text("0")),
    Column("updated_at", UTCDateTime, nullable=False),  # the centre's
    Column("pulled_at", UTCDateTime, nullable=False),
)
