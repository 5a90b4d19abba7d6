"""Plain words and colours for connection-test outcomes, stored test results and skip reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidesk import formats
from aidesk.i18n import N_, _, ngettext
from aidesk.providers import PROVIDERS
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.router.keycheck import KeyCheck
    from aidesk.workspaces import ProviderConfig

VERIFIED, REJECTED, UNVERIFIED = "verified", "rejected", "unverified"

# Status line styles: (text colour, background tint, border), readable on the light palette.
TONES: dict[str, tuple[str, str, str]] = {
    VERIFIED: ("#14532d", "#e6f4ea", "#2e7d32"),
    REJECTED: ("#8b0016", "#fdecee", "#c62828"),
    UNVERIFIED: ("#6b4200", "#fff4e0", "#e09400"),
    "error": ("#8b0016", "#fdecee", "#c62828"),
    "busy": ("#1f3a5f", "#e8f0fb", "#4a78b5"),
    "info": ("#333333", "#f3f3f3", "#b0b0b0"),
}


def tone_style(tone: str) -> str:
    fg, bg, border = TONES.get(tone, TONES["info"])
    return (f"QLabel {{ color: {fg}; background: {bg}; border-left: 4px solid {border};"
            " padding: 4px 8px; border-radius: 2px; }")


def _detail(provider: str, message: str) -> str:
    """The core's message without its leading 'provider: '."""
    prefix = f"{provider}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def check_text(check: KeyCheck) -> str:
    """One outcome of a connection test, in words that say what to do next."""
    meta = PROVIDERS[check.provider]
    name = provider_name(check.provider)
    if check.outcome == VERIFIED:
        count, ms = len(check.models), formats.number(check.latency_ms)
        if meta.needs_key:
            text = ngettext("Verified: the key works. {count} model available, answered in "
                            "{ms} ms.", "Verified: the key works. {count} models available, "
                            "answered in {ms} ms.", count)
        else:
            text = ngettext("Verified: the server answers. {count} model available, answered "
                            "in {ms} ms.", "Verified: the server answers. {count} models "
                            "available, answered in {ms} ms.", count)
        text = text.format(count=formats.number(count), ms=ms)
        ids = {m.id for m in check.models}
        if ids and check.model not in ids:
            text += " " + _("Model {model} is not in the list: pick another under Model."
                            ).format(model=check.model)
        return text
    if check.outcome == REJECTED:
        return _("Rejected: {provider} refused this key (wrong, revoked or without "
                 "permission). Copy a new key from your {provider} account, paste it here "
                 "and test again.").format(provider=name)
    return _("Not verified (the key may still be fine): {reason}").format(
        reason=_detail(check.provider, check.message))


def stored_text(config: ProviderConfig) -> tuple[str, str]:
    """(tone, text) for a card before any test in this session: the last recorded outcome."""
    meta = PROVIDERS[config.provider]
    name = provider_name(config.provider)
    if not meta.needs_key and not config.stored:
        return "info", _("Set the server address of your Ollama or LM Studio server, then "
                         "press Test connection.")
    if meta.needs_key and config.key_fingerprint is None:
        return "info", _("No key yet. Paste your {provider} API key, press Test connection, "
                         "then Save key.").format(provider=name)
    status = config.last_test_status
    if status is None:
        return "info", _("Key saved but not tested yet. Press Test connection.")
    message = _detail(config.provider, config.last_test_message or "")
    when = formats.date_time(config.last_test_at) if config.last_test_at else None
    if status == REJECTED:
        text = (_("Last test ({when}): rejected. {provider} refused the stored key; paste a "
                  "new key and save it.") if when else
                _("Last test: rejected. {provider} refused the stored key; paste a new key and "
                  "save it."))
        return REJECTED, text.format(when=when, provider=name)
    if status == VERIFIED:
        head = _("Last test ({when}): verified.") if when else _("Last test: verified.")
    else:
        head = (_("Last test ({when}): not verified.") if when
                else _("Last test: not verified."))
    return status, f"{head.format(when=when)} {message}".rstrip()


# Why the automatic chain passes over a provider: the core's words, and what to do about it.
SKIP_REASONS = {
    "no key": N_("no key"),
    "disabled": N_("disabled"),
    "key failing (last test rejected it)": N_("key failing (last test rejected it)"),
}
SKIP_HELP = {
    "no key": N_("Add a key in its card to use it."),
    "disabled": N_("Tick Enabled in its card to use it."),
    "key failing (last test rejected it)": N_("Paste a working key in its card and save it."),
}


def skip_reason(config: ProviderConfig) -> str | None:
    """Why the automatic chain passes over this provider (None: it is used), untranslated:
    show it with `_()`."""
    if not config.stored:
        return "no key" if PROVIDERS[config.provider].needs_key else "disabled"
    return config.skip_reason()
