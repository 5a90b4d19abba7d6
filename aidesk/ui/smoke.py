"""`aidesk --smoke`: start the real app offscreen, check it, report, exit.

Used by CI on the packaged bundle and by bench/startup.py. It opens the window, opens the
database in the data folder, reports the start-up times, the data folder and the keyring
backend, and exits 0 once the core is ready. Any failure prints its reason and exits
non-zero within `DEADLINE_MS`: 1 the core could not open, 2 no answer in time, 3 a crash
(its report is saved in the data folder), 4 a provider SDK was imported at start-up.
It never writes the user's window settings.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, QTimer

from aidesk.ui.clock import process_age_ms

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from aidesk.core import Core
    from aidesk.ui.bridge import CoreBridge
    from aidesk.ui.main_window import MainWindow

DEADLINE_MS = 30_000
SDKS = ("openai", "anthropic", "google.genai")


def scratch_settings() -> QSettings:
    """Window settings in a throw-away file: a smoke run leaves the user's untouched."""
    folder = tempfile.mkdtemp(prefix="aidesk-smoke-")
    return QSettings(f"{folder}/ui.ini", QSettings.Format.IniFormat)


class Smoke:
    def __init__(self, app: QApplication, bridge: CoreBridge, window: MainWindow,
                 screenshots: Path | None = None) -> None:
        self.app = app
        self.window = window
        self.screenshots = screenshots  # --screenshots DIR: one PNG per tab and Settings
        self.marks_ms: list[float] = []
        self.epochs: list[float] = []  # wall-clock marks, for bench/startup.py
        bridge.ready.connect(self.ready)
        bridge.startup_failed.connect(self.failed)
        window.ctx.messenger.crashed.connect(self.crashed)
        window.ctx.messenger.dialogs_enabled = False
        QTimer.singleShot(DEADLINE_MS, self.too_slow)

    def mark(self) -> None:
        self.marks_ms.append(process_age_ms())
        self.epochs.append(time.time())

    def ready(self, core: Core) -> None:
        ready_ms = process_age_ms()
        shown, tab = [*self.marks_ms, ready_ms, ready_ms][:2]
        print(f"startup: window shown in {shown:.0f} ms, first tab built in {tab:.0f} ms, "
              f"core ready in {ready_ms:.0f} ms", flush=True)
        print("epochs: " + " ".join(f"{t:.6f}" for t in [*self.epochs, time.time()]),
              flush=True)
        print(f"data: {core.data_dir}", flush=True)
        print(f"keyring: {keyring_state(core)}", flush=True)
        sdks = [m for m in SDKS if m in sys.modules]
        if sdks:
            self.fail(4, f"provider SDKs imported at start-up: {sdks}")
        elif self.screenshots is not None and self.window is not None:
            from aidesk.ui.screenshots import ScreenshotTour

            ScreenshotTour(self.window, self.screenshots, self.shots_saved).start()
        else:
            self.app.exit(0)

    def shots_saved(self, paths: list[Path]) -> None:
        for path in paths:
            print(f"screenshot: {path}", flush=True)
        self.app.exit(0)

    def failed(self, exc: BaseException) -> None:
        message = getattr(exc, "user_message", None) or f"{type(exc).__name__}: {exc}"
        self.fail(1, f"the core could not open: {message}")

    def crashed(self, report: str, saved: str) -> None:
        last = report.strip().splitlines()[-1] if report.strip() else "unknown error"
        where = f"; the report is in {saved}" if saved else ""
        self.fail(3, f"crash: {last}{where}")

    def too_slow(self) -> None:
        self.fail(2, f"the core was not ready after {DEADLINE_MS // 1000} s")

    def fail(self, code: int, reason: str) -> None:
        print(f"smoke: {reason}", file=sys.stderr, flush=True)
        self.app.exit(code)


def keyring_state(core: Core) -> str:
    """The keyring backend and whether keys can be kept there."""
    from aidesk.errors import AIDeskError

    name = core.keys.backend_name
    try:
        core.keys.check()
    except AIDeskError:
        return f"{name} (unusable: keys cannot be saved until a Secret Service is available)"
    return f"{name} (usable)"
