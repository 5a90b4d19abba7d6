"""What a push sends for each synced table: the local row as read, its staging table and
its upsert into the centre's table.

Each table's rows are read from SQLite as the lines of COPY's text format (SQLite writes
them, without the GIL: the columns in the staging table's order, tab-separated, `\\N` for
NULL, backslash, tab, newline and carriage return escaped), copied into a temporary table
that dies with the transaction, then moved into the central table by one `INSERT … SELECT
… ON CONFLICT`. The staging table holds PostgreSQL's own types: local UTC text goes into
TIMESTAMP, 0/1 into BOOLEAN, JSON text into JSONB, SQLite's text of a REAL into NUMERIC as
COPY reads them. Text the centre keeps in a VARCHAR(n) is cut to n (an explicit cast)
rather than refusing the whole batch.
"""

from __future__ import annotations

from dataclasses import dataclass

# The row ids of a batch come as one JSON array; the CROSS JOIN makes SQLite walk the ids
# and look each row up by its primary key (never a scan of the tenant's rows).
_IDS = "json_each(?) AS q CROSS JOIN {table} AS x ON x.id = q.value"
# COPY's text format: the backslash first, then the characters that end a field or a line
_ESCAPES = (("'\\'", "\\\\"), ("char(9)", "\\t"), ("char(10)", "\\n"), ("char(13)", "\\r"))


@dataclass(frozen=True, slots=True)
class Col:
    name: str  # the staging (and central) column
    pg_type: str  # the staging column's type
    local: str = ""  # the SQLite expression (default x.<name>)
    limit: int | None = None  # the central column is VARCHAR(limit)

    @property
    def read(self) -> str:
        return self.local or f"x.{self.name}"

    @property
    def field(self) -> str:
        """The column as a field of a COPY text line (SQLite's text of a number, escaped
        text, \\N for NULL)."""
        value = self.read
        if self.pg_type in ("text", "jsonb"):
            for char, escaped in _ESCAPES:
                value = f"replace({value}, {char}, '{escaped}')"
        return f"coalesce({value}, '\\N')"

    @property
    def moved(self) -> str:
        return f"s.{self.name}::varchar({self.limit})" if self.limit else f"s.{self.name}"


@dataclass(frozen=True, slots=True)
class Table:
    local: str
    central: str
    cols: tuple[Col, ...]
    source: str  # FROM … WHERE … of the SQLite read: params (ids JSON, tenant)
    conflict: str  # the ON CONFLICT clause
    extra: tuple[tuple[str, str], ...] = ()  # more central columns: (name, expression)

    @property
    def stage(self) -> str:
        return f"aidesk_stage_{self.local}"

    @property
    def select(self) -> str:
        """One COPY text line per row (with its newline)."""
        line = " || char(9) || ".join(c.field for c in self.cols)
        return f"SELECT {line} || char(10) FROM {self.source}"

    @property
    def create(self) -> str:
        cols = ", ".join(f"{c.name} {c.pg_type}" for c in self.cols)
        return f"CREATE TEMP TABLE {self.stage} ({cols}) ON COMMIT DROP"

    @property
    def copy(self) -> str:
        return f"COPY {self.stage} ({', '.join(c.name for c in self.cols)}) FROM STDIN"

    @property
    def upsert(self) -> str:
        names = ["tenant_id", *(c.name for c in self.cols), *(n for n, _ in self.extra),
                 "source_device", "synced_at"]
        values = ["%(tenant)s", *(c.moved for c in self.cols), *(e for _, e in self.extra),
                  "%(device)s", "now()"]
        return (f"INSERT INTO {self.central} ({', '.join(names)}) "
                f"SELECT {', '.join(values)} FROM {self.stage} AS s {self.conflict}")


def _updated(table: str, cols: tuple[Col, ...], newer: str) -> str:
    sets = ", ".join(f"{c.name} = excluded.{c.name}" for c in cols)
    return (f"DO UPDATE SET {sets}, source_device = excluded.source_device, "
            f"synced_at = excluded.synced_at WHERE {table}.updated_at {newer} "
            "excluded.updated_at")


def _c(name: str, pg_type: str = "text", limit: int | None = None, local: str = "") -> Col:
    return Col(name, pg_type, local, limit)


_UUID = _c("client_uuid", "uuid", local="x.id")
_TENANT = " WHERE x.tenant_id = ?"

_CONFIG_CHANGES = (_c("model", limit=255), _c("base_url"), _c("enabled", "boolean"),
                   _c("position", "int"), _c("options", "jsonb"),
                   _c("updated_at", "timestamp"))
CONFIGS = Table(
    "ai_configs", "ai_configs",
    (_UUID, _c("provider", limit=50), *_CONFIG_CHANGES, _c("created_at", "timestamp")),
    _IDS.format(table="ai_configs") + _TENANT,
    # the newer config wins; api_key, key_mask and the fingerprint are never sent
    "ON CONFLICT (tenant_id, provider) " + _updated("ai_configs", _CONFIG_CHANGES, "<"),
)

USAGE = Table(
    "ai_usage_logs", "ai_usage_logs",
    (_UUID, _c("request_id", limit=64), _c("provider", limit=50), _c("model", limit=255),
     _c("prompt_tokens", "int"), _c("completion_tokens", "int"), _c("total_tokens", "int"),
     _c("cost_usd", "numeric"), _c("response_time_ms", "int"), _c("module", limit=100),
     _c("user_name", limit=255, local="x.user_id"), _c("cached", "boolean"),
     _c("outcome", limit=20), _c("created_at", "timestamp"), _c("cache_read_tokens", "int"),
     _c("cache_write_tokens", "int"), _c("reasoning_tokens", "int"),
     _c("finish_reason", limit=50)),
    _IDS.format(table="ai_usage_logs") + _TENANT,
    "ON CONFLICT (client_uuid) DO NOTHING",
)

# The platform's user_id is its own INT user: only a local user that is a number maps to it.
_PLATFORM_USER = ("CASE WHEN s.user_name ~ '^[0-9]{1,10}$' THEN CASE WHEN "
                  "s.user_name::bigint <= 2147483647 THEN s.user_name::int END END")
AUDIT = Table(
    "ai_audit_logs", "ai_audit_logs",
    (_UUID, _c("request_id", limit=64), _c("user_name", limit=255, local="x.user_id"),
     _c("provider", limit=50), _c("model", limit=255), _c("module", limit=100),
     _c("prompt"), _c("response"), _c("tokens_used", "int"), _c("success", "boolean"),
     _c("error_message"), _c("hops", "jsonb"), _c("created_at", "timestamp"),
     _c("finish_reason", limit=50), _c("truncated", "boolean")),
    _IDS.format(table="ai_audit_logs") + _TENANT,
    "ON CONFLICT (client_uuid) DO NOTHING",
    extra=(("user_id", _PLATFORM_USER),),
)

IMAGES = Table(
    "images", "ai_images",
    (_UUID, _c("request_id", limit=64), _c("file_name"), _c("prompt"), _c("preset", limit=20),
     _c("size", limit=20), _c("provider", limit=50), _c("model", limit=255),
     _c("mime", limit=50), _c("bytes", "int"), _c("width", "int"), _c("height", "int"),
     _c("cost_usd", "numeric"), _c("revised_prompt"), _c("created_at", "timestamp")),
    _IDS.format(table="images") + _TENANT,
    "ON CONFLICT (client_uuid) DO NOTHING",
)

_BULK_CHANGES = (_c("state", limit=20), _c("message"), _c("error"), _c("provider", limit=50),
                 _c("model", limit=255), _c("cost_usd", "numeric"), _c("tokens", "int"),
                 _c("request_id", limit=64), _c("finished_at", "timestamp"),
                 _c("updated_at", "timestamp"))
BULK = Table(
    "bulk_items", "ai_bulk_messages",
    (_UUID, _c("job_uuid", "uuid", local="j.id"), _c("brief", local="j.brief"),
     _c("seq", "int"), _c("lead"), _c("language", limit=8), *_BULK_CHANGES),
    # only finished messages: one queued, then sent back to pending, waits for its new end
    _IDS.format(table="bulk_items") + " JOIN bulk_jobs AS j ON j.id = x.job_id "
    "WHERE j.tenant_id = ? AND x.state IN ('done', 'failed')",
    "ON CONFLICT (client_uuid) " + _updated("ai_bulk_messages", _BULK_CHANGES, "<="),
)

TABLES = {t.local: t for t in (CONFIGS, USAGE, AUDIT, IMAGES, BULK)}
