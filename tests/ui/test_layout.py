"""Layout holds at 1024×640 (Integrations cards and fallback pane: no button behind a
horizontal scrollbar), and `aidesk --smoke --screenshots DIR` pictures every tab and Settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from aidesk import i18n
from aidesk.ui.integrations.tab import IntegrationsTab
from aidesk.ui.main_window import MainWindow
from tests.ui.conftest import ARTIFACTS, shoot


@pytest.fixture(params=["en", "pt_BR"])
def language(request: pytest.FixtureRequest, qapp: Any, tmp_path: Path) -> Iterator[str]:
    """The language, and the app's real look (style sheet: padded buttons), as users see it."""
    from PySide6.QtCore import QSettings

    from aidesk.ui import theme as themes

    i18n.activate(request.param)
    settings = QSettings(str(tmp_path / "theme.ini"), QSettings.Format.IniFormat)
    settings.setValue(themes.KEY, themes.LIGHT)
    theme = themes.install(qapp, settings)
    yield request.param
    i18n.activate("en")
    theme.setParent(None)
    theme.deleteLater()
    qapp.setStyleSheet("")


def inside(widget: QWidget, area: QWidget) -> bool:
    top_left = widget.mapTo(area, widget.rect().topLeft())
    return top_left.x() >= 0 and top_left.x() + widget.width() <= area.width()


@pytest.mark.parametrize("size", [(1024, 640), (1600, 1000)])
def test_integrations_fit_without_a_horizontal_scrollbar(language: str, bridge: Any,
                                                         qtbot: Any, tmp_path: Path,
                                                         size: tuple[int, int]) -> None:
    from PySide6.QtCore import QSettings

    from aidesk.ui.app import build_window

    window: MainWindow = build_window(bridge, QSettings(str(tmp_path / "ui.ini"),
                                                       QSettings.Format.IniFormat))
    window.ctx.messenger.dialogs_enabled = False
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.complete_startup()
    qtbot.waitUntil(lambda: window.current is not None, timeout=10_000)
    tab = window.page(IntegrationsTab)
    assert isinstance(tab, IntegrationsTab)
    qtbot.waitUntil(lambda: all(c.isEnabled() for c in tab.cards.values()), timeout=10_000)
    qtbot.wait(50)
    viewport = tab.card_scroll.viewport()
    assert not tab.card_scroll.horizontalScrollBar().isVisible()
    for card in tab.cards.values():
        for button in card.findChildren(QPushButton):
            if button.isVisibleTo(card):
                assert inside(button, viewport), f"{button.text()} cut off at {size}"
    for button in tab.fallback.findChildren(QPushButton):
        assert inside(button, tab.fallback)
    shoot(window, f"integrations-{language}-{size[0]}x{size[1]}")


def test_smoke_saves_a_screenshot_per_tab_and_settings(tmp_path: Path) -> None:
    shots = tmp_path / "shots"
    env = {**os.environ, "AIDESK_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM":
           "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"), "LANGUAGE": "pt_BR"}
    result = subprocess.run([sys.executable, "-m", "aidesk", "--smoke", "--screenshots",
                             str(shots)], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in shots.glob("*.png"))
    assert names == sorted(f"pt_BR-{what}-{size}.png" for size in ("1024x640", "1600x1000")
                           for what in (*tab_slugs("pt_BR"), "settings"))
    assert all((shots / n).stat().st_size > 10_000 for n in names)
    assert not (tmp_path / "config").exists() or not any((tmp_path / "config").rglob("*.conf"))
    (ARTIFACTS / "smoke").mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(shots / name, ARTIFACTS / "smoke" / name)


def tab_slugs(code: str) -> list[str]:
    """`1-integracoes`, `2-assistente`, … as the screenshot tour names the tabs in `code`."""
    from aidesk.ui.screenshots import slug
    from aidesk.ui.tabs import TABS

    i18n.activate(code)
    try:
        return [f"{n}-{slug(i18n._(title))}" for n, (title, _t) in enumerate(TABS, start=1)]
    finally:
        i18n.activate("en")


def test_screenshots_argument_is_checked() -> None:
    from aidesk.main import _screenshots

    assert _screenshots(["--smoke", "--screenshots", "out"]) == "out"
    assert _screenshots(["--screenshots=out", "--smoke"]) == "out"
    assert _screenshots(["--smoke", "--screenshots"]) is None
    assert _screenshots(["ask", "hi"]) is None
