"""Workspaces (one per agency client = tenant): provider configs, limits and preferences."""

from __future__ import annotations

import hashlib
import json
import math
import re
import shlex
import sqlite3
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aidesk.errors import ConfigError
from aidesk.formats import plain
from aidesk.i18n import N_, _
from aidesk.providers import PROVIDER_IDS, PROVIDERS, info
from aidesk.redact import redact
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow

CURRENT_KEY = "current_workspace"
DEFAULT_WORKSPACE = "default"
LIMIT_NAMES = ("requests_per_hour", "tokens_per_day", "cost_per_month")
DEADLINE_KEY = "calls.deadline_s"  # app_state key: overall deadline per call, whole fallback chain
DEFAULT_DEADLINE_S = 120.0
DEADLINE_RANGE = (1.0, 600.0)
TTL_RANGE = (0, 3650)
MAX_COUNT = 10**12  # requests or tokens: far above any real limit, well inside SQLite INTEGER
MAX_COST = 1e9
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    tenant_id: str
    name: str
    cache_ttl_days: int = 7


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    provider: str
    model: str
    base_url: str | None = None
    enabled: bool = False
    position: int = 0
    options: dict[str, Any] = field(default_factory=dict)
    key_fingerprint: str | None = None
    key_mask: str | None = None
    last_test_status: str | None = None
    last_test_message: str | None = None
    last_test_at: datetime | None = None
    stored: bool = False  # a row exists

    @property
    def has_key(self) -> bool:
        return self.key_fingerprint is not None or not PROVIDERS[self.provider].needs_key

    def skip_reason(self) -> str | None:
        """Why the automatic chain passes over this provider, or None when it is usable:
        a key of a table, untranslated (show it with `_()`)."""
        if not self.enabled:
            return N_("disabled")
        if not self.has_key:
            return N_("no key")
        if self.last_test_status == "rejected":
            return N_("key failing (last test rejected it)")
        return None


@dataclass(frozen=True, slots=True)
class Limits:
    requests_per_hour: int | None = None
    tokens_per_day: int | None = None
    cost_per_month: float | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.requests_per_hour, self.tokens_per_day,
                                           self.cost_per_month))


_CONFIG_FIELDS = ("provider", "model", "base_url", "enabled", "position", "options",
                  "key_fingerprint", "key_mask", "last_test_status", "last_test_message",
                  "last_test_at")
# Plain SQL on sqlite3: the router reads configs and limits on every call, and every command
# reads the workspace; SQLAlchemy is not even imported for them. The tables are those of
# aidesk.storage.tables, the values stored as its column types store them.
_CONFIGS = f"SELECT {', '.join(_CONFIG_FIELDS)} FROM ai_configs WHERE tenant_id = ?"
_LIMITS = ("SELECT requests_per_hour, tokens_per_day, cost_per_month FROM ai_limits "
           "WHERE tenant_id = ?")
_WORKSPACE = "SELECT id, tenant_id, name, cache_ttl_days FROM workspaces"
_STATE = "SELECT value FROM app_state WHERE key = ?"
_SET_STATE = ("INSERT INTO app_state (key, value) VALUES (?, ?) "
              "ON CONFLICT (key) DO UPDATE SET value = excluded.value")
_PREFERENCE = ("SELECT provider, model FROM ai_preferences "
               "WHERE tenant_id = ? AND user_id = ? AND module = ?")


# Latin letters that NFKD does not split into an ASCII letter and a mark.
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                          "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d",
                          "ł": "l", "Ł": "l", "þ": "th", "Þ": "th", "ı": "i", "ħ": "h"})


def slug(name: str) -> str:
    """`Ótica Visão` → `otica-visao`; a name with no Latin letters → `workspace-<hash>`."""
    name = unicodedata.normalize("NFC", name.strip())
    plain = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    ascii_name = plain.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48].strip("-")
    return text or f"workspace-{_short_hash(name)}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def check_name(name: str) -> str:
    """The workspace name, NFC-normalised and trimmed, or a ConfigError saying what is wrong."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise ConfigError(_("A workspace needs a name."))
    if len(name) > MAX_NAME:
        raise ConfigError(_("A workspace name has at most {max} characters (this one has "
                            "{count}).").format(max=MAX_NAME, count=len(name)))
    if any(unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") for c in name):
        raise ConfigError(_("A workspace name cannot contain line breaks, control characters "
                            "or invalid text."))
    return name


def check_tenant_id(tenant_id: str) -> str:
    tenant_id = tenant_id.strip()
    if not tenant_id or len(tenant_id) > MAX_NAME or not all("!" <= c <= "~" for c in tenant_id):
        raise ConfigError(_("A tenant id is 1 to {max} ASCII letters, digits or signs, "
                            "without spaces (e.g. acme-01).").format(max=MAX_NAME))
    return tenant_id


class Workspaces:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- workspaces ---------------------------------------------------------------------------
    def add(self, name: str, tenant_id: str | None = None) -> Workspace:
        name = check_name(name)
        existing = self.find(name)
        if existing is not None:
            if existing.name == name:
                raise ConfigError(_("Workspace '{name}' already exists.").format(name=name))
            raise ConfigError(_("'{name}' is already the tenant id of workspace '{workspace}'; "
                                "choose another name.").format(name=name,
                                                               workspace=existing.name))
        now = utcnow()
        explicit = tenant_id is not None
        ws = Workspace(new_id(), check_tenant_id(tenant_id) if tenant_id is not None
                       else slug(name), name)
        with self.db.writing() as conn:
            taken = {str(r[0]) for r in conn.execute(
                "SELECT tenant_id FROM workspaces WHERE tenant_id = ? OR tenant_id LIKE ?",
                (ws.tenant_id, f"{ws.tenant_id}-%"))}
            if ws.tenant_id in taken:
                if explicit:
                    raise ConfigError(_("Tenant id '{tenant}' is already used; pass another "
                                        "with --tenant-id.").format(tenant=ws.tenant_id))
                ws = Workspace(ws.id, _free_id(ws.tenant_id, name, taken), name)
            stamp = utc_text(now)
            conn.execute(
                "INSERT INTO workspaces (id, tenant_id, name, cache_ttl_days, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (ws.id, ws.tenant_id, ws.name, ws.cache_ttl_days, stamp, stamp))
        return ws

    def all(self) -> list[Workspace]:
        with self.db.raw() as conn:
            rows = conn.execute(f"{_WORKSPACE} ORDER BY name").fetchall()
        return [_workspace(r) for r in rows]

    def find(self, name_or_tenant: str) -> Workspace | None:
        name_or_tenant = unicodedata.normalize("NFC", name_or_tenant.strip())
        with self.db.raw() as conn:
            row = conn.execute(f"{_WORKSPACE} WHERE name = ? OR tenant_id = ?",
                               (name_or_tenant, name_or_tenant)).fetchone()
        return _workspace(row) if row else None

    def get(self, name: str | None = None, *, create: bool = True) -> Workspace:
        """The named workspace, else the current one (creating `default` on first use).

        With `create=False` nothing is written: before the first workspace exists, an
        unsaved `default` is returned (its settings read as the defaults).
        """
        if name:
            ws = self.find(name)
            if ws is None:
                shown = name.strip() if name.strip().isprintable() else repr(name.strip())
                raise ConfigError(
                    _("No workspace named '{name}'.").format(name=shown),
                    cli_hint=_("Create it with `aidesk workspace add {name}`.").format(
                        name=shlex.quote(shown)),
                    gui_hint=_("Create it with New workspace at the top of the window."))
            return ws
        current = self._state(CURRENT_KEY)
        ws = self.find(current) if current else None
        if ws is None:
            ws = self.find(DEFAULT_WORKSPACE)
            if ws is None and not create:
                return Workspace("", DEFAULT_WORKSPACE, DEFAULT_WORKSPACE)
            ws = ws or self.add(DEFAULT_WORKSPACE)
            if create:
                self.set_current(ws)
        return ws

    def set_current(self, ws: Workspace) -> None:
        self._set_state(CURRENT_KEY, ws.tenant_id)

    def _state(self, key: str, conn: sqlite3.Connection | None = None) -> str | None:
        with self._reading(conn) as c:
            row = c.execute(_STATE, (key,)).fetchone()
        value = None if row is None else row[0]
        return None if value is None else str(value)

    def _set_state(self, key: str, value: str) -> None:
        with self.db.writing() as conn:
            conn.execute(_SET_STATE, (key, value))

    # -- global settings (app_state) ----------------------------------------------------------
    def call_deadline_s(self, conn: sqlite3.Connection | None = None) -> float:
        """Overall deadline of one call across the whole fallback chain (`calls.deadline_s`)."""
        raw = self._state(DEADLINE_KEY, conn)
        try:
            value = float(raw) if raw is not None else DEFAULT_DEADLINE_S
        except ValueError:
            return DEFAULT_DEADLINE_S
        low, high = DEADLINE_RANGE
        return value if low <= value <= high else DEFAULT_DEADLINE_S

    def set_call_deadline(self, seconds: float) -> None:
        low, high = DEADLINE_RANGE
        if not (low <= seconds <= high):  # also refuses nan
            raise ConfigError(_("calls.deadline_s must be between {low} and {high} "
                                "seconds.").format(low=plain(low), high=plain(high)))
        self._set_state(DEADLINE_KEY, repr(float(seconds)))

    def set_cache_ttl(self, ws: Workspace, days: int) -> None:
        low, high = TTL_RANGE
        if not low <= days <= high or days != int(days):
            raise ConfigError(_("cache.ttl_days must be a whole number from {low} (no cache) "
                                "to {high}.").format(low=low, high=high))
        with self.db.writing() as conn:
            conn.execute("UPDATE workspaces SET cache_ttl_days = ?, updated_at = ? WHERE id = ?",
                         (days, utc_text(utcnow()), ws.id))

    # -- provider configs ---------------------------------------------------------------------
    @contextmanager
    def _reading(self, conn: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
        if conn is not None:
            yield conn
        else:
            with self.db.raw() as own:
                yield own

    def configs(self, tenant_id: str, conn: sqlite3.Connection | None = None
                ) -> dict[str, ProviderConfig]:
        """Every known provider, stored or not, in fallback order."""
        with self._reading(conn) as c:
            rows = c.execute(_CONFIGS, (tenant_id,)).fetchall()
        stored = {r[0]: _config(r) for r in rows if r[0] in PROVIDERS}
        out = [stored.get(p) or ProviderConfig(p, PROVIDERS[p].default_model,
                                               position=100 + i)
               for i, p in enumerate(PROVIDER_IDS)]
        return {c.provider: c for c in sorted(out, key=lambda c: c.position)}

    def config(self, tenant_id: str, provider: str) -> ProviderConfig:
        info(provider)
        return self.configs(tenant_id)[provider]

    def update_config(self, tenant_id: str, provider: str, **values: Any) -> ProviderConfig:
        info(provider)
        unknown = set(values) - _UPDATABLE
        if unknown:
            raise TypeError(f"not a provider setting: {', '.join(sorted(unknown))}")
        stamp = utc_text(utcnow())
        with self.db.writing() as conn:
            row = conn.execute("SELECT id FROM ai_configs WHERE tenant_id = ? AND provider = ?",
                               (tenant_id, provider)).fetchone()
            if row:
                changes = values | {"updated_at": stamp}
                conn.execute(
                    f"UPDATE ai_configs SET {', '.join(f'{k} = ?' for k in changes)} "
                    "WHERE id = ?", (*(_bind(v) for v in changes.values()), row[0]))
            else:
                (position,) = conn.execute("SELECT count(*) FROM ai_configs WHERE tenant_id = ?",
                                           (tenant_id,)).fetchone()
                # A new row stays off until a key is stored or it is enabled on purpose.
                defaults = {"model": PROVIDERS[provider].default_model, "enabled": False,
                            "position": position, "options": {}}
                _insert(conn, "ai_configs", {
                    "id": new_id(), "tenant_id": tenant_id, "provider": provider,
                    "created_at": stamp, "updated_at": stamp, **(defaults | values)})
        return self.config(tenant_id, provider)

    def set_fallback_order(self, tenant_id: str, providers: list[str]) -> None:
        for p in providers:
            info(p)
        if len(set(providers)) != len(providers):
            raise ConfigError(_("fallback lists a provider twice."))
        stored = [c.provider for c in self.configs(tenant_id).values() if c.stored]
        rest = [p for p in stored if p not in providers]
        for position, provider in enumerate(providers + rest):
            self.update_config(tenant_id, provider, position=position)

    def record_test(self, tenant_id: str, provider: str, status: str, message: str) -> None:
        self.update_config(tenant_id, provider, last_test_status=status,
                           last_test_message=redact(message)[:1000], last_test_at=utcnow())

    # -- limits -------------------------------------------------------------------------------
    def limits(self, tenant_id: str, conn: sqlite3.Connection | None = None) -> Limits:
        with self._reading(conn) as c:
            row = c.execute(_LIMITS, (tenant_id,)).fetchone()
        if row is None:
            return Limits()
        return Limits(*row)

    def set_limit(self, tenant_id: str, name: str, value: float | None) -> None:
        if name not in LIMIT_NAMES:
            raise ConfigError(_("Unknown limit '{name}'. Known: {known}.").format(
                name=name, known=", ".join(LIMIT_NAMES)))
        if value is not None:
            whole = name != "cost_per_month"
            high = MAX_COST if not whole else MAX_COUNT
            if not math.isfinite(value) or not 0 <= value <= high:
                raise ConfigError(_("limits.{name} must be between 0 and {high} (or "
                                    "'none').").format(name=name, high=plain(high)))
            if whole and not float(value).is_integer():
                raise ConfigError(_("limits.{name} must be a whole number (or 'none').").format(
                    name=name))
            value = int(value) if whole else float(value)
        stamp = utc_text(utcnow())
        with self.db.writing() as conn:
            # `name` is one of LIMIT_NAMES (checked above): a column name, never user text.
            if conn.execute("SELECT 1 FROM ai_limits WHERE tenant_id = ?",
                            (tenant_id,)).fetchone():
                conn.execute(f"UPDATE ai_limits SET {name} = ?, updated_at = ? "
                             "WHERE tenant_id = ?", (value, stamp, tenant_id))
            else:
                _insert(conn, "ai_limits", {"id": new_id(), "tenant_id": tenant_id, name: value,
                                            "created_at": stamp, "updated_at": stamp})

    # -- preferences (per user and module) ----------------------------------------------------
    def preference(
        self, tenant_id: str, user_id: str, module: str, conn: sqlite3.Connection | None = None
    ) -> tuple[str, str | None] | None:
        with self._reading(conn) as reader:
            row = reader.execute(_PREFERENCE, (tenant_id, user_id, module)).fetchone()
        if row is None or row[0] is None:
            return None
        return str(row[0]), row[1]

    def set_preference(self, tenant_id: str, user_id: str, module: str,
                       provider: str | None, model: str | None = None) -> None:
        if provider is not None:
            info(provider)
        stamp = utc_text(utcnow())
        key = (tenant_id, user_id, module)
        with self.db.writing() as conn:
            if conn.execute(_PREFERENCE, key).fetchone():
                conn.execute("UPDATE ai_preferences SET provider = ?, model = ?, updated_at = ? "
                             "WHERE tenant_id = ? AND user_id = ? AND module = ?",
                             (provider, model, stamp, *key))
            else:
                _insert(conn, "ai_preferences", {
                    "id": new_id(), "tenant_id": tenant_id, "user_id": user_id,
                    "module": module, "provider": provider, "model": model,
                    "created_at": stamp, "updated_at": stamp})


def _free_id(base: str, name: str, taken: set[str]) -> str:
    """A tenant id derived from `base` that no workspace uses yet, stable for this name."""
    candidate = f"{base}-{_short_hash(name)[:6]}"
    number = 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def _workspace(row: tuple[Any, ...]) -> Workspace:
    """A workspace from a `_WORKSPACE` row."""
    return Workspace(*row)


_UPDATABLE = frozenset(_CONFIG_FIELDS) - {"provider"}


def _bind(value: Any) -> Any:
    """A value as the schema's column types store it: instants as UTC text, JSON as text."""
    if isinstance(value, datetime):
        return utc_text(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return value


def _insert(conn: sqlite3.Connection, table: str, row: dict[str, Any]) -> None:
    """Insert `row` into `table` (names from this module's code, never from input)."""
    conn.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                 tuple(_bind(v) for v in row.values()))


def _config(row: tuple[Any, ...]) -> ProviderConfig:
    """A config from a `_CONFIGS` row (raw SQLite values: JSON text, UTC text)."""
    (provider, model, base_url, enabled, position, options, fingerprint, mask, status,
     message, tested_at) = row
    return ProviderConfig(
        provider=provider, model=model or PROVIDERS[provider].default_model,
        base_url=base_url, enabled=bool(enabled), position=position,
        options=dict(json.loads(options) if options else {}), key_fingerprint=fingerprint,
        key_mask=mask, last_test_status=status, last_test_message=message,
        last_test_at=utc_from_text(tested_at) if tested_at else None, stored=True)
