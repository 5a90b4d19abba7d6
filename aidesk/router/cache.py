"""Response cache: SHA-256 of the canonical request, one row per tenant, provider and hash."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from aidesk.errors import StorageError
from aidesk.providers.base import ChatRequest, Completion, Usage
from aidesk.redact import redact
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_text

_LOOKUP = ("SELECT provider, prompt_hash, response FROM ai_cache WHERE tenant_id = ? "
           "AND expires_at > ? AND prompt_hash IN ({marks})")
_PURGE = "DELETE FROM ai_cache WHERE expires_at <= ?"
_UPSERT = """
INSERT INTO ai_cache (id, tenant_id, provider, model, prompt_hash, response, created_at,
                      expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant_id, provider, prompt_hash) DO UPDATE SET
  id = excluded.id, model = excluded.model, response = excluded.response,
  created_at = excluded.created_at, expires_at = excluded.expires_at
"""


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
    conn: sqlite3.Connection, tenant_id: str, keys: list[tuple[str, str]], now: datetime
) -> dict[tuple[str, str], Completion]:
    """Fresh entries among `keys` [(provider, hash)], by key."""
    hashes = sorted({h for _, h in keys})
    rows = conn.execute(_LOOKUP.format(marks=",".join("?" * len(hashes))),
                                (tenant_id, utc_text(now), *hashes)).fetchall()
    return {(provider, digest): _decode(raw) for provider, digest, raw in rows}


def store(
    conn: sqlite3.Connection, tenant_id: str, provider: str, prompt_hash: str,
    completion: Completion, now: datetime, ttl_days: int,
) -> None:
    if ttl_days <= 0:
        return
    conn.execute(_UPSERT, (
        new_id(), tenant_id, provider, completion.model, prompt_hash, _encode(completion),
        utc_text(now), utc_text(now + timedelta(days=ttl_days)),
    ))


def purge_expired(conn: sqlite3.Connection, now: datetime) -> int:
    return conn.execute(_PURGE, (utc_text(now),)).rowcount


def try_purge_expired(db: Database, now: datetime) -> int | None:
    """Drop expired entries if the write lock is free right now (0 busy timeout); None
    when another process holds it: start-up never waits for a writer."""
    try:
        with db.writing("IMMEDIATE", busy_timeout_ms=0) as conn:
            return purge_expired(conn, now)
    except StorageError:
        return None


def _encode(completion: Completion) -> str:
    """The stored form: key-shaped strings in the text and the structured data are masked,
    so a cache row (and the hit served from it) never holds a key."""
    row = asdict(completion)
    row["text"] = redact(completion.text)
    row["data"] = _redact_values(completion.data)
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"))


def _redact_values(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_values(v) for v in value]
    return value


def _decode(raw: str) -> Completion:
    data = json.loads(raw)
    return Completion(
        text=data["text"], model=data["model"], usage=Usage(**data["usage"]),
        finish_reason=data.get("finish_reason"), data=data.get("data"),
    )
