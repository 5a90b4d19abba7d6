"""The menu bar and its shortcuts, the About and help dialogs, and the keyring banner."""

from __future__ import annotations

from typing import Any

import keyring.backend
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from aidesk import __version__
from aidesk.ui.about import AboutDialog, HelpDialog
from aidesk.ui.keyring_banner import KeyringBanner
from aidesk.ui.main_window import MainWindow
from aidesk.ui.menus import Menus
from aidesk.ui.settings_dialog import SettingsDialog
from tests.support import MemoryKeyring
from tests.ui.conftest import shoot


def focus(window: MainWindow, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def dialog_of(kind: type, qtbot: Any) -> Any:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), kind)
                    or any(isinstance(w, kind) and w.isVisible()
                           for w in QApplication.topLevelWidgets()), timeout=5_000)
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def test_menu_bar_has_file_edit_view_help(window: MainWindow) -> None:
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["File", "Edit", "View", "Help"]
    menus = Menus.of(window)
    shortcuts = {a.text().replace("&", ""): a.shortcut().toString()
                 for a in (menus.quit, menus.settings, menus.help, menus.new_workspace,
                           *menus.edit.values())}
    assert shortcuts["Quit"] == "Ctrl+Q" and shortcuts["Settings…"] == "Ctrl+,"
    assert shortcuts["AIDesk help"] == "F1" and shortcuts["Copy"] == "Ctrl+C"
    assert shortcuts["Paste"] == "Ctrl+V" and shortcuts["New workspace…"] == "Ctrl+N"
    assert all(not a.icon().isNull() for a in (menus.quit, menus.settings, menus.help))


def test_ctrl_comma_opens_settings_and_f1_help(window: MainWindow, qtbot: Any) -> None:
    focus(window, qtbot)
    QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    settings = dialog_of(SettingsDialog, qtbot)
    settings.reject()
    QTest.keyClick(window, Qt.Key.Key_F1)
    helper = dialog_of(HelpDialog, qtbot)
    text = helper.text.toPlainText()
    assert "Integrations" in text and "Ctrl+Enter" in text and "aidesk " not in text
    shoot(helper, "help-dialog")
    helper.reject()


def test_about_shows_version_data_folder_and_keyring(window: MainWindow, qtbot: Any) -> None:
    Menus.of(window).about.trigger()
    about = dialog_of(AboutDialog, qtbot)
    core = window.ctx.bridge.core
    assert core is not None
    qtbot.waitUntil(lambda: about.data_dir.text() == str(core.data_dir), timeout=5_000)
    assert about.version.text() == __version__
    assert "MemoryKeyring" in about.keyring.text() and "usable" in about.keyring.text()
    shoot(about, "about-dialog")
    about.reject()


def test_edit_menu_copies_and_pastes_in_the_focused_field(window: MainWindow,
                                                          qtbot: Any) -> None:
    focus(window, qtbot)
    menus = Menus.of(window)
    field = QLineEdit("Pão de queijo")
    window.statusBar().addWidget(field)
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    menus.edit["copy"].trigger()
    assert QApplication.clipboard().text() == "Pão de queijo"
    field.clear()
    menus.edit["paste"].trigger()
    assert field.text() == "Pão de queijo"
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(field, Qt.Key.Key_End)
    QTest.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "Pão de queijo" * 2


def test_ctrl_q_quits(window: MainWindow, qtbot: Any) -> None:
    focus(window, qtbot)
    QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5_000)


class Unusable(MemoryKeyring):
    priority = 0  # what keyring's fail backend says: nothing can be kept


def test_an_unusable_keyring_is_said_at_start(window: MainWindow, qtbot: Any,
                                             keyring_backend: MemoryKeyring) -> None:
    core = window.ctx.bridge.core
    assert core is not None
    banner = window.findChild(KeyringBanner)
    assert banner is not None and not banner.isVisible()  # the test keyring works
    core.keys._given = Unusable()
    banner.check()
    qtbot.waitUntil(banner.isVisible, timeout=5_000)
    text = banner.message()
    assert "cannot be saved" in text and "gnome-keyring" in text and "Check again" in text
    shoot(window, "keyring-banner")
    core.keys._given = keyring_backend
    assert banner.retry is not None
    qtbot.mouseClick(banner.retry, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=5_000)
    assert isinstance(keyring_backend, keyring.backend.KeyringBackend)
