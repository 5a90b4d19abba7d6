"""Light and dark look: follows the system's colour scheme (Qt 6.5+ QStyleHints.colorScheme)
unless the user picked Light or Dark (View menu, Settings), stored in QSettings `ui/theme`.

Fusion draws with the palette set here; resources/styles/aidesk.qss is applied in both
schemes and aidesk-dark.qss on top of it in the dark one.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from aidesk.i18n import N_

STYLES = Path(__file__).resolve().parent.parent.parent / "resources" / "styles"
KEY = "ui/theme"
SYSTEM, LIGHT, DARK = "system", "light", "dark"
CHOICES: dict[str, str] = {SYSTEM: N_("Follow the system"), LIGHT: N_("Light"),
                           DARK: N_("Dark")}

_DARK = {
    QPalette.ColorRole.Window: "#1f2227", QPalette.ColorRole.WindowText: "#e6e8eb",
    QPalette.ColorRole.Base: "#16181c", QPalette.ColorRole.AlternateBase: "#24272d",
    QPalette.ColorRole.ToolTipBase: "#2b2f36", QPalette.ColorRole.ToolTipText: "#e6e8eb",
    QPalette.ColorRole.PlaceholderText: "#8b929c", QPalette.ColorRole.Text: "#e6e8eb",
    QPalette.ColorRole.Button: "#2a2e35", QPalette.ColorRole.ButtonText: "#e6e8eb",
    QPalette.ColorRole.BrightText: "#ff6b6b", QPalette.ColorRole.Light: "#3a3f47",
    QPalette.ColorRole.Midlight: "#30353c", QPalette.ColorRole.Mid: "#25292f",
    QPalette.ColorRole.Dark: "#15171a", QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#3d7bd9", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#7cb2ff", QPalette.ColorRole.LinkVisited: "#b59cff",
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
        dark = self.app.styleHints().colorScheme() == Qt.ColorScheme.Dark
        return DARK if dark else LIGHT

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
    for role, value in _DARK.items():
        dark.setColor(role, QColor(value))
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
