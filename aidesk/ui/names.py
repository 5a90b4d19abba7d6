"""Provider names as people write them ("OpenAI", "Anthropic (Claude)", "Local server"), in the
user's language; never a raw id."""

from __future__ import annotations

from aidesk.i18n import N_, _

# The one provider label that is not a brand (aidesk.providers marks it too): listed here so
# the desktop's catalogue has it whatever the core's has.
TRANSLATED_LABELS = (N_("Local server"),)


def provider_name(provider: str) -> str:
    from aidesk.providers import PROVIDERS

    meta = PROVIDERS.get(provider)
    return _(meta.label) if meta else provider
