"""UI fixtures: a started bridge on a fresh data dir, the main window, screenshots, dialogs."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget

from aidesk.ui.app import build_window
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.ui.main_window import MainWindow
from aidesk.ui.messages import Messenger
from tests.support import MemoryKeyring, make_core

ARTIFACTS = Path(os.environ.get("AIDESK_TEST_ARTIFACTS", Path(__file__).parents[2]
                                / "test-artifacts")) / "screenshots"


@pytest.fixture
def bridge(data_dir: Path, keyring_backend: MemoryKeyring, qtbot: Any) -> Iterator[CoreBridge]:
    b = CoreBridge(lambda: make_core(data_dir, keyring_backend))
    with qtbot.waitSignal(b.ready, timeout=15_000):
        b.start()
    yield b
    b.stop()


@pytest.fixture
def ctx(bridge: CoreBridge) -> UiContext:
    messenger = Messenger()
    messenger.dialogs_enabled = False
    return UiContext(bridge, messenger)


@pytest.fixture
def window(bridge: CoreBridge, qtbot: Any, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    win = build_window(bridge, settings)
    win.ctx.messenger.dialogs_enabled = False
    qtbot.addWidget(win)
    win.show()
    win.complete_startup()
    qtbot.waitUntil(lambda: win.current is not None, timeout=10_000)
    return win


def shoot(widget: QWidget, name: str) -> Path:
    """Save a screenshot for a human to look at (test-artifacts/screenshots/NAME.png)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    assert widget.grab().save(str(path)), f"could not save {path}"
    return path


def answer_dialog(button_text: str, *, seen: list[str] | None = None,
                  delay_ms: int = 50) -> None:
    """Click `button_text` in the next modal dialog (message boxes, confirmations)."""

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            QTimer.singleShot(delay_ms, click)
            return
        if seen is not None and isinstance(dialog, QMessageBox):
            seen.append(dialog.text())
        for button in dialog.findChildren(QAbstractButton):
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no button {button_text!r} in {dialog.windowTitle()!r}")

    QTimer.singleShot(delay_ms, click)


@pytest.fixture
def wait_job(qtbot: Any) -> Callable[..., Any]:
    """Run a bridge job and return its result (or raise its failure)."""

    def wait(job: Any, timeout: int = 10_000) -> Any:
        box: dict[str, Any] = {}
        job.done.connect(lambda r: box.setdefault("done", r))
        job.failed.connect(lambda e: box.setdefault("failed", e))
        qtbot.waitUntil(lambda: bool(box), timeout=timeout)
        if "failed" in box:
            raise box["failed"]
        return box["done"]

    return wait
