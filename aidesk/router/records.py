"""One usage row and one audit row per call, written in one transaction (with the cache entry)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aidesk.providers.base import ChatRequest, Completion, Usage
from aidesk.redact import redact
from aidesk.router import cache, limits
from aidesk.storage import Database, storage_errors
from aidesk.storage import tables as t
from aidesk.storage.types import new_id

# Built once: SQLAlchemy then reuses the compiled statement on every call.
_USAGE_INSERT = t.ai_usage_logs.insert()
_AUDIT_INSERT = t.ai_audit_logs.insert()


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
    with storage_errors(), db.begin() as conn:
        if reserved:
            limits.release(conn, rec.request_id)
        conn.execute(_USAGE_INSERT, dict(
            id=new_id(), tenant_id=rec.tenant_id, request_id=rec.request_id,
            provider=rec.provider or "none", model=rec.model or "none",
            prompt_tokens=rec.usage.prompt_tokens, completion_tokens=rec.usage.completion_tokens,
            total_tokens=rec.usage.total_tokens, cost_usd=rec.cost_usd,
            response_time_ms=rec.latency_ms, module=rec.module, user_id=rec.user_id,
            cached=rec.cached, outcome=rec.outcome, created_at=now,
        ))
        conn.execute(_AUDIT_INSERT, dict(
            id=new_id(), tenant_id=rec.tenant_id, request_id=rec.request_id,
            user_id=rec.user_id, provider=rec.provider, model=rec.model, module=rec.module,
            prompt=redact(rec.prompt),
            response=redact(rec.response) if rec.response is not None else None,
            tokens_used=rec.usage.total_tokens if rec.outcome == "ok" else None,
            success=rec.outcome == "ok", error_message=redact(rec.error) if rec.error else None,
            hops=rec.hops, created_at=now,
        ))
        if not rec.cached and rec.outcome != "refused":
            limits.count(conn, rec.tenant_id, rec.usage.total_tokens, rec.cost_usd, now)
        if cache_write is not None and rec.provider:
            cache.store(conn, rec.tenant_id, rec.provider, cache_write.prompt_hash,
                        cache_write.completion, now, cache_write.ttl_days)
