"""Light and dark look: follows the system's colour scheme (Qt 6.5+ QStyleHints.colorScheme)
unless the user picked Light or Dark (View menu, Settings), stored in QSettings `ui/theme`.

Fusion draws with the palette set here; resources/styles/aidesk.qss is applied in both
schemes and aidesk-dark.qss on top of it in the dark one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from aidesk.i18n import N_

STYLES = Path(__file__).resolve().parent.parent.parent / "resources" / "styles"
KEY = "ui/theme"
SYSTEM, LIGHT, DARK = "system", "light", "dark"
CHOICES: dict[str, str] = {SYSTEM: N_("Follow the system"), LIGHT: N_("Light"),
                           DARK: N_("Dark")}

# Role name → colour; the QPalette enums are looked up only when the dark scheme is applied
# (creating PySide6's enum types at import costs tens of ms of start-up).
_DARK = {
    "Window": "#1f2227", "WindowText": "#e6e8eb", "Base": "#16181c", "AlternateBase": "#24272d",
    "ToolTipBase": "#2b2f36", "ToolTipText": "#e6e8eb", "PlaceholderText": "#8b929c",
    "Text": "#e6e8eb", "Button": "#2a2e35", "ButtonText": "#e6e8eb", "BrightText": "#ff6b6b",
    "Light": "#3a3f47", "Midlight": "#30353c", "Mid": "#25292f", "Dark": "#15171a",
    "Shadow": "#000000", "Highlight": "#3d7bd9", "HighlightedText": "#ffffff",
    "Link": "#7cb2ff", "LinkVisited": "#b59cff",
}


class Theme(QObject):
    """The app's theme: `choice` (system | light | dark) and the scheme in effect."""

    changed = Signal(str)  # light | dark, after the palette and style sheet changed

    def __init__(self, app: QApplication, settings: QSettings) -> None:
        super().__init__(app)
        self.app = app
        self.settings = settings
        self.scheme = ""
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: self.apply())

    @property
    def choice(self) -> str:
        value = str(self.settings.value(KEY, SYSTEM))
        return value if value in CHOICES else SYSTEM

    def set_choice(self, choice: str) -> None:
        if choice not in CHOICES:
            raise ValueError(choice)
        self.settings.setValue(KEY, choice)
        self.apply()

    def effective(self) -> str:
        choice = self.choice
        if choice != SYSTEM:
            return choice
        if not self.scheme:
            # First look, before the window shows: the system palette's lightness says the
            # same as colorScheme() without creating Qt's enum types (~50 ms); `confirm`
            # asks colorScheme() itself once the window is up.
            window = self.app.palette().color(QPalette.ColorRole.Window)
            return DARK if window.lightness() < 128 else LIGHT
        scheme = self.app.styleHints().colorScheme()
        return DARK if getattr(scheme, "name", "") == "Dark" else LIGHT

    def confirm(self) -> None:
        """Check the system's colour scheme itself (after start-up) and follow it."""
        if self.choice == SYSTEM:
            self.apply()

    def apply(self) -> str:
        scheme = self.effective()
        if scheme == self.scheme:
            return scheme
        self.scheme = scheme
        self.app.setPalette(palette(scheme))
        self.app.setStyleSheet(style_sheet(scheme))
        from aidesk.ui import icons

        icons.refresh()
        self.changed.emit(scheme)
        return scheme


def palette(scheme: str) -> QPalette:
    style = QApplication.style()
    base = style.standardPalette() if style is not None else QPalette()
    if scheme != DARK:
        return base
    dark = QPalette(base)
    for name, value in _DARK.items():
        dark.setColor(getattr(QPalette.ColorRole, name), QColor(value))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        dark.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b717a"))
    return dark


def style_sheet(scheme: str) -> str:
    parts = [STYLES / "aidesk.qss"] + ([STYLES / "aidesk-dark.qss"] if scheme == DARK else [])
    return "\n".join(p.read_text(encoding="utf-8") for p in parts if p.exists())


def current(app: QGuiApplication | None = None) -> Theme | None:
    """The Theme installed on the application (None before `install`)."""
    app = app or QGuiApplication.instance()  # type: ignore[assignment]
    found = app.findChild(Theme) if app is not None else None
    return found if isinstance(found, Theme) else None


def install(app: QApplication, settings: QSettings | None = None) -> Theme:
    theme = current(app)
    if theme is None:
        theme = Theme(app, settings or QSettings())
    elif settings is not None:
        theme.settings = settings
    theme.scheme = ""
    theme.apply()
    return theme
