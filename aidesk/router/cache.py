"""Response cache: SHA-256 of the canonical request, one row per tenant, provider and hash."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from aidesk.providers.base import ChatRequest, Completion, Usage
from aidesk.storage import tables as t
from aidesk.storage.types import new_id


def request_hash(provider: str, model: str, request: ChatRequest) -> str:
    canonical = json.dumps(
        {
            "provider": provider,
            "model": model,
            "messages": [[m.role, m.content] for m in request.messages],
            "options": request.options(),
        },
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def lookup(
    conn: Connection, tenant_id: str, keys: list[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], Completion]:
    """Fresh entries among `keys` [(provider, hash)], by key."""
    c = t.ai_cache.c
    rows = conn.execute(
        sa.select(c.provider, c.prompt_hash, c.response).where(
            c.tenant_id == tenant_id,
            c.prompt_hash.in_([h for _, h in keys]),
            c.expires_at > now,
        )
    ).all()
    return {(r.provider, r.prompt_hash): _decode(r.response) for r in rows}


def store(
    conn: Connection, tenant_id: str, provider: str, prompt_hash: str,
    completion: Completion, now: datetime, ttl_days: int,
) -> None:
    if ttl_days <= 0:
        return
    c = t.ai_cache.c
    conn.execute(t.ai_cache.delete().where(
        c.tenant_id == tenant_id, c.provider == provider, c.prompt_hash == prompt_hash))
    conn.execute(t.ai_cache.insert().values(
        id=new_id(), tenant_id=tenant_id, provider=provider, model=completion.model,
        prompt_hash=prompt_hash, response=_encode(completion), created_at=now,
        expires_at=now + timedelta(days=ttl_days),
    ))


def purge_expired(conn: Connection, now: datetime) -> int:
    return conn.execute(t.ai_cache.delete().where(t.ai_cache.c.expires_at <= now)).rowcount


def _encode(completion: Completion) -> str:
    return json.dumps(asdict(completion), ensure_ascii=False, separators=(",", ":"))


def _decode(raw: str) -> Completion:
    data = json.loads(raw)
    return Completion(
        text=data["text"], model=data["model"], usage=Usage(**data["usage"]),
        finish_reason=data.get("finish_reason"), data=data.get("data"),
    )
