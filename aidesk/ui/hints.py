"""The GUI never tells a user to run a CLI command: a safety net.

The core's errors carry their hint per surface, and the desktop sets the surface to "gui"
at start (aidesk.ui.app.build_window), so a message made in this process already names the
place in the app ("Add a key in Integrations."). A text made by the command line and
stored (a key test's message, an audit row's error) still ends with a CLI hint such as
"Add a key with `aidesk keys set openai`": `for_gui()` rewrites each known hint into the
place in the app that does the same; any other `aidesk …` command left in a message
points to the tab or dialog that does it. The message channel (aidesk.ui.messages) passes
every text through here. Patterns ignore case; a replacement keeps the case of the
hint's first letter.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from aidesk.i18n import N_, _

_P = r"[\w.-]+"
# (pattern over the English core message, replacement marked for translation)
PHRASES: tuple[tuple[str, str], ...] = (
    (rf"Replace it with `aidesk keys set {_P}` or in Integrations\.",
     N_("Replace it in Integrations.")),
    (rf"Replace it with `aidesk keys set {_P}`\.", N_("Replace it in Integrations.")),
    (rf"Add a key with `aidesk keys set {_P}`\.", N_("Add a key in Integrations.")),
    (r"Fix a key with `aidesk keys set [^`]*`, or enable a provider with `aidesk config "
     r"set fallback [^`]*`\.", N_("Add a key in Integrations.")),
    (rf"Add a key with `aidesk keys set {_P}` \(or in Integrations\)\.",
     N_("Add a key in Integrations.")),
    (r" \(or with `aidesk keys set`\)", ""),
    (rf"Add one with `aidesk keys set {_P}`\.", N_("Add one in Integrations.")),
    (rf"Set it again with `aidesk keys set {_P}`\.", N_("Set it again in Integrations.")),
    (rf"missing from the OS keyring: `aidesk keys set {_P}`\.",
     N_("missing from the OS keyring: add it again in Integrations.")),
    (rf"until one is set with `aidesk keys set {_P}`\.",
     N_("until one is added in Integrations.")),
    (r"keys go to the keyring with `aidesk keys set`\.",
     N_("keys go in the key field in Integrations.")),
    (rf"Pick another with `aidesk config set providers\.{_P}\.model NAME`\.",
     N_("Pick another model on its card in Integrations.")),
    (rf"set its address with `aidesk config set providers\.{_P}\.base_url URL`\.",
     N_("set its address on its card in Integrations.")),
    (rf"turn one back on with `aidesk config set providers\.{_P}\.enabled true`\.",
     N_("turn one back on in Settings (Ctrl+,).")),
    (r"raise the deadline with `aidesk config set calls\.deadline_s N`\.",
     N_("raise the deadline in Settings (Ctrl+,).")),
    (rf"raise it with `aidesk config set limits\.{_P} N`\.",
     N_("raise it in Settings (Ctrl+,).")),
    (r"e\.g\. `aidesk config set fallback anthropic,openai`\.",
     N_("e.g. anthropic, openai.")),
    (r"Create it with `aidesk workspace add [^`]+`\.",
     N_("Create it with New workspace at the top of the window.")),
    (r" with `aidesk db restore(?: latest)?`, which", N_(", which")),
    (r" \(`aidesk db restore` lists them\)", ""),
    (r" ?`aidesk db restore` lists them\.", ""),
)
# Whatever is left (a translated message, a new hint): name the place, never the command.
PLACES: tuple[tuple[str, str], ...] = (
    (r"`aidesk keys [^`]*`", N_("the Integrations tab")),
    (r"`aidesk config [^`]*`", N_("Settings (Ctrl+,)")),
    (r"`aidesk workspace [^`]*`", N_("New workspace")),
    (r"`aidesk [^`]*`", N_("AIDesk")),
)
_COMPILED = [(re.compile(p, re.IGNORECASE), r) for p, r in PHRASES]
_PLACES = [(re.compile(p), r) for p, r in PLACES]


def _replacer(text: str) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        out = _(text) if text else ""
        first = match.group(0)[:1]
        if out and first.isalpha():  # "Raise it with …" → "Raise it in …"
            out = (out[0].upper() if first.isupper() else out[0].lower()) + out[1:]
        return out

    return replace


def for_gui(text: str) -> str:
    """`text` with every CLI hint replaced by where to do the same in the app."""
    if "`aidesk" not in text:
        return text
    for pattern, replacement in _COMPILED:
        text = pattern.sub(_replacer(replacement), text)
    for pattern, replacement in _PLACES:
        text = pattern.sub(_replacer(replacement), text)
    return text
