"""How a sentiment and a language read on screen: the badge (emoji, colour, label, reason)
and the short language tag."""

from __future__ import annotations

from aidesk.i18n import N_, _
from aidesk.ui.badges import SENTIMENT_COLOURS, TAG_COLOURS, Look, with_emoji

LANGUAGE_NAMES = {"pt": N_("Portuguese"), "en": N_("English"), "es": N_("Spanish"),
                  "fr": N_("French"), "it": N_("Italian")}


def sentiment(label: str | None, reason: str = "") -> Look | None:
    """The badge of a sentiment label, None for a message or conversation not analysed."""
    from aidesk.features.chat import SENTIMENT_EMOJI, SENTIMENT_LABELS

    if not label or label not in SENTIMENT_LABELS:
        return None
    name = _(SENTIMENT_LABELS[label])
    tooltip = _("{label}: {reason}").format(label=name, reason=reason) if reason else name
    return Look(with_emoji(SENTIMENT_EMOJI.get(label, ""), name,
                           "".join(SENTIMENT_EMOJI.values())),
                SENTIMENT_COLOURS.get(label, TAG_COLOURS), tooltip)


def language_name(code: str | None) -> str:
    return _(LANGUAGE_NAMES[code]) if code in LANGUAGE_NAMES else (code or "")


def language_tag(code: str | None) -> Look | None:
    if not code:
        return None
    return Look(code.upper(), TAG_COLOURS, _("Language: {name}").format(
        name=language_name(code)))
