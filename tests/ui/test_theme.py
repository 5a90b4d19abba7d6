"""Dark theme: follows the system, with a manual choice (View menu, Settings) kept in QSettings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from aidesk.ui import icons
from aidesk.ui import theme as themes
from aidesk.ui.main_window import MainWindow
from aidesk.ui.menus import Menus
from tests.ui.conftest import shoot


@pytest.fixture
def theme(tmp_path: Path, qapp: QApplication) -> Iterator[themes.Theme]:
    settings = QSettings(str(tmp_path / "theme.ini"), QSettings.Format.IniFormat)
    installed = themes.install(qapp, settings)
    yield installed
    installed.setParent(None)
    installed.deleteLater()
    qapp.setStyleSheet("")
    qapp.setPalette(themes.palette(themes.LIGHT))
    icons.refresh()


def window_colour() -> int:
    return QApplication.palette().color(QPalette.ColorRole.Window).lightness()


def test_system_is_the_default_and_followed(theme: themes.Theme, qapp: QApplication) -> None:
    assert theme.choice == themes.SYSTEM
    system_dark = qapp.styleHints().colorScheme() == Qt.ColorScheme.Dark
    assert theme.effective() == (themes.DARK if system_dark else themes.LIGHT)


def test_view_menu_switches_to_dark_and_back(theme: themes.Theme, window: MainWindow,
                                             qtbot: Any, tmp_path: Path) -> None:
    menus = Menus.of(window)
    window.resize(1024, 640)
    menus.theme_actions[themes.DARK].trigger()
    assert theme.scheme == themes.DARK and window_colour() < 80
    assert "dark scheme" in QApplication.instance().styleSheet()  # type: ignore[union-attr]
    assert theme.settings.value(themes.KEY) == themes.DARK
    assert QSettings(str(tmp_path / "theme.ini"),
                     QSettings.Format.IniFormat).value(themes.KEY) == themes.DARK
    assert menus.theme_actions[themes.DARK].isChecked()
    icon = window.tabs.tabIcon(0).pixmap(24, 24).toImage()
    lit = [icon.pixelColor(x, y) for x in range(24) for y in range(24)
           if icon.pixelColor(x, y).alpha() > 200]
    assert lit and min(c.lightness() for c in lit) > 150  # icons drawn light on dark
    qtbot.wait(50)
    shoot(window, "theme-dark-1024x640")

    menus.theme_actions[themes.LIGHT].trigger()
    assert theme.scheme == themes.LIGHT and window_colour() > 180
    assert menus.theme_actions[themes.LIGHT].isChecked()
    shoot(window, "theme-light-1024x640")


def test_choice_survives_a_restart(theme: themes.Theme, qapp: QApplication) -> None:
    theme.set_choice(themes.DARK)
    again = themes.install(qapp, theme.settings)
    assert again is theme and again.scheme == themes.DARK
    with pytest.raises(ValueError):
        theme.set_choice("purple")
