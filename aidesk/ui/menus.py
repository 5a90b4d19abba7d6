"""The menu bar (File, Edit, View, Help) and its shortcuts.

Ctrl+N new workspace, Ctrl+, settings, Ctrl+Q quit; Edit's actions work on the focused
text field (text fields handle Ctrl+C/Ctrl+V themselves first); View picks the theme;
F1 opens the help, Help → About shows the version, data folder and keyring backend.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from aidesk.i18n import _
from aidesk.ui import icons
from aidesk.ui import theme as themes

if TYPE_CHECKING:
    from aidesk.ui.main_window import MainWindow

EDIT = (("undo", "Ctrl+Z"), ("redo", "Ctrl+Shift+Z"), ("cut", "Ctrl+X"), ("copy", "Ctrl+C"),
        ("paste", "Ctrl+V"), ("selectAll", "Ctrl+A"))


class Menus(QObject):
    """Owns the window's menu bar actions (found again with `Menus.of(window)`)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("aidesk-menus")
        self.window = window
        bar = window.menuBar()
        # Menu titles carry no Alt+letter: every letter of File, Edit, View and Help already
        # moves to a field of a tab (Alt+F the fallback order…); items inside menus have them.
        self.file_menu = bar.addMenu(_("File"))
        self.new_workspace = self._add(self.file_menu, _("&New workspace…"), "Ctrl+N",
                                       window.new_workspace, "plus")
        self.settings = self._add(self.file_menu, _("&Settings…"), "Ctrl+,",
                                  self.open_settings, "settings")
        self.file_menu.addSeparator()
        self.quit = self._add(self.file_menu, _("&Quit"), "Ctrl+Q", self.quit_app, "quit")
        self.quit.setMenuRole(QAction.MenuRole.QuitRole)

        self.edit_menu = bar.addMenu(_("Edit"))
        labels = {"undo": _("&Undo"), "redo": _("&Redo"), "cut": _("Cu&t"),
                  "copy": _("&Copy"), "paste": _("&Paste"), "selectAll": _("Select &all")}
        self.edit: dict[str, QAction] = {}
        for slot, keys in EDIT:
            if slot == "cut":
                self.edit_menu.addSeparator()
            action = self._add(self.edit_menu, labels[slot], keys,
                               lambda _=False, s=slot: self.edit_focused(s),
                               "copy" if slot == "copy" else None)
            self.edit[slot] = action

        self.view_menu = bar.addMenu(_("View"))
        theme_menu = self.view_menu.addMenu(_("&Theme"))
        self.theme_group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice, label in themes.CHOICES.items():
            action = theme_menu.addAction(_(label))
            action.setCheckable(True)
            action.triggered.connect(lambda _=False, c=choice: self.set_theme(c))
            self.theme_group.addAction(action)
            self.theme_actions[choice] = action
        theme = themes.current()
        if theme is not None:
            theme.changed.connect(lambda _scheme: self.sync_theme())
        self.sync_theme()

        self.help_menu = bar.addMenu(_("Help"))
        self.help = self._add(self.help_menu, _("AIDesk &help"), "F1", self.open_help, "help")
        self.about = self._add(self.help_menu, _("&About AIDesk"), None, self.open_about,
                               "info")
        self.about.setMenuRole(QAction.MenuRole.AboutRole)

    @staticmethod
    def of(window: QMainWindow) -> Menus:
        found = window.findChild(Menus, "aidesk-menus")
        assert isinstance(found, Menus), "install the menus first"
        return found

    def _add(self, menu: QMenu, text: str, keys: str | None, slot: Callable[..., object],
             icon: str | None = None) -> QAction:
        action = menu.addAction(text)
        if keys:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _=False: slot())
        if icon:
            icons.use(action, icon)
        self.window.addAction(action)  # shortcuts work while the menu bar is hidden too
        return action

    # -- actions ------------------------------------------------------------------------------
    def quit_app(self) -> None:
        self.window.close()
        QApplication.quit()

    def edit_focused(self, slot: str) -> None:
        """Undo, copy, paste… on the focused text field, if it has that action."""
        widget = QApplication.focusWidget()
        method = getattr(widget, slot, None)
        if callable(method):
            method()

    def set_theme(self, choice: str) -> None:
        theme = themes.current()
        if theme is not None:
            theme.set_choice(choice)
        self.sync_theme()

    def sync_theme(self) -> None:
        theme = themes.current()
        choice = theme.choice if theme is not None else themes.SYSTEM
        self.theme_actions[choice].setChecked(True)

    def open_settings(self) -> None:
        from aidesk.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.window.ctx, self.window.current, self.window)
        dialog.open()

    def open_help(self) -> None:
        from aidesk.ui.about import HelpDialog

        HelpDialog(self.window).open()

    def open_about(self) -> None:
        from aidesk.ui.about import AboutDialog

        AboutDialog(self.window.ctx, self.window).open()


def install(window: MainWindow) -> Menus:
    return Menus(window)
