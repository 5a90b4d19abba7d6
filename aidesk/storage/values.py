"""Values as the database stores them: ids, UTC instants as fixed-width text.

Kept apart from the SQLAlchemy column types (aidesk.storage.types, which re-exports these)
so the plain-SQL hot path never imports SQLAlchemy.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    """Client-generated primary key: a random UUID string (idempotent sync with the platform)."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def utc_text(value: datetime) -> str:
    """The stored form of an aware instant: naive UTC, `YYYY-MM-DD HH:MM:SS.ffffff`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} refused: pass an aware datetime (UTC)")
    naive = value.astimezone(UTC).replace(tzinfo=None)
    return naive.isoformat(sep=" ", timespec="microseconds")


def utc_from_text(value: str) -> datetime:
    """The aware UTC instant of a stored `utc_text` value."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
