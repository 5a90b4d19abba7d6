"""What the main window gets around its tabs: the menu bar, the keyring banner above the tabs,
icons from one set on the tabs and main actions, and old messages cleared on success."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from aidesk.ui import icons
from aidesk.ui.keyring_banner import KeyringBanner

if TYPE_CHECKING:
    from aidesk.ui.main_window import MainWindow

TAB_ICONS = {"IntegrationsTab": "plug", "AssistantTab": "sparkles", "ChatTab": "message-circle",
             "LeadsTab": "users"}
TAB_ICONS["BulkTab"] = "send"
TAB_ICONS["ImagesTab"] = "image"
TAB_ICONS["MeetingsTab"] = "mic"
TAB_ICONS["AuditTab"] = "search"
TAB_ICONS["UsageTab"] = "chart-column"
BUTTON_ICONS = {
    "check_all_button": "check", "generate_button": "sparkles", "stop_button": "square",
    "regenerate_button": "refresh", "copy_button": "copy", "save_button": "save",
}


def install(window: MainWindow) -> None:
    """Everything but the menu bar and the icons, which `MainWindow.complete_startup` adds
    once the window shows (`add_menus`)."""
    _wrap_tabs(window, KeyringBanner(window.ctx))
    watcher = _BuiltWatcher(window)
    for index in range(window.tabs.count()):
        holder = window.tabs.widget(index)
        if holder is not None:
            holder.installEventFilter(watcher)
    # a change saved (keys, settings) or a workspace opened: an old error is old news
    window.ctx.bridge.configs_changed.connect(window.ctx.messenger.resolved)
    window.switcher.activated.connect(lambda _index: window.ctx.messenger.resolved())


def add_menus(window: MainWindow) -> None:
    """The menu bar and the icons, once the window shows (drawing icons and creating the
    shortcuts' enum types would otherwise delay the first paint)."""
    from aidesk.ui.menus import Menus

    if window.findChild(Menus, "aidesk-menus") is not None:
        return
    Menus(window)
    icons.use(window.new_button, "plus")
    from aidesk.ui.tabs import TABS

    for index, (_title, target) in enumerate(TABS):
        name = TAB_ICONS.get(target.rpartition(":")[2])
        if name:
            icons.use(window.tabs, name, index)
    decorate(window)
    from aidesk.ui.bulk.offer import offer_unfinished  # a bulk job left unfinished

    offer_unfinished(window)


class _BuiltWatcher(QObject):
    """A tab's page was just built (it is built when first shown): decorate it."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ChildAdded:
            QTimer.singleShot(0, lambda: decorate(self.window))
        return False


def _wrap_tabs(window: MainWindow, banner: QWidget) -> None:
    """Put the banner above the tabs, in one central widget."""
    tabs = window.takeCentralWidget()
    assert tabs is not None
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(8, 6, 8, 0)
    layout.setSpacing(6)
    layout.addWidget(banner)
    layout.addWidget(tabs, 1)
    window.setCentralWidget(holder)


def decorate(window: MainWindow) -> None:
    """Icons on the main actions of the tabs built so far (once each)."""
    for page in window.tab_pages:
        if page.property("aidesk-decorated"):
            continue
        page.setProperty("aidesk-decorated", True)
        for attribute, name in BUTTON_ICONS.items():
            button = getattr(page, attribute, None)
            if isinstance(button, QPushButton):
                icons.use(button, name)
