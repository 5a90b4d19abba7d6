"""Marketing task presets and the prompt builder used by the Assistant tab (no Qt).

`build_prompt(preset, fields)` turns a preset and the form's fields into the (system, user)
pair the router sends; `max_tokens(length)` caps the answer for the chosen length.
"""

from __future__ import annotations

from dataclasses import dataclass

from aidesk.errors import AIDeskError
from aidesk.i18n import N_, _

MODULE = "marketing"


@dataclass(frozen=True, slots=True)
class Language:
    code: str
    label: str  # shown in the picker (marked with N_: show it with `_()`)
    name: str  # used in the prompt: the same English instruction in every UI language


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in (
        Language("pt", N_("Portuguese (Brazil)"), "Brazilian Portuguese (pt-BR)"),
        Language("en", N_("English"), "English"),
        Language("es", N_("Spanish"), "Spanish"),
        Language("fr", N_("French"), "French"),
        Language("it", N_("Italian"), "Italian"),
    )
}
DEFAULT_LANGUAGE = "pt"

# Labels of the pickers are marked with N_() and shown with _(); the prompt sent to the AI
# stays the same English instruction in every UI language (a tone is sent as its English id).
LENGTHS: dict[str, str] = {"short": N_("Short"), "medium": N_("Medium"), "long": N_("Long")}
DEFAULT_LENGTH = "medium"
MAX_TOKENS: dict[str, int] = {"short": 300, "medium": 700, "long": 1500}

TONES: tuple[str, ...] = (N_("Friendly"), N_("Professional"), N_("Fun"), N_("Inspiring"),
                          N_("Urgent"), N_("Elegant"))


@dataclass(frozen=True, slots=True)
class Preset:
    id: str
    label: str  # marked with N_: show it with `_()`
    task: str  # what to write (sent to the AI as is, in English)
    sizes: dict[str, str]  # length -> how much to write
    needs_text: bool = False  # works on the user's own text (the prompt field)


PRESETS: dict[str, Preset] = {
    p.id: p
    for p in (
        Preset(
            "social_post", N_("Social media post"),
            "Write one social media post (Instagram or Facebook) with a strong first line, "
            "a clear call to action and a few relevant hashtags at the end.",
            {"short": "up to 50 words", "medium": "about 80 to 120 words",
             "long": "about 180 to 250 words"},
        ),
        Preset(
            "ad_copy", N_("Ad copy"),
            "Write ad copy for a paid online ad: a headline, the main text and a call to "
            "action, each on its own line and labelled.",
            {"short": "one version", "medium": "three versions",
             "long": "five versions, each with a different angle"},
        ),
        Preset(
            "email_subjects", N_("Email subject lines"),
            "Write email subject lines for a marketing email, one per line, numbered, each "
            "under 60 characters.",
            {"short": "5 subject lines", "medium": "10 subject lines",
             "long": "15 subject lines, each followed by a preview text line"},
        ),
        Preset(
            "landing_headline", N_("Landing page headline"),
            "Write landing page headlines, each with a one-sentence subheadline under it.",
            {"short": "3 options", "medium": "5 options", "long": "8 options"},
        ),
        Preset(
            "whatsapp", N_("WhatsApp message"),
            "Write a WhatsApp message to send to customers: personal, easy to read on a "
            "phone, with at most two emojis and a clear next step.",
            {"short": "2 or 3 short lines", "medium": "about 60 to 90 words",
             "long": "about 120 to 160 words, in short paragraphs"},
        ),
        Preset(
            "rewrite", N_("Rewrite or improve text"),
            "Rewrite the text below so it is clearer and more persuasive, keeping its "
            "meaning and any facts, prices and dates exactly as they are.",
            {"short": "make it shorter than the original",
             "medium": "keep about the same length",
             "long": "expand it with more detail and benefits"},
            needs_text=True,
        ),
        Preset(
            "free", N_("Free prompt"),
            "Do what the instructions below ask.",
            {"short": "keep the answer short", "medium": "a medium-length answer",
             "long": "a detailed answer"},
            needs_text=True,
        ),
    )
}
DEFAULT_PRESET = "social_post"


@dataclass(frozen=True, slots=True)
class MarketingFields:
    product: str = ""
    audience: str = ""
    tone: str = ""
    language: str = DEFAULT_LANGUAGE
    length: str = DEFAULT_LENGTH
    prompt: str = ""  # extra instructions, or the text to rewrite


class IncompleteForm(AIDeskError):
    """The form lacks what the preset needs; `field` names the input to fill."""

    code = "incomplete_form"

    def __init__(self, field: str, user_message: str) -> None:
        self.field = field
        super().__init__(user_message)


def max_tokens(length: str) -> int:
    return MAX_TOKENS.get(length, MAX_TOKENS[DEFAULT_LENGTH])


def prompt_label(preset: str) -> str:
    """What the prompt field means for this preset (in the user's language)."""
    if preset == "rewrite":
        return _("Text to rewrite")
    if preset == "free":
        return _("Your prompt")
    return _("Extra instructions")


def build_prompt(preset: str | Preset, fields: MarketingFields) -> tuple[str, str]:
    """The (system, user) messages for this preset and these fields."""
    p = preset if isinstance(preset, Preset) else PRESETS.get(preset)
    if p is None:
        raise IncompleteForm("preset", _("Unknown task '{task}'. Pick a task from the "
                                         "list.").format(task=preset))
    product, audience = fields.product.strip(), fields.audience.strip()
    tone, text = fields.tone.strip(), fields.prompt.strip()
    if p.needs_text and not text:
        raise IncompleteForm("prompt", _("Write the text to rewrite first.") if p.id == "rewrite"
                             else _("Write your prompt first."))
    if not p.needs_text and not product:
        raise IncompleteForm("product", _("Describe the product or service first."))
    lang = LANGUAGES.get(fields.language, LANGUAGES[DEFAULT_LANGUAGE])
    size = p.sizes.get(fields.length, p.sizes[DEFAULT_LENGTH])

    system = (
        "You are an experienced marketing copywriter for small and medium businesses. "
        f"Write everything in {lang.name}, with natural wording for native speakers. "
        "Reply with the requested text only: no introduction, no explanations, no notes."
    )
    lines = [f"Task: {p.task}", f"Length: {size}."]
    if product:
        lines.append(f"Product or service: {product}")
    if audience:
        lines.append(f"Target audience: {audience}")
    if tone:
        lines.append(f"Tone: {tone}")
    if text:
        heading = {"rewrite": "Text to rewrite", "free": "Instructions"}.get(
            p.id, "Extra instructions")
        lines += ["", f"{heading}:", text]
    return system, "\n".join(lines)
