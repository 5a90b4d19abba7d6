"""Local SQLite storage: schema (Core tables), column types, opening and migrating the file.

The schema and column types need SQLAlchemy, so they load on first use: opening the
database and the router's plain SQL never import it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from aidesk.storage.db import Database, open_database, storage_error_for, storage_errors
from aidesk.storage.health import DatabaseCorrupt
from aidesk.storage.values import new_id, utcnow

if TYPE_CHECKING:
    from aidesk.storage import tables
    from aidesk.storage.tables import (
        ai_audit_logs,
        ai_cache,
        ai_configs,
        ai_limit_reservations,
        ai_limits,
        ai_preferences,
        ai_usage_counters,
        ai_usage_logs,
        app_state,
        metadata,
        workspaces,
    )
    from aidesk.storage.types import JSONText, UTCDateTime

_TABLES = frozenset({
    "ai_audit_logs", "ai_cache", "ai_configs", "ai_limit_reservations", "ai_limits",
    "ai_preferences", "ai_usage_counters", "ai_usage_logs", "app_state", "metadata",
    "workspaces"})
_TYPES = frozenset({"JSONText", "UTCDateTime"})


def __getattr__(name: str) -> Any:
    """The SQLAlchemy-backed names, imported when first asked for."""
    if name == "tables" or name in _TABLES:
        module = importlib.import_module("aidesk.storage.tables")
        return module if name == "tables" else getattr(module, name)
    if name in _TYPES:
        return getattr(importlib.import_module("aidesk.storage.types"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Database",
    "DatabaseCorrupt",
    "JSONText",
    "UTCDateTime",
    "ai_audit_logs",
    "ai_cache",
    "ai_configs",
    "ai_limit_reservations",
    "ai_limits",
    "ai_preferences",
    "ai_usage_counters",
    "ai_usage_logs",
    "app_state",
    "metadata",
    "new_id",
    "open_database",
    "storage_error_for",
    "storage_errors",
    "tables",
    "utcnow",
    "workspaces",
]
