"""Provider names as people write them ("OpenAI", "Anthropic (Claude)", "Local server"), in the
user's language; never a raw id."""

from __future__ import annotations

from aidesk.i18n import N_

# The one provider label that is not a brand (aidesk.providers marks it too): listed here so
# the desktop's catalogue has it whatever the core's has.
TRANSLATED_LABELS = (N_("Local server"),)


def provider_name(provider: str) -> str:
    from aidesk.providers import display_name

    return display_name(provider)


def without_name(provider: str, message: str) -> str:
    """A provider's message without its leading "Name: " (or "id: "), for a line that
    already names the provider."""
    for prefix in (f"{provider_name(provider)}: ", f"{provider}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message
