"""Named settings (`providers.openai.model`, `limits.tokens_per_day`, …) over the workspace store.

The CLI's `config get/set` and the UI both go through here, so a setting has one spelling
and one validation: every value is checked for type and range, and a refusal is one
sentence that names the setting and what it accepts.
"""

from __future__ import annotations

import math
import re
from urllib.parse import urlsplit

from aidesk.errors import ConfigError
from aidesk.i18n import LANGUAGES, _, ngettext, pick
from aidesk.i18n import SETTING as LANGUAGE_KEY
from aidesk.providers import CHAT_PROVIDER_IDS, PROVIDER_IDS, PROVIDERS, info
from aidesk.workspaces import (
    DEADLINE_KEY,
    DEADLINE_RANGE,
    LIMIT_NAMES,
    MAX_COST,
    MAX_COUNT,
    TTL_RANGE,
    Workspace,
    Workspaces,
)

PROVIDER_FIELDS = ("model", "base_url", "enabled", "timeout_s")
# The image or transcription model of a provider that also chats (the card's `model` is its
# chat model; a provider that only makes images, Stability, uses `model`): kept in its options.
MEDIA_FIELDS = {"image_model": "images", "transcription_model": "transcription"}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
NONE = {"", "none", "null", "default"}
TIMEOUT_RANGE = (1.0, 600.0)
DEFAULT_TIMEOUT_S = 60.0
RATE_KEY = "currency.brl_per_usd"  # app_state: reais per US dollar, for R$ beside US$ costs
AUTO_TRANSLATE_KEY = "chat.auto_translate"  # app_state: translate incoming messages to pt
BULK_CONCURRENCY_KEY = "bulk.concurrency"  # app_state: bulk messages written at the same time
BULK_CONCURRENCY_RANGE = (1, 32)
DEFAULT_BULK_CONCURRENCY = 4
AUDIT_RETENTION_KEY = "audit.retention_days"  # app_state: purge audit rows older (none: keep)
AUDIT_RETENTION_RANGE = (1, 3650)
AUDIT_KEEP_TEXT_KEY = "audit.keep_text"  # app_state: false: audit rows keep no prompt/answer
MAX_RATE = 1e6
LANGUAGE_CHOICES = ("system", *LANGUAGES)  # pt_BR | en | system (restart to apply)
GLOBAL_KEYS = (DEADLINE_KEY, LANGUAGE_KEY, RATE_KEY, AUTO_TRANSLATE_KEY, BULK_CONCURRENCY_KEY,
               AUDIT_RETENTION_KEY, AUDIT_KEEP_TEXT_KEY)
SYNC_DSN_KEY = "sync.dsn"  # per workspace: its central PostgreSQL (aidesk.sync.target)
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d{1,2}")  # `50,00`, `12,5`: unambiguous (not `1,000`)


def media_fields(provider: str) -> list[str]:
    """`image_model` / `transcription_model` where the provider has that capability besides chat."""
    meta = PROVIDERS[provider]
    return [f for f, capability in MEDIA_FIELDS.items()
            if capability in meta.capabilities and "chat" in meta.capabilities]


def setting_names() -> list[str]:
    names = [f"providers.{p}.{f}" for p in PROVIDER_IDS
             for f in (*PROVIDER_FIELDS, *media_fields(p))]
    return [*names, "fallback", *(f"limits.{n}" for n in LIMIT_NAMES), "cache.ttl_days",
            SYNC_DSN_KEY, *GLOBAL_KEYS]


def get(store: Workspaces, ws: Workspace, key: str) -> str:
    section, name, field = _parse(key)
    if section == "providers":
        config = store.config(ws.tenant_id, name)
        if field == "timeout_s":
            return _show(timeout_of(config.options))
        if field in MEDIA_FIELDS:
            from aidesk.router.route import model_for

            return model_for(config, MEDIA_FIELDS[field])
        value = getattr(config, field)
        return _show(value)
    if section == "fallback":  # the chat chain: a provider that only makes images is not in it
        configs = store.configs(ws.tenant_id).values()
        return ",".join(c.provider for c in configs if c.stored and c.enabled
                        and c.provider in CHAT_PROVIDER_IDS) or "none"
    if section == "limits":
        return _show(getattr(store.limits(ws.tenant_id), name))
    if section == "calls":
        return _show(store.call_deadline_s())
    if section == "ui":
        return language_choice(store)
    if section == "currency":
        return _show(brl_per_usd(store))
    if section == "chat":
        return _show(auto_translate(store))
    if section == "bulk":
        return _show(bulk_concurrency(store))
    if section == "audit":
        return _show(audit_retention_days(store) if name == "retention_days"
                     else audit_keep_text(store))
    if section == "sync":
        with store.db.raw() as conn:
            row = conn.execute("SELECT dsn FROM sync_targets WHERE tenant_id = ?",
                               (ws.tenant_id,)).fetchone()
        return _show(None if row is None else str(row[0]))
    return str(ws.cache_ttl_days)


def set(store: Workspaces, ws: Workspace, key: str, value: str, *,
        by_team: bool = False) -> list[str]:
    """Validate and store one setting; return notes on what else changed (may be empty).

    A setting a mandatory team policy holds is refused, as is a provider or model the team
    does not allow (aidesk.sync.policies); `by_team` is the pull applying the policy itself.
    """
    section, name, field = _parse(key)
    key = key.strip()
    raw = value.strip()
    if section == "sync":
        return _set_sync_dsn(store, ws, raw)
    if not by_team:
        from aidesk.sync import policies

        policies.check_unlocked(store.db, ws.tenant_id, key)
        policies.check_allowed(store.db, ws.tenant_id, key, raw)
    if section == "providers":
        if field == "enabled":
            store.update_config(ws.tenant_id, name, enabled=_bool(key, raw))
        elif field == "timeout_s":
            seconds = _number(key, raw, low=TIMEOUT_RANGE[0], high=TIMEOUT_RANGE[1], unit="s")
            config = store.config(ws.tenant_id, name)
            store.update_config(ws.tenant_id, name,
                                options=dict(config.options) | {"timeout_s": seconds})
        elif field == "base_url":
            store.update_config(ws.tenant_id, name,
                                base_url=None if raw.lower() in NONE else base_url(key, raw))
        elif field in MEDIA_FIELDS:  # `default` goes back to the provider's default model
            options = dict(store.config(ws.tenant_id, name).options)
            options.pop(field, None)
            if raw.lower() not in ("default", ""):
                options[field] = _model(key, raw)
            store.update_config(ws.tenant_id, name, options=options)
        else:
            store.update_config(ws.tenant_id, name, model=_model(key, raw))
        return []
    if section == "fallback":
        return _set_fallback(store, ws, raw)
    if section == "limits":
        if raw.lower() in NONE:
            store.set_limit(ws.tenant_id, name, None)
        elif name == "cost_per_month":
            store.set_limit(ws.tenant_id, name, _number(key, raw, low=0, high=MAX_COST))
        else:
            store.set_limit(ws.tenant_id, name,
                            _number(key, raw, low=0, high=MAX_COUNT, whole=True))
    elif section == "ui":
        _set_language(store, key, raw)
    elif section == "currency":
        _set_rate(store, key, raw)
    elif section == "chat":
        store._set_state(AUTO_TRANSLATE_KEY, _show(_bool(key, raw)))
    elif section == "bulk":
        low, high = BULK_CONCURRENCY_RANGE
        store._set_state(BULK_CONCURRENCY_KEY,
                         _show(_number(key, raw, low=low, high=high, whole=True)))
    elif section == "audit" and name == "keep_text":
        store._set_state(AUDIT_KEEP_TEXT_KEY, _show(_bool(key, raw)))
    elif section == "audit":
        low, high = AUDIT_RETENTION_RANGE
        store._set_state(AUDIT_RETENTION_KEY, "none" if raw.lower() in NONE | {"off"} else
                         _show(_number(key, raw, low=low, high=high, whole=True, unit="days")))
    elif section == "calls":
        store.set_call_deadline(
            _number(key, raw, low=DEADLINE_RANGE[0], high=DEADLINE_RANGE[1], unit="s"))
    else:
        store.set_cache_ttl(ws, int(_number(key, raw, low=TTL_RANGE[0], high=TTL_RANGE[1],
                                            whole=True, unit="days")))
    return []


def timeout_of(options: dict[str, object]) -> float:
    """A provider's read timeout from its options, the default when unset or out of range."""
    value = options.get("timeout_s")
    if isinstance(value, int | float) and TIMEOUT_RANGE[0] <= value <= TIMEOUT_RANGE[1]:
        return float(value)
    return DEFAULT_TIMEOUT_S


def _set_fallback(store: Workspaces, ws: Workspace, raw: str) -> list[str]:
    order = [p.strip().lower() for p in raw.split(",") if p.strip()]
    if not order or raw.lower() in NONE:
        raise ConfigError(
            _("fallback needs at least one provider, in order."),
            cli_hint=_("E.g. `aidesk config set fallback anthropic,openai`."),
            gui_hint=_("E.g. anthropic, openai."))
    unknown = [p for p in order if p not in PROVIDERS]
    if unknown:
        names = ", ".join(f"'{_echo(p)}'" for p in unknown)
        raise ConfigError(ngettext("fallback names unknown provider {names}; known providers: "
                                   "{known}.",
                                   "fallback names unknown providers {names}; known providers: "
                                   "{known}.", len(unknown)).format(
                                       names=names, known=", ".join(PROVIDER_IDS)))
    no_chat = [p for p in order if p not in CHAT_PROVIDER_IDS]
    if no_chat:
        raise ConfigError(
            _("fallback orders the providers that answer text; {providers} only makes images "
              "and keeps its own place.").format(providers=_both(no_chat)),
            cli_hint=_("Turn it on or off with `aidesk config set providers.{provider}.enabled "
                       "true|false`.").format(provider=no_chat[0]),
            gui_hint=_("Turn it on or off on its card in Integrations."))
    twice = sorted({p for p in order if order.count(p) > 1}, key=order.index)
    if twice:
        raise ConfigError(_("fallback lists {providers} more than once; name each provider "
                             "once, in the order to try them.").format(
                                 providers=_both(twice)))
    before = store.configs(ws.tenant_id)
    left_out = [p for p, c in before.items() if c.stored and c.enabled and p not in order
                and p in CHAT_PROVIDER_IDS]
    store.set_fallback_order(ws.tenant_id, order)
    for provider in order:
        store.update_config(ws.tenant_id, provider, enabled=True)
    for provider in left_out:
        store.update_config(ws.tenant_id, provider, enabled=False)
    notes = []
    if left_out:
        many = len(left_out)
        notes.append(pick(
            ngettext("{providers} is now disabled (not in the list); turn one back on with "
                     "`aidesk config set providers.{provider}.enabled true`.",
                     "{providers} are now disabled (not in the list); turn one back on with "
                     "`aidesk config set providers.{provider}.enabled true`.", many),
            ngettext("{providers} is now disabled (not in the list); turn one back on in "
                     "Settings (Ctrl+,).",
                     "{providers} are now disabled (not in the list); turn one back on in "
                     "Settings (Ctrl+,).", many),
        ).format(providers=_both(left_out), provider=left_out[0]))
    keyless = [p for p in order if not store.config(ws.tenant_id, p).has_key]
    if keyless:
        many = len(keyless)
        notes.append(pick(
            ngettext("{providers} has no key yet and will be skipped until one is set with "
                     "`aidesk keys set {provider}`.",
                     "{providers} have no key yet and will be skipped until one is set with "
                     "`aidesk keys set {provider}`.", many),
            ngettext("{providers} has no key yet and will be skipped until one is added in "
                     "Integrations.",
                     "{providers} have no key yet and will be skipped until one is added in "
                     "Integrations.", many),
        ).format(providers=_both(keyless), provider=keyless[0]))
    return notes


def _set_sync_dsn(store: Workspaces, ws: Workspace, raw: str) -> list[str]:
    """`sync.dsn`: the workspace's central database (`none` stops syncing); the rows the
    workspace already has are queued for it."""
    from aidesk.sync import target

    if not ws.id:  # the unsaved `default`: save it first, it needs a row to sync
        ws = store.get()
    queued = target.configure(store.db, ws.tenant_id,
                              None if raw.lower() in NONE | {"off"} else raw)
    if not queued:
        return []
    return [pick(
        ngettext("{count} row is queued for the central database; set its password with "
                 "`aidesk sync login`, then run `aidesk sync`.",
                 "{count} rows are queued for the central database; set its password with "
                 "`aidesk sync login`, then run `aidesk sync`.", queued),
        ngettext("{count} row is queued for the central database; it is sent at the next "
                 "sync.",
                 "{count} rows are queued for the central database; they are sent at the next "
                 "sync.", queued)).format(count=queued)]


def _both(names: list[str]) -> str:
    """`a`, `a and b`, `a, b and c` (in the user's language)."""
    if len(names) == 1:
        return names[0]
    return _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])


def _parse(key: str) -> tuple[str, str, str]:
    parts = key.strip().lower().split(".")
    if parts[0] == "providers" and len(parts) == 3 and parts[2] in PROVIDER_FIELDS:
        info(parts[1])
        return "providers", parts[1], parts[2]
    if (parts[0] == "providers" and len(parts) == 3 and parts[1] in PROVIDERS
            and parts[2] in media_fields(parts[1])):
        return "providers", parts[1], parts[2]
    if parts == ["fallback"]:
        return "fallback", "", ""
    if parts[0] == "limits" and len(parts) == 2 and parts[1] in LIMIT_NAMES:
        return "limits", parts[1], ""
    if ".".join(parts) == DEADLINE_KEY:
        return "calls", "deadline_s", ""
    if parts == ["cache", "ttl_days"]:
        return "cache", "ttl_days", ""
    if ".".join(parts) == LANGUAGE_KEY:
        return "ui", "language", ""
    if ".".join(parts) == RATE_KEY:
        return "currency", "brl_per_usd", ""
    if ".".join(parts) == AUTO_TRANSLATE_KEY:
        return "chat", "auto_translate", ""
    if ".".join(parts) == BULK_CONCURRENCY_KEY:
        return "bulk", "concurrency", ""
    if ".".join(parts) in (AUDIT_RETENTION_KEY, AUDIT_KEEP_TEXT_KEY):
        return "audit", parts[1], ""
    if ".".join(parts) == SYNC_DSN_KEY:
        return "sync", "dsn", ""
    raise ConfigError(_("Unknown setting '{key}'; settings: {settings}.").format(
        key=_echo(key.strip()), settings=(
            "providers.<provider>.model|base_url|enabled|timeout_s, "
            "providers.openai|openrouter.image_model, providers.openai|groq.transcription_model, "
            "fallback, "
            f"limits.{'|'.join(LIMIT_NAMES)}, cache.ttl_days, {SYNC_DSN_KEY}, "
            f"{', '.join(GLOBAL_KEYS)}")))


# -- global settings kept in app_state: the language and the currency rate -----------------------
def language_choice(store: Workspaces) -> str:
    """`ui.language`: pt_BR, en or system (the default: follow the computer's locale)."""
    value = store._state(LANGUAGE_KEY)
    return value if value in LANGUAGE_CHOICES else "system"


def brl_per_usd(store: Workspaces) -> float | None:
    """`currency.brl_per_usd`: reais per US dollar, None when no rate is set."""
    raw = store._state(RATE_KEY)
    try:
        value = float(raw) if raw else None
    except ValueError:
        return None
    return value if value is not None and 0 <= value <= MAX_RATE else None


def auto_translate(store: Workspaces) -> bool:
    """`chat.auto_translate`: translate incoming messages in another language to Portuguese
    as a conversation opens (default off: every translation is a paid call)."""
    return store._state(AUTO_TRANSLATE_KEY) == "true"


def audit_retention_days(store: Workspaces) -> int | None:
    """`audit.retention_days`: audit rows older than this many days are purged (default
    none: kept for ever)."""
    raw = store._state(AUDIT_RETENTION_KEY)
    low, high = AUDIT_RETENTION_RANGE
    return int(raw) if raw and raw.isdigit() and low <= int(raw) <= high else None


def audit_keep_text(store: Workspaces) -> bool:
    """`audit.keep_text`: audit rows keep the prompt and the answer (default true; false:
    metadata only, see aidesk.router.records)."""
    return store._state(AUDIT_KEEP_TEXT_KEY) != "false"


def bulk_concurrency(store: Workspaces) -> int:
    """`bulk.concurrency`: how many bulk messages are written at the same time (1–32,
    default 4); the workspace limits and a provider's rate limit can hold them back."""
    raw = store._state(BULK_CONCURRENCY_KEY)
    low, high = BULK_CONCURRENCY_RANGE
    return int(raw) if raw and raw.isdigit() and low <= int(raw) <= high \
        else DEFAULT_BULK_CONCURRENCY


def _set_language(store: Workspaces, key: str, raw: str) -> None:
    choice = {c.lower(): c for c in LANGUAGE_CHOICES}.get(raw.lower().replace("-", "_"))
    if choice is None:
        raise ConfigError(_("{key} must be one of {choices}, not '{value}'.").format(
            key=key, choices=", ".join(LANGUAGE_CHOICES), value=_echo(raw)))
    store._set_state(LANGUAGE_KEY, choice)


def _set_rate(store: Workspaces, key: str, raw: str) -> None:
    """A decimal ≥ 0 (`5,40` and `5.40` alike); `none` clears the rate."""
    from aidesk.formats import parse_decimal

    if raw.lower() in NONE:
        store._set_state(RATE_KEY, "")
        return
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ConfigError(_("{key} must be a number of reais per US dollar such as 5,40 "
                             "(or 'none'), not '{value}'.").format(
                                 key=key, value=_echo(raw))) from None
    if not 0 <= value <= MAX_RATE:
        raise ConfigError(_("{key} must be between 0 and {high}, not {value}.").format(
            key=key, high=_fmt(MAX_RATE), value=_echo(raw)))
    store._set_state(RATE_KEY, repr(value))


def _show(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _echo(raw: str, limit: int = 40) -> str:
    """A user's value, shortened and printable, for quoting it back in a message."""
    text = raw.encode("utf-8", "backslashreplace").decode("utf-8")
    text = "".join(c if c.isprintable() else "?" for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bool(key: str, raw: str) -> bool:
    if raw.lower() in TRUE:
        return True
    if raw.lower() in FALSE:
        return False
    raise ConfigError(_("{key} must be true or false (got '{value}').").format(
        key=key, value=_echo(raw)))


def _number(key: str, raw: str, *, low: float, high: float, whole: bool = False,
            unit: str = "") -> float:
    """A finite number in [low, high]; whole numbers only when `whole` (2.0 passes, 2.7 not)."""
    text = raw.replace(",", ".") if _COMMA_DECIMAL.fullmatch(raw) else raw
    span = {"s": _("between {low} and {high} s"), "days": _("between {low} and {high} days"),
            }.get(unit, _("between {low} and {high}")).format(low=_fmt(low), high=_fmt(high))
    fields = {"key": key, "span": span, "value": _echo(raw)}
    try:
        number = float(text)
    except ValueError:
        if "," in raw:
            message = (_("{key} must be a whole number {span} (no thousands separators: write "
                          "1000, or 1.5 for decimals), not '{value}'.") if whole else
                       _("{key} must be a number {span} (no thousands separators: write 1000, "
                          "or 1.5 for decimals), not '{value}'."))
        else:
            message = (_("{key} must be a whole number {span}, not '{value}'.") if whole else
                       _("{key} must be a number {span}, not '{value}'."))
        raise ConfigError(message.format(**fields)) from None
    if not math.isfinite(number):
        raise ConfigError(_("{key} must be a finite number {span}, not '{value}'.").format(
            **fields))
    if whole and not number.is_integer():
        raise ConfigError(_("{key} must be a whole number {span}, not {value}.").format(
            **fields))
    if not low <= number <= high:
        raise ConfigError(_("{key} must be {span}, not {value}.").format(**fields))
    return float(int(number)) if whole else number


def _fmt(number: float) -> str:
    if number >= 1e6:  # grouped as the language writes it: 1,000,000 / 1.000.000
        from aidesk.formats import number as grouped

        return grouped(number)
    from aidesk.formats import plain

    return plain(number)


def base_url(key: str, raw: str) -> str:
    """An http(s) address with a host: no spaces, credentials, query or fragment."""
    example = "http://localhost:11434/v1"
    if any(c.isspace() or not c.isprintable() for c in raw):
        raise ConfigError(_("{key} must be an http:// or https:// address such as {example} "
                             "(or 'default'), without spaces.").format(key=key, example=example))
    not_one = _("{key} must be an http:// or https:// address such as {example} (or "
                 "'default'); '{value}' is not one.").format(key=key, example=example,
                                                              value=_echo(raw))
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError(not_one) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ConfigError(not_one)
    if parts.username is not None or parts.password is not None:
        raise ConfigError(
            _("{key} must not contain a user name or password.").format(key=key),
            cli_hint=_("Keys go to the keyring with `aidesk keys set`."),
            gui_hint=_("Keys go in the key field in Integrations."))
    if parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise ConfigError(_("{key} must not contain a query (?…) or fragment (#…).").format(
            key=key))
    if port == 0:
        raise ConfigError(_("{key} has port 0; use the server's real port.").format(key=key))
    return raw.rstrip("/")


def _model(key: str, raw: str) -> str:
    if raw.lower() in NONE:
        example = PROVIDERS[key.split(".")[1]].default_model
        raise ConfigError(_("{key} needs a model name, e.g. {example}.").format(
            key=key, example=example))
    if len(raw) > 200 or any(c.isspace() or not c.isprintable() for c in raw):
        raise ConfigError(_("{key} must be a model name without spaces, at most 200 "
                             "characters.").format(key=key))
    return raw
