"""The team's policies as last pulled from the centre (`team_policies`): locks and allow-lists.

A policy names a workspace setting of aidesk.settings (`limits.tokens_per_day`, `fallback`,
`providers.openai.model`, …) with a value as `aidesk config set` takes it, or one of the
policy-only lists in POLICY_ONLY (comma lists of providers or models the team allows).
A mandatory policy locks its setting: `aidesk config set` (aidesk.settings.set) refuses to
change it, and the desktop shows it locked. The allow-lists hold whatever the flag says:
the router passes over a provider or model the team does not allow.

Reads only: aidesk.sync.pull writes the table. Plain SQL on sqlite3 (the router reads the
allow-lists on every call); no psycopg here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from aidesk.errors import ConfigError
from aidesk.i18n import _
from aidesk.storage import Database

ALLOWED_PROVIDERS = "team.allowed_providers"
ALLOWED_MODELS = "team.allowed_models"
POLICY_ONLY = (ALLOWED_PROVIDERS, ALLOWED_MODELS)
_NONE = {"", "none", "null", "all", "*"}
_TRUE = {"1", "true", "yes", "on"}  # as aidesk.settings reads a boolean

_LOCKED = "SELECT setting, value FROM team_policies WHERE tenant_id = ? AND mandatory"
_ALLOWED = (f"SELECT setting, value FROM team_policies WHERE tenant_id = ? "
            f"AND setting IN ('{ALLOWED_PROVIDERS}', '{ALLOWED_MODELS}')")

Allowed = tuple[frozenset[str] | None, frozenset[str] | None]


@contextmanager
def _conn(db: Database | sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    if isinstance(db, sqlite3.Connection):
        yield db
    else:
        with db.raw() as conn:
            yield conn


def normal(setting: str) -> str:
    """A setting's name as the table keeps it: trimmed, lower case."""
    return setting.strip().lower()


def names(value: str) -> frozenset[str] | None:
    """The names of a comma list (`openai, anthropic`); None for an empty list, `none` or
    `all`: no restriction."""
    if value.strip().lower() in _NONE:
        return None
    found = frozenset(n.strip() for n in value.split(",") if n.strip())
    return found or None


def locked(db: Database | sqlite3.Connection, tenant_id: str) -> dict[str, str]:
    """The tenant's mandatory policies: setting → value."""
    with _conn(db) as conn:
        return {str(s): str(v) for s, v in conn.execute(_LOCKED, (tenant_id,))}


def lock_for(locks: dict[str, str], key: str) -> tuple[str, str] | None:
    """The mandatory policy (setting, value) that holds `key`, or None when it is free.

    `providers.X.enabled` of a chat provider is held by a mandatory `fallback` too: turning
    a provider on or off changes the fallback order."""
    key = normal(key)
    if key in locks:
        return key, locks[key]
    parts = key.split(".")
    if "fallback" in locks and len(parts) == 3 and parts[0] == "providers" \
            and parts[2] == "enabled":
        from aidesk.providers import CHAT_PROVIDER_IDS

        if parts[1] in CHAT_PROVIDER_IDS:
            return "fallback", locks["fallback"]
    return None


def check_unlocked(db: Database | sqlite3.Connection, tenant_id: str, key: str) -> None:
    """ConfigError when a mandatory team policy holds `key`."""
    held = lock_for(locked(db, tenant_id), key)
    if held is None:
        return
    setting, value = held
    if setting == normal(key):
        raise ConfigError(_("{key} is set by your team's policy ({value}); only your team's "
                            "AIDesk admin can change it.").format(key=setting, value=value))
    raise ConfigError(_("{key} is held by your team's policy on {setting} ({value}); only "
                        "your team's AIDesk admin can change it.").format(
                            key=normal(key), setting=setting, value=value))


def allowed(db: Database | sqlite3.Connection, tenant_id: str) -> Allowed:
    """(providers, models) the team allows; None where it sets no restriction."""
    with _conn(db) as conn:
        rows = dict(conn.execute(_ALLOWED, (tenant_id,)).fetchall())
    providers, models = rows.get(ALLOWED_PROVIDERS), rows.get(ALLOWED_MODELS)
    listed = None if providers is None else names(str(providers).lower())
    return (listed,
            None if models is None else names(str(models)))


def provider_allowed(team: Allowed, provider: str) -> bool:
    return team[0] is None or provider in team[0]


def model_allowed(team: Allowed, provider: str, model: str) -> bool:
    """A model is allowed when the list names it alone or as `provider/model`."""
    models = team[1]
    return models is None or model in models or f"{provider}/{model}" in models


def check_allowed(db: Database | sqlite3.Connection, tenant_id: str, key: str,
                  value: str) -> None:
    """ConfigError when `aidesk config set key value` would pick a provider or a model the
    team does not allow (turning a provider on, ordering it in fallback, naming a model)."""
    team = allowed(db, tenant_id)
    if team == (None, None):
        return
    parts = normal(key).split(".")
    raw = value.strip()
    refused: list[str] = []
    if parts == ["fallback"]:
        refused = [p.strip().lower() for p in raw.split(",")
                   if p.strip() and not provider_allowed(team, p.strip().lower())]
    elif len(parts) == 3 and parts[0] == "providers" and parts[2] == "enabled":
        if raw.lower() in _TRUE and not provider_allowed(team, parts[1]):
            refused = [parts[1]]
    elif len(parts) == 3 and parts[0] == "providers" and parts[2].endswith("model") \
            and raw.lower() not in ("", "default", "none") \
            and not model_allowed(team, parts[1], raw):
        raise ConfigError(_("Your team's policy does not allow the model {model}; allowed "
                            "models: {models}.").format(
                                model=raw, models=", ".join(sorted(team[1] or ()))))
    if refused:
        raise ConfigError(_("Your team's policy does not allow {providers}; allowed "
                            "providers: {allowed}.").format(
                                providers=", ".join(refused),
                                allowed=", ".join(sorted(team[0] or ()))))


def check_value(setting: str, value: str) -> None:
    """ConfigError when a policy-only list is not valid (an unknown provider, no name)."""
    if setting == ALLOWED_PROVIDERS:
        from aidesk.providers import PROVIDER_IDS

        unknown = sorted((names(value) or frozenset()) - frozenset(PROVIDER_IDS))
        if unknown:
            raise ConfigError(_("{setting} names unknown providers {names}; known providers: "
                                "{known}.").format(setting=setting, names=", ".join(unknown),
                                                   known=", ".join(PROVIDER_IDS)))
    elif setting == ALLOWED_MODELS and (len(value) > 10_000 or any(
            c.isspace() or not c.isprintable() for c in value.replace(" ", ""))):
        raise ConfigError(_("{setting} must be a comma list of model names.").format(
            setting=setting))
