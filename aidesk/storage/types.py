"""Column types shared by the schema: UTC timestamps as text, JSON as text, ids, clocks."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import Text, TypeDecorator


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


class UTCDateTime(TypeDecorator[datetime]):
    """A UTC instant stored as naive ISO text, `YYYY-MM-DD HH:MM:SS.ffffff`.

    The fixed width makes text order equal time order, so range filters and
    ORDER BY work in SQL. Aware datetimes in any zone are converted to UTC;
    naive ones are refused because their zone is unknown. Values come back aware (UTC).
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UTCDateTime expects a datetime, got {type(value).__name__}")
        return utc_text(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> datetime | None:
        return None if value is None else utc_from_text(value)


class JSONText(TypeDecorator[Any]):
    """Any JSON value stored as compact TEXT (UTF-8 kept readable: ensure_ascii=False)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(value)
