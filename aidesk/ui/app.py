"""Start the desktop app. The window shows first; the core opens on the worker thread."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

from aidesk.ui.bridge import CoreBridge
from aidesk.ui.clock import process_age_ms
from aidesk.ui.context import UiContext
from aidesk.ui.main_window import MainWindow
from aidesk.ui.messages import Messenger, install_excepthook

RESOURCES = Path(__file__).resolve().parent.parent.parent / "resources"


def open_core_on_worker():  # type: ignore[no-untyped-def]
    from aidesk.core import open_core

    return open_core()


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("AIDesk")
    app.setOrganizationName("AIDesk")
    app.setStyle("Fusion")
    style = RESOURCES / "styles" / "aidesk.qss"
    if style.exists():
        app.setStyleSheet(style.read_text(encoding="utf-8"))
    return app


def build_window(bridge: CoreBridge, settings: QSettings | None = None) -> MainWindow:
    messenger = Messenger()
    install_excepthook(messenger)
    window = MainWindow(UiContext(bridge, messenger), settings or QSettings())
    messenger.setParent(window)
    return window


def quit_on_signals(app: QApplication) -> QTimer:
    """SIGINT and SIGTERM close the app the normal way: running calls are cancelled (and
    recorded as such), limit reservations freed, the database closed.

    Python runs signal handlers only between bytecodes, never while Qt's event loop waits
    in C++: a short idle timer gives it that chance.
    """
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: app.quit())
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(250)
    return timer


def run(smoke: bool = False) -> int:
    if smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_app(sys.argv)
    quit_on_signals(app)
    bridge = CoreBridge(open_core_on_worker)
    window = build_window(bridge)
    window.show()
    shown_ms: list[float] = []
    epochs: list[float] = []  # wall-clock marks, for bench/startup.py's finer timing

    def shown() -> None:
        shown_ms.append(process_age_ms())
        epochs.append(time.time())
        window.complete_startup()
        shown_ms.append(process_age_ms())
        epochs.append(time.time())
        bridge.start()  # the core opens (SQLAlchemy, migrations) once the window is up

    QTimer.singleShot(0, shown)
    if smoke:
        def finish(_: object = None) -> None:
            ready_ms = process_age_ms()
            shown, tab = [*shown_ms, ready_ms, ready_ms][:2]
            print(f"startup: window shown in {shown:.0f} ms, first tab built in {tab:.0f} ms, "
                  f"core ready in {ready_ms:.0f} ms", flush=True)
            print("epochs: " + " ".join(f"{t:.6f}" for t in [*epochs, time.time()]), flush=True)
            sdks = [m for m in ("openai", "anthropic", "google.genai") if m in sys.modules]
            if sdks:
                print(f"smoke: provider SDKs imported at startup: {sdks}", file=sys.stderr)
                app.exit(1)
            else:
                app.exit(0)

        bridge.ready.connect(finish)
        bridge.startup_failed.connect(lambda exc: (print(f"smoke: {exc}", file=sys.stderr),
                                                   app.exit(1)))
        QTimer.singleShot(60_000, lambda: app.exit(2))
    code = app.exec()
    window.close()
    bridge.stop()
    return code
