"""Plain words and colours for connection-test outcomes, stored test results and skip reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidesk.providers import PROVIDERS

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
    if check.outcome == VERIFIED:
        what = "the key works" if meta.needs_key else "the server answers"
        text = (f"Verified: {what}. {len(check.models)} models available, "
                f"answered in {check.latency_ms} ms.")
        ids = {m.id for m in check.models}
        if ids and check.model not in ids:
            text += f" Model {check.model} is not in the list: pick another under Model."
        return text
    if check.outcome == REJECTED:
        return (f"Rejected: {meta.label} refused this key (wrong, revoked or without "
                f"permission). Copy a new key from your {meta.label} account, paste it here "
                "and test again.")
    return (f"Not verified (the key may still be fine): "
            f"{_detail(check.provider, check.message)}")


def stored_text(config: ProviderConfig) -> tuple[str, str]:
    """(tone, text) for a card before any test in this session: the last recorded outcome."""
    meta = PROVIDERS[config.provider]
    if not meta.needs_key and not config.stored:
        return "info", ("Set the server address of your Ollama or LM Studio server, then "
                        "press Test connection.")
    if meta.needs_key and config.key_fingerprint is None:
        return "info", (f"No key yet. Paste your {meta.label} API key, press Test connection, "
                        "then Save key.")
    status = config.last_test_status
    if status is None:
        return "info", "Key saved but not tested yet. Press Test connection."
    when = f" ({config.last_test_at:%Y-%m-%d %H:%M} UTC)" if config.last_test_at else ""
    message = _detail(config.provider, config.last_test_message or "")
    if status == REJECTED:
        return REJECTED, (f"Last test{when}: rejected. {meta.label} refused the stored key; "
                          "paste a new key and save it.")
    label = "verified" if status == VERIFIED else "not verified"
    return status, f"Last test{when}: {label}. {message}".rstrip()


def skip_reason(config: ProviderConfig) -> str | None:
    """Why the automatic chain passes over this provider (None: it is used)."""
    if not config.stored:
        return "no key" if PROVIDERS[config.provider].needs_key else "disabled"
    return config.skip_reason()


SKIP_HELP = {
    "no key": "Add a key in its card to use it.",
    "disabled": "Tick Enabled in its card to use it.",
    "key failing (last test rejected it)": "Paste a working key in its card and save it.",
}
