"""Named settings (`providers.openai.model`, `limits.tokens_per_day`, …) over the workspace store.

The CLI's `config get/set` and the UI both go through here, so a setting has one spelling.
"""

from __future__ import annotations

from aidesk.errors import ConfigError
from aidesk.providers import PROVIDER_IDS, info
from aidesk.workspaces import DEADLINE_KEY, LIMIT_NAMES, Workspace, Workspaces

PROVIDER_FIELDS = ("model", "base_url", "enabled", "timeout_s")
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
NONE = {"", "none", "null", "default"}


def setting_names() -> list[str]:
    names = [f"providers.{p}.{f}" for p in PROVIDER_IDS for f in PROVIDER_FIELDS]
    return [*names, "fallback", *(f"limits.{n}" for n in LIMIT_NAMES), "cache.ttl_days",
            DEADLINE_KEY]


def get(store: Workspaces, ws: Workspace, key: str) -> str:
    section, name, field = _parse(key)
    if section == "providers":
        config = store.config(ws.tenant_id, name)
        if field == "timeout_s":
            return _show(float(config.options.get("timeout_s", 60)))
        value = getattr(config, field)
        return _show(value)
    if section == "fallback":
        configs = store.configs(ws.tenant_id).values()
        return ",".join(c.provider for c in configs if c.stored and c.enabled)
    if section == "limits":
        return _show(getattr(store.limits(ws.tenant_id), name))
    if section == "calls":
        return _show(store.call_deadline_s())
    return str(ws.cache_ttl_days)


def set(store: Workspaces, ws: Workspace, key: str, value: str) -> None:
    section, name, field = _parse(key)
    raw = value.strip()
    if section == "providers":
        if field == "enabled":
            store.update_config(ws.tenant_id, name, enabled=_bool(key, raw))
        elif field == "timeout_s":
            config = store.config(ws.tenant_id, name)
            options = dict(config.options) | {"timeout_s": _number(key, raw)}
            store.update_config(ws.tenant_id, name, options=options)
        elif field == "base_url":
            if raw.lower() not in NONE and not raw.startswith(("http://", "https://")):
                raise ConfigError(f"{key} must start with http:// or https:// (or be 'default').")
            store.update_config(ws.tenant_id, name,
                                base_url=None if raw.lower() in NONE else raw.rstrip("/"))
        else:
            if raw.lower() in NONE:
                raise ConfigError(f"{key} needs a model name.")
            store.update_config(ws.tenant_id, name, model=raw)
    elif section == "fallback":
        order = [p.strip() for p in raw.split(",") if p.strip()]
        store.set_fallback_order(ws.tenant_id, order)
        for provider in order:
            store.update_config(ws.tenant_id, provider, enabled=True)
    elif section == "limits":
        store.set_limit(ws.tenant_id, name, None if raw.lower() in NONE else _number(key, raw))
    elif section == "calls":
        store.set_call_deadline(_number(key, raw))
    else:
        store.set_cache_ttl(ws, int(_number(key, raw)))


def _parse(key: str) -> tuple[str, str, str]:
    parts = key.strip().split(".")
    if parts[0] == "providers" and len(parts) == 3 and parts[2] in PROVIDER_FIELDS:
        info(parts[1])
        return "providers", parts[1], parts[2]
    if parts == ["fallback"]:
        return "fallback", "", ""
    if parts[0] == "limits" and len(parts) == 2 and parts[1] in LIMIT_NAMES:
        return "limits", parts[1], ""
    if key.strip() == DEADLINE_KEY:
        return "calls", "deadline_s", ""
    if parts == ["cache", "ttl_days"]:
        return "cache", "ttl_days", ""
    raise ConfigError(f"Unknown setting '{key}'. Settings: {', '.join(setting_names())}.")


def _show(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bool(key: str, raw: str) -> bool:
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ConfigError(f"{key} must be true or false.")


def _number(key: str, raw: str) -> float:
    try:
        number = float(raw)
    except ValueError:
        raise ConfigError(f"{key} must be a number (got '{raw}').") from None
    if number < 0:
        raise ConfigError(f"{key} must be 0 or more.")
    return number
