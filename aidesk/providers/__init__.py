"""Provider catalogue. Importing this package imports no SDK: `create` loads one on first use."""

from __future__ import annotations

import importlib

from aidesk.i18n import N_, _
from aidesk.providers.base import Provider, ProviderInfo, ProviderSettings

PROVIDERS: dict[str, ProviderInfo] = {
    p.id: p
    for p in (
        ProviderInfo(
            "openai", "OpenAI", "gpt-4o-mini", "https://api.openai.com/v1",
            key_hint="sk-…", module="openai_compat",
        ),
        ProviderInfo(
            "anthropic", "Anthropic (Claude)", "claude-3-5-haiku-latest",
            "https://api.anthropic.com", key_hint="sk-ant-…", module="anthropic",
        ),
        ProviderInfo(
            "gemini", "Google Gemini", "gemini-2.5-flash",
            "https://generativelanguage.googleapis.com", key_hint="AIza…", module="gemini",
        ),
        ProviderInfo(
            "groq", "Groq", "llama-3.1-8b-instant", "https://api.groq.com/openai/v1",
            key_hint="gsk_…", module="openai_compat",
        ),
        ProviderInfo(
            "openrouter", "OpenRouter", "openai/gpt-4o-mini", "https://openrouter.ai/api/v1",
            key_hint="sk-or-v1-…", module="openrouter",
        ),
        ProviderInfo(
            "local", N_("Local server"), "llama3.2", "http://localhost:11434/v1",
            needs_key=False, module="openai_compat",
        ),
    )
}

PROVIDER_IDS: tuple[str, ...] = tuple(PROVIDERS)


def display_name(provider: str) -> str:
    """The provider as people write it ("OpenAI", "Anthropic (Claude)", "Local server"), in
    the user's language; an unknown id is returned as it is."""
    from aidesk.i18n import _

    meta = PROVIDERS.get(provider)
    return _(meta.label) if meta else provider


def named(provider: str) -> str:
    """How a message names a provider: its id on the command line (what admins type), its
    name in the desktop."""
    from aidesk.i18n import pick

    return pick(provider, display_name(provider))


def info(provider: str) -> ProviderInfo:
    try:
        return PROVIDERS[provider]
    except KeyError:
        known = ", ".join(PROVIDER_IDS)
        from aidesk.errors import ConfigError

        raise ConfigError(_("Unknown provider '{provider}'. Known providers: {known}.").format(
            provider=provider, known=known)) from None


def create(settings: ProviderSettings) -> Provider:
    """Build the provider object, importing its module (and SDK) only now."""
    meta = info(settings.provider)
    module = importlib.import_module(f"aidesk.providers.{meta.module}")
    provider: Provider = module.build(settings, meta)
    return provider


__all__ = ["PROVIDERS", "PROVIDER_IDS", "Provider", "ProviderInfo", "ProviderSettings", "create"]
