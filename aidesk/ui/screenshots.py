"""`aidesk --smoke --screenshots DIR`: one PNG per tab and one of the Settings dialog, in the
current language, at 1024×640 and 1600×1000, so anyone can see the app without a display.

Files: DIR/<language>-<n>-<tab>-<W>x<H>.png and DIR/<language>-settings-<W>x<H>.png.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from aidesk import i18n

if TYPE_CHECKING:
    from aidesk.ui.main_window import MainWindow

SIZES = ((1024, 640), (1600, 1000))
SETTLE_MS = 400  # a tab loads its data on the worker: let it arrive before the picture


def slug(title: str) -> str:
    """`&Integrações` → `integracoes`."""
    plain = unicodedata.normalize("NFKD", title.replace("&", "")).encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", plain.decode().lower()).strip("-") or "tab"


class ScreenshotTour(QObject):
    """Show each tab (and Settings) at each size and save it; then call `done(paths)`."""

    def __init__(self, window: MainWindow, folder: Path,
                 done: Callable[[list[Path]], None]) -> None:
        super().__init__(window)
        self.window = window
        self.folder = folder
        self.done = done
        self.saved: list[Path] = []
        self.steps: list[Callable[[], None]] = []
        language = i18n.language()
        for width, height in SIZES:
            size = f"{width}x{height}"
            for index in range(window.tabs.count()):
                name = f"{language}-{index + 1}-{slug(window.tabs.tabText(index))}-{size}"
                self.steps.append(partial(self._tab, index, width, height, name))
            self.steps.append(partial(self._settings, width, height,
                                      f"{language}-settings-{size}"))

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._next()

    def _next(self) -> None:
        if not self.steps:
            self.done(self.saved)
            return
        self.steps.pop(0)()

    def _tab(self, index: int, width: int, height: int, name: str) -> None:
        self.window.resize(width, height)
        self.window.tabs.setCurrentIndex(index)
        QTimer.singleShot(SETTLE_MS, lambda: self._save(self.window, name))

    def _settings(self, width: int, height: int, name: str) -> None:
        from aidesk.ui.settings_dialog import SettingsDialog

        self.window.resize(width, height)
        dialog = SettingsDialog(self.window.ctx, self.window.current, self.window)
        dialog.resize(min(760, width - 80), min(600, height - 60))
        dialog.show()

        def shoot() -> None:
            self._save(dialog, name)
            dialog.close()
            dialog.deleteLater()

        QTimer.singleShot(SETTLE_MS, shoot)

    def _save(self, widget: QWidget, name: str) -> None:
        path = self.folder / f"{name}.png"
        if widget.grab().save(str(path)):
            self.saved.append(path)
        self._next()
