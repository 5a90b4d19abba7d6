"""Start the desktop app. The window shows first; the core opens on the worker thread."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.ui.main_window import MainWindow
from aidesk.ui.messages import Messenger, install_excepthook

RESOURCES = Path(__file__).resolve().parent.parent.parent / "resources"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


def open_core_on_worker():  # type: ignore[no-untyped-def]
    from aidesk.core import open_core

    return open_core()


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    install_translations(app)
    app.setApplicationName("AIDesk")
    app.setOrganizationName("AIDesk")
    style = app.style()
    if style is None or style.name().lower() != "fusion":  # re-making it costs ~25 ms
        app.setStyle("Fusion")
    app.setDesktopFileName("aidesk")  # matches aidesk.desktop: the menu entry's icon and name
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addFile(str(RESOURCES / "icons" / f"aidesk-{size}.png"))
    app.setWindowIcon(icon)
    from aidesk.ui import theme

    theme.install(app)  # light or dark as the system (or the user's choice) says, + aidesk.qss
    return app


def install_translations(app: QApplication) -> None:
    """The language (saved setting, else the system's) for AIDesk's texts and for Qt's own
    dialogs and buttons (the qtbase catalogue that ships with Qt)."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from aidesk import i18n

    language = i18n.setup()
    QLocale.setDefault(QLocale(language))
    if language == i18n.DEFAULT:
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{language}", folder):
        app.installTranslator(translator)


def build_window(bridge: CoreBridge, settings: QSettings | None = None) -> MainWindow:
    __import__("aidesk.i18n").i18n.set_surface("gui")  # core hints: places, not CLI commands
    messenger = Messenger()
    install_excepthook(messenger)
    window = MainWindow(UiContext(bridge, messenger), settings or QSettings())
    messenger.setParent(window)
    from aidesk.ui import shell

    shell.install(window)  # keyring banner, icons, old messages cleared (menus: complete_startup)
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


def run(smoke: bool = False, screenshots: Path | None = None) -> int:
    if smoke:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = create_app(sys.argv)
    quit_on_signals(app)
    bridge = CoreBridge(open_core_on_worker)
    check = None
    if smoke:
        from aidesk.ui.smoke import Smoke, scratch_settings

        window = build_window(bridge, scratch_settings())
        check = Smoke(app, bridge, window, screenshots)
    else:
        window = build_window(bridge)
    window.show()

    def shown() -> None:
        if check is not None:
            check.mark()
        window.complete_startup()
        if check is not None:
            check.mark()
        bridge.start()  # the core opens (SQLAlchemy, migrations) once the window is up
        from aidesk.ui import theme

        installed = theme.current(app)
        if installed is not None:
            installed.confirm()

    QTimer.singleShot(0, shown)
    code = app.exec()
    window.close()
    bridge.stop()
    return code
