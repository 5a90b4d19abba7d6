"""Provider catalogue. Importing this package imports no SDK: `create` loads one on first use."""

from __future__ import annotations

import importlib
from typing import Any

from aidesk.i18n import N_, _
from aidesk.providers.base import (
    CHAT,
    IMAGES,
    TRANSCRIPTION,
    Provider,
    ProviderInfo,
    ProviderSettings,
)

# The image model OpenAI gets unless the workspace names another: one of the SDK's
# `ImageModel` literal (openai/types/image_model.py), not among its deprecated values
# ("gpt-image-1 was shut down on October 23, 2026. Use gpt-image-2.5-sunburst or
# gpt-image-2.5-flare instead"; dall-e-2/3 retired May 12, 2026).
OPENAI_IMAGE_MODEL = "gpt-image-2.5-flare"

PROVIDERS: dict[str, ProviderInfo] = {
    p.id: p
    for p in (
        ProviderInfo(
            "openai", "OpenAI", "gpt-4o-mini", "https://api.openai.com/v1",
            key_hint="sk-…", module="openai_compat",
            capabilities=frozenset({CHAT, IMAGES, TRANSCRIPTION}),
            media_modules=((IMAGES, "openai_images"), (TRANSCRIPTION, "openai_audio")),
            image_model=OPENAI_IMAGE_MODEL, transcription_model="gpt-transcribe",
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
            capabilities=frozenset({CHAT, TRANSCRIPTION}),
            media_modules=((TRANSCRIPTION, "openai_audio"),),
            transcription_model="whisper-large-v3-turbo",
        ),
        ProviderInfo(
            "openrouter", "OpenRouter", "openai/gpt-4o-mini", "https://openrouter.ai/api/v1",
            key_hint="sk-or-v1-…", module="openrouter",
            capabilities=frozenset({CHAT, IMAGES}),
            media_modules=((IMAGES, "openrouter_images"),),
            image_model="google/gemini-2.5-flash-image",
        ),
        ProviderInfo(
            "local", N_("Local server"), "llama3.2", "http://localhost:11434/v1",
            needs_key=False, module="openai_compat",
        ),
        # Images only: never in a chat chain (aidesk.router.route filters by capability).
        ProviderInfo(
            "stability", "Stability AI", "core", "https://api.stability.ai",
            key_hint="sk-…", module="stability", capabilities=frozenset({IMAGES}),
            media_modules=((IMAGES, "stability"),), image_model="core",
        ),
    )
}

PROVIDER_IDS: tuple[str, ...] = tuple(PROVIDERS)


def with_capability(capability: str) -> tuple[str, ...]:
    """The providers that can take `capability` calls, in catalogue order."""
    return tuple(p for p, meta in PROVIDERS.items() if capability in meta.capabilities)


CHAT_PROVIDER_IDS: tuple[str, ...] = with_capability(CHAT)


def can(provider: str, capability: str) -> bool:
    meta = PROVIDERS.get(provider)
    return meta is not None and capability in meta.capabilities


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


def incapable(provider: str, capability: str) -> Exception:
    """The error for a call of `capability` named to a provider that does not do it."""
    from aidesk.errors import ConfigError
    from aidesk.providers.media import CAPABILITY_LABELS

    able = ", ".join(with_capability(capability))
    what = _(CAPABILITY_LABELS[capability]) if capability in CAPABILITY_LABELS else capability
    return ConfigError(
        _("{provider} does not do {what}.").format(provider=named(provider), what=what),
        cli_hint=_("Name one that does ({providers}), or leave out --provider.").format(
            providers=able),
        gui_hint=_("Pick one that does ({providers}), or Automatic.").format(
            providers=", ".join(display_name(p) for p in with_capability(capability))))


def create_media(settings: ProviderSettings, capability: str) -> Any:
    """The provider's image or audio object (aidesk.providers.media `ImageProvider` /
    `AudioProvider`), importing its module (and SDK) only now."""
    meta = info(settings.provider)
    module_name = dict(meta.media_modules).get(capability)
    if module_name is None:
        raise incapable(settings.provider, capability)
    module = importlib.import_module(f"aidesk.providers.{module_name}")
    return module.build(settings, meta)


__all__ = ["CHAT_PROVIDER_IDS", "PROVIDERS", "PROVIDER_IDS", "Provider", "ProviderInfo",
           "ProviderSettings", "can", "create", "create_media", "incapable", "with_capability"]
