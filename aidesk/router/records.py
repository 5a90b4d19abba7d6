"""One usage row and one audit row per call, written in one transaction (with the cache entry).

When the database cannot take them for a known disk reason (locked past the busy
timeout, disk full, read-only), the rows go to the spool file beside the database
(aidesk.storage.spool) and are replayed on the next open: a paid answer is never lost.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aidesk.errors import StorageError
from aidesk.providers.base import ChatRequest, Completion, Usage
from aidesk.redact import redact
from aidesk.router import cache, limits
from aidesk.storage import Database, spool
from aidesk.storage.values import new_id, utc_text

log = logging.getLogger(__name__)

# Outcomes of calls that never reached a provider: they do not count against limits.
NOT_COUNTED = frozenset({"refused", "not_configured"})

USAGE_COLUMNS = (
    "id", "tenant_id", "request_id", "provider", "model", "prompt_tokens", "completion_tokens",
    "total_tokens", "cost_usd", "response_time_ms", "module", "user_id", "cached", "outcome",
    "created_at", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "finish_reason",
)
AUDIT_COLUMNS = (
    "id", "tenant_id", "request_id", "user_id", "provider", "model", "module", "prompt",
    "response", "tokens_used", "success", "error_message", "hops", "created_at",
    "finish_reason", "truncated",
)


def _insert(table: str, columns: tuple[str, ...]) -> str:
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})")


# Plain SQL: this runs once per call (see aidesk.router.limits); columns as aidesk.storage.tables.
_USAGE_INSERT = _insert("ai_usage_logs", USAGE_COLUMNS)
_AUDIT_INSERT = _insert("ai_audit_logs", AUDIT_COLUMNS)
# aidesk.settings AUDIT_KEEP_TEXT_KEY: 'false' keeps prompts and answers out of the audit log
_KEEP_TEXT = "SELECT value FROM app_state WHERE key = 'audit.keep_text'"
_PROMPT, _RESPONSE = AUDIT_COLUMNS.index("prompt"), AUDIT_COLUMNS.index("response")


@dataclass(slots=True)
class CallRecord:
    request_id: str
    tenant_id: str
    user_id: str | None
    module: str | None
    prompt: str
    provider: str | None = None
    model: str | None = None
    response: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    latency_ms: int = 0
    cached: bool = False
    outcome: str = "ok"  # ok | error | cancelled | refused | not_configured
    error: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    truncated: bool = False
    # Priced per image or per minute (aidesk.router.media): the cost stands even when the
    # provider reported no tokens (Stability, a transcription billed by duration).
    priced_apart: bool = False


@dataclass(frozen=True, slots=True)
class CacheWrite:
    prompt_hash: str
    completion: Completion
    ttl_days: int


def prompt_text(request: ChatRequest) -> str:
    if len(request.messages) == 1:
        return request.messages[0].content
    return "\n\n".join(f"{m.role}: {m.content}" for m in request.messages)


def rows(rec: CallRecord, now: datetime) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The usage and audit rows of `rec`, redacted; token counts NULL when usage is unknown."""
    stamp = utc_text(now)
    ok = rec.outcome == "ok"
    u = rec.usage
    known = u.known
    usage = (
        new_id(), rec.tenant_id, rec.request_id, rec.provider or "none", rec.model or "none",
        u.prompt_tokens if known else None, u.completion_tokens if known else None,
        u.total_tokens if known else None,
        rec.cost_usd if known or rec.priced_apart else None, rec.latency_ms,
        rec.module, rec.user_id, int(rec.cached), rec.outcome, stamp,
        u.cached_tokens if known else None, u.cache_write_tokens if known else None,
        u.reasoning_tokens if known else None, rec.finish_reason,
    )
    audit = (
        new_id(), rec.tenant_id, rec.request_id, rec.user_id, rec.provider, rec.model,
        rec.module, redact(rec.prompt),
        redact(rec.response) if rec.response is not None else None,
        u.total_tokens if ok and known else None, int(ok),
        redact(rec.error) if rec.error else None,
        redact(json.dumps(rec.hops, ensure_ascii=False, separators=(",", ":"))), stamp,
        rec.finish_reason, int(rec.truncated),
    )
    return usage, audit


def without_text(audit: tuple[Any, ...]) -> tuple[Any, ...]:
    """The audit row with no prompt and no answer (metadata only)."""
    row = list(audit)
    row[_PROMPT] = row[_RESPONSE] = None
    return tuple(row)


def keeps_text(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute(_KEEP_TEXT).fetchone() != ("false",))


def counts(rec: CallRecord) -> bool:
    """Whether the call adds to the limit counters: it reached a provider and was not cached."""
    return not rec.cached and rec.outcome not in NOT_COUNTED


def counted_use(rec: CallRecord, estimate: tuple[int, float] | None) -> tuple[int, float | None]:
    """Tokens and cost the counters get: the real ones, or the reservation's estimate when
    the provider reported no usage (unknown is not zero)."""
    if rec.usage.known:
        return rec.usage.total_tokens, rec.cost_usd
    if estimate is None:
        return 0, rec.cost_usd
    return estimate[0], rec.cost_usd if rec.cost_usd is not None else estimate[1]


def write(
    db: Database, rec: CallRecord, now: datetime, *,
    cache_write: CacheWrite | None = None, reserved: bool = False,
) -> None:
    """Record the call. Never raises for a known disk problem: the rows are spooled instead."""
    usage, audit = rows(rec, now)
    try:
        with db.writing() as conn:
            estimate = limits.release(conn, rec.request_id) if reserved else None
            conn.execute(_USAGE_INSERT, usage)
            if not keeps_text(conn):
                audit = without_text(audit)
            conn.execute(_AUDIT_INSERT, audit)
            if counts(rec):
                tokens, cost = counted_use(rec, estimate)
                limits.count(conn, rec.tenant_id, tokens, cost, now)
            if cache_write is not None and rec.provider:
                cache.store(conn, rec.tenant_id, rec.provider, cache_write.prompt_hash,
                            cache_write.completion, now, cache_write.ttl_days)
    except StorageError as error:
        _spool(db, rec, now, usage, audit, reserved, error)


def _keeps_text(db: Database) -> bool:
    """Whether the setting allows text; when it cannot be read, no (the safe side)."""
    try:
        with db.raw() as conn:
            return keeps_text(conn)
    except StorageError:
        return False


def _spool(
    db: Database, rec: CallRecord, now: datetime, usage: tuple[Any, ...],
    audit: tuple[Any, ...], reserved: bool, error: StorageError,
) -> None:
    estimate = limits.held(db, rec.request_id) if reserved else None
    audit = audit if _keeps_text(db) else without_text(audit)
    count = None
    if counts(rec):
        tokens, cost = counted_use(rec, estimate)
        count = {"tenant_id": rec.tenant_id, "tokens": tokens, "cost_usd": cost,
                 "at": utc_text(now)}
    entry = spool.Entry(
        request_id=rec.request_id,
        rows={"ai_usage_logs": dict(zip(USAGE_COLUMNS, usage, strict=True)),
              "ai_audit_logs": dict(zip(AUDIT_COLUMNS, audit, strict=True))},
        count=count, release=rec.request_id if reserved else None,
    )
    try:
        spool.append(spool.spool_path(db.path), entry)
    except OSError as spool_error:
        log.error("request %s could not be recorded (%s) nor spooled (%s): its usage is lost",
                  rec.request_id, error.user_message, spool_error)
        return
    log.warning("request %s could not be recorded (%s); kept in the spool until the next open",
                rec.request_id, error.user_message)
    if reserved:
        limits.try_release(db, rec.request_id)
