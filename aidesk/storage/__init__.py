"""Local SQLite storage: schema (Core tables), column types, opening and migrating the file."""

from aidesk.storage import tables
from aidesk.storage.db import Database, open_database, storage_error_for, storage_errors
from aidesk.storage.health import DatabaseCorrupt
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
from aidesk.storage.types import JSONText, UTCDateTime, new_id, utcnow

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
