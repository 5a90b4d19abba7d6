"""SQLAlchemy column types of the schema: UTC timestamps as text, JSON as text (the values
themselves, ids and clocks live in aidesk.storage.values and are re-exported here)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Dialect
from sqlalchemy.types import Text, TypeDecorator

from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow

__all__ = ["JSONText", "UTCDateTime", "new_id", "utc_from_text", "utc_text", "utcnow"]


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
