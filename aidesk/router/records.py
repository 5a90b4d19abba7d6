"""One usage row and one audit row per call, written in one transaction (with the cache entry)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aidesk.providers.base import ChatRequest, Completion, Usage
from aidesk.redact import redact
from aidesk.router import cache, limits
from aidesk.storage import Database, storage_errors
from aidesk.storage.types import new_id, utc_text

# Plain SQL: this runs once per call (see aidesk.router.limits); columns as aidesk.storage.tables.
_USAGE_INSERT = (
    "INSERT INTO ai_usage_logs (id, tenant_id, request_id, provider, model, prompt_tokens, "
    "completion_tokens, total_tokens, cost_usd, response_time_ms, module, user_id, cached, "
    "outcome, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_AUDIT_INSERT = (
    "INSERT INTO ai_audit_logs (id, tenant_id, request_id, user_id, provider, model, module, "
    "prompt, response, tokens_used, success, error_message, hops, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


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
    outcome: str = "ok"  # ok | error | cancelled | refused
    error: str | None = None
    hops: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CacheWrite:
    prompt_hash: str
    completion: Completion
    ttl_days: int


def prompt_text(request: ChatRequest) -> str:
    if len(request.messages) == 1:
        return request.messages[0].content
    return "\n\n".join(f"{m.role}: {m.content}" for m in request.messages)


def write(
    db: Database, rec: CallRecord, now: datetime, *,
    cache_write: CacheWrite | None = None, reserved: bool = False,
) -> None:
    stamp = utc_text(now)
    ok = rec.outcome == "ok"
    with storage_errors(), db.begin() as conn:
        if reserved:
            limits.release(conn, rec.request_id)
        u = rec.usage
        conn.exec_driver_sql(_USAGE_INSERT, (
            new_id(), rec.tenant_id, rec.request_id, rec.provider or "none", rec.model or "none",
            u.prompt_tokens, u.completion_tokens, u.total_tokens, rec.cost_usd, rec.latency_ms,
            rec.module, rec.user_id, int(rec.cached), rec.outcome, stamp,
        ))
        conn.exec_driver_sql(_AUDIT_INSERT, (
            new_id(), rec.tenant_id, rec.request_id, rec.user_id, rec.provider, rec.model,
            rec.module, redact(rec.prompt),
            redact(rec.response) if rec.response is not None else None,
            u.total_tokens if ok else None, int(ok), redact(rec.error) if rec.error else None,
            json.dumps(rec.hops, ensure_ascii=False, separators=(",", ":")), stamp,
        ))
        if not rec.cached and rec.outcome != "refused":
            limits.count(conn, rec.tenant_id, rec.usage.total_tokens, rec.cost_usd, now)
        if cache_write is not None and rec.provider:
            cache.store(conn, rec.tenant_id, rec.provider, cache_write.prompt_hash,
                        cache_write.completion, now, cache_write.ttl_days)
