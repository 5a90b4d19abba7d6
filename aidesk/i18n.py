"""Every user-visible text, in the user's language: gettext catalogues compiled with Babel.

Two catalogues under `aidesk/locale/<language>/LC_MESSAGES/`: `aidesk` for the core (errors,
refusals, warnings, the command line, the marketing presets) and `aidesk_ui` for the
desktop; the UI's catalogue falls back to the core's. Brazilian Portuguese is complete and
the default on `pt*` locales, English otherwise; the setting `ui.language` overrides that.
`scripts/i18n` extracts new strings and compiles the catalogues.

Mark a text with `_()` where it is shown; a text defined once at import time (a table of
labels) is marked with `N_()` and passed through `_()` when shown, so a language chosen
later still applies.

The core's messages end with a hint of what to do, which depends on where the user reads
it: the command line names a command (`aidesk keys set openai`), the desktop names the
place in the app ("add a key in Integrations"). `surface()` says which one this process
is ("cli" unless the desktop called `set_surface("gui")` at start); `pick(cli, gui)`.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel import Locale

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAINS = ("aidesk_ui", "aidesk")
LANGUAGES = {"pt_BR": "Português (Brasil)", "en": "English"}
DEFAULT = "en"
SETTING = "ui.language"  # app_state key: pt_BR | en | system

SURFACES = ("cli", "gui")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = DEFAULT
_surface = "cli"


def system_language(environ: dict[str, str] | None = None) -> str:
    """pt_BR on any `pt*` locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as gettext reads
    them; the OS locale on Windows and macOS), English otherwise."""
    env = os.environ if environ is None else environ
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value and value not in ("C", "POSIX", "C.UTF-8"):
            return "pt_BR" if value.lower().startswith("pt") else DEFAULT
    if os.name == "nt" or not env.get("LANG"):
        import locale

        code = (locale.getlocale()[0] or "").lower()
        if code.startswith("pt") or code.startswith("portuguese"):
            return "pt_BR"
    return DEFAULT


def saved_choice(db_path: Path) -> str | None:
    """The `ui.language` setting, read straight from the database file (read-only, before
    anything else opens it, so the first text shown is already in the right language)."""
    import sqlite3

    if not db_path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.5)
        try:
            row = conn.execute("SELECT value FROM app_state WHERE key = ?", (SETTING,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # no such table yet, damaged, locked: the system language it is
    return str(row[0]) if row and row[0] else None


def setup(db_path: Path | None = None) -> str:
    """Activate the saved language, else the system's; returns the language in effect."""
    if db_path is None:
        from aidesk import paths

        db_path = paths.db_path()
    return activate(resolve(saved_choice(db_path)))


def resolve(choice: str | None) -> str:
    """The language to use for a setting value (`pt_BR`, `en`, `system` or None)."""
    if choice in LANGUAGES:
        return str(choice)
    return system_language()


def activate(language: str) -> str:
    """Use `language` for every text from now on; returns the language in effect."""
    global _translation, _language
    language = language if language in LANGUAGES else DEFAULT
    chain: gettext.NullTranslations = gettext.NullTranslations()
    if language != DEFAULT:
        found = [gettext.translation(domain, LOCALE_DIR, [language], fallback=True)
                 for domain in DOMAINS]
        chain = found[0]
        for extra in found[1:]:
            chain.add_fallback(extra)
    _translation, _language = chain, language
    return language


def language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def set_surface(name: str) -> None:
    """Where this process shows the core's messages: "cli" (the default) or "gui"."""
    global _surface
    if name not in SURFACES:
        raise ValueError(f"unknown surface {name!r}")
    _surface = name


def surface() -> str:
    return _surface


def pick(cli: str, gui: str) -> str:
    """The hint for the surface in use: a command on the command line, a place in the app."""
    return gui if _surface == "gui" else cli


def N_(message: str) -> str:
    """Mark a text for extraction only: it is translated where it is shown, with `_()`."""
    return message


def babel_locale() -> Locale:
    """The Babel locale of the language in effect (dates, numbers, money)."""
    from babel import Locale

    return Locale.parse("pt_BR" if _language == "pt_BR" else "en_US")
