"""Main window: the workspace switcher, the tabs, the status bar (the message channel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QInputDialog,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.tabs import TABS, build_tab

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.storage.health import DatabaseCorrupt
    from aidesk.ui.sync.scheduler import SyncScheduler
    from aidesk.ui.sync.status_bar import SyncStatusWidget
    from aidesk.workspaces import Workspace


LEVEL_STYLE = {"info": "", "warning": "color: #8a5a00;", "error": "color: #b00020;"}


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext, settings: QSettings) -> None:
        super().__init__()
        self.ctx = ctx
        self.settings = settings
        self.setWindowTitle("AIDesk")
        self.workspaces: list[Workspace] = []
        self.current: Workspace | None = None

        bar = QToolBar(_("Workspace"))
        bar.setObjectName("workspace-bar")
        bar.setMovable(False)
        label = QLabel(_("&Workspace (client):"))
        self.switcher = QComboBox()
        self.switcher.setMinimumContentsLength(24)
        self.switcher.setAccessibleName(_("Workspace"))
        label.setBuddy(self.switcher)
        self.new_button = QPushButton(_("&New workspace…"))
        bar.addWidget(label)
        bar.addWidget(self.switcher)
        bar.addWidget(self.new_button)
        self.addToolBar(bar)

        self.tabs = QTabWidget()
        self._built: dict[int, WorkspaceTab] = {}
        for title, _target in TABS:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, _(title))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        self.tabs.setEnabled(False)

        self.status_label = QLabel(_("Opening your data…"))
        self.status_label.setWordWrap(True)
        self.statusBar().addWidget(self.status_label, 1)
        # the status bar's sync corner and its passes: built once the window shows
        self.sync: SyncScheduler | None = None
        self.sync_status: SyncStatusWidget | None = None

        ctx.messenger.message.connect(self.show_message)
        ctx.bridge.ready.connect(self._core_ready)
        ctx.bridge.startup_failed.connect(self._startup_failed)
        self.switcher.activated.connect(self._switch)
        self.new_button.clicked.connect(self.new_workspace)
        self._restore()
        if ctx.bridge.core is not None:  # the core opened before this window was built
            self._core_ready(ctx.bridge.core)

    # -- state ------------------------------------------------------------------------------
    def _restore(self) -> None:
        geometry = self.settings.value("main/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1100, 760)
        tab = str(self.settings.value("main/tab", 0))
        index = int(tab) if tab.isdigit() and int(tab) < self.tabs.count() else 0
        self.tabs.setCurrentIndex(index)

    def complete_startup(self) -> None:
        """Build the visible tab and the shortcuts, once the window frame is on screen.

        (The first key sequence makes PySide6 create Qt's enums, ~20 ms.)"""
        self._ensure_built(self.tabs.currentIndex())
        from aidesk.ui import shell

        shell.add_menus(self)
        self._start_sync()
        for index in range(self.tabs.count()):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            self.addAction(action)

    def _start_sync(self) -> None:
        """The sync corner of the status bar (hidden while the workspace does not sync) and
        the background passes of the shown workspace."""
        if self.sync is not None:
            return
        from aidesk.ui.sync.scheduler import SyncScheduler
        from aidesk.ui.sync.status_bar import SyncStatusWidget

        self.sync_status = SyncStatusWidget()
        self.statusBar().addPermanentWidget(self.sync_status)
        sync = self.sync = SyncScheduler(self.ctx, self)
        sync.connect_widget(self.sync_status)
        self.ctx.bridge.configs_changed.connect(lambda: sync.refresh(retry=True))
        if self.current is not None:
            sync.set_workspace(self.current)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.sync is not None:
            self.sync.stop()
        self.settings.setValue("main/geometry", self.saveGeometry())
        self.settings.setValue("main/tab", self.tabs.currentIndex())
        self.settings.sync()
        super().closeEvent(event)

    # -- messages -----------------------------------------------------------------------------
    def show_message(self, level: str, text: str) -> None:
        self.status_label.setStyleSheet(LEVEL_STYLE.get(level, ""))
        self.status_label.setText(text)
        self.status_label.setToolTip(text)

    # -- workspaces ---------------------------------------------------------------------------
    def _core_ready(self, core: Core) -> None:
        self.tabs.setEnabled(True)
        self.show_message("info", _("Ready. Data in {folder}.").format(folder=core.data_dir))
        self.reload_workspaces()

    def _startup_failed(self, exc: BaseException) -> None:
        self.ctx.messenger.failure(exc, self)
        from aidesk.storage.health import DatabaseCorrupt

        if isinstance(exc, DatabaseCorrupt) and exc.path is not None:
            self._offer_restore(exc)

    def _offer_restore(self, exc: DatabaseCorrupt) -> None:
        """The database is damaged: offer the newest backup, keeping the damaged file."""
        from aidesk import formats
        from aidesk.storage.backup import list_backups, restore, taken_at

        assert exc.path is not None
        data_dir = exc.path.parent
        backups = list_backups(data_dir)
        if not backups:
            return  # the message already says what to do without a backup
        newest = backups[0]
        stamp = taken_at(newest)
        when = formats.date_time(stamp) if stamp else newest.name
        question = _("Restore the backup of {when}? The damaged file is kept aside, not "
                     "deleted. Work done after that backup is not in it.").format(when=when)
        if not self.ctx.messenger.ask(
                self, _("Database damaged"), f"{exc.user_message}\n\n{question}",
                _("Restore backup")):
            return
        self.show_message("info", _("Restoring the backup of {when}…").format(when=when))
        self.ctx.bridge.recover(lambda: restore(data_dir, newest))

    def reload_workspaces(self, select: str | None = None) -> None:
        def load(core: Core) -> tuple[list[Workspace], Workspace]:
            current = core.workspaces.get()  # creates `default` on first start
            return core.workspaces.all(), current

        job = self.ctx.bridge.call(load)
        job.done.connect(lambda result: self._fill_switcher(result[0], result[1], select=select))
        job.failed.connect(self.ctx.messenger.failure)

    def _fill_switcher(self, workspaces: list[Workspace], current: Workspace,
                       select: str | None = None) -> None:
        self.workspaces = workspaces
        wanted = select or current.tenant_id
        self.switcher.blockSignals(True)
        self.switcher.clear()
        for ws in workspaces:
            self.switcher.addItem(ws.name, ws.tenant_id)
        index = max(0, self.switcher.findData(wanted))
        self.switcher.setCurrentIndex(index)
        self.switcher.blockSignals(False)
        self._switch(index)

    def _switch(self, index: int) -> None:
        if not 0 <= index < len(self.workspaces):
            return
        ws = self.workspaces[index]
        if self.current is not None and self.current.id != ws.id:
            self.ctx.bridge.call(lambda core: core.workspaces.set_current(ws))
        self.current = ws
        self.setWindowTitle(f"AIDesk — {ws.name}")
        for page in self.tab_pages:
            page.set_workspace(ws)
        if self.sync is not None:
            self.sync.set_workspace(ws)

    def new_workspace(self) -> None:
        name, ok = QInputDialog.getText(
            self, _("New workspace"), _("Client name (one workspace per agency client):"))
        if ok and name.strip():
            self.create_workspace(name.strip())

    def create_workspace(self, name: str) -> None:
        job = self.ctx.bridge.call(lambda core: core.workspaces.add(name))
        job.done.connect(lambda ws: self.reload_workspaces(select=ws.tenant_id))
        job.failed.connect(self.ctx.messenger.failure)

    @property
    def tab_pages(self) -> list[WorkspaceTab]:
        """The tabs built so far (a tab is built when first shown)."""
        return [self._built[i] for i in sorted(self._built)]

    def _on_tab_changed(self, index: int) -> None:
        if self._built:  # before start-up finishes, complete_startup() does it
            self._ensure_built(index)

    def _ensure_built(self, index: int) -> WorkspaceTab | None:
        if index < 0 or index in self._built:
            return self._built.get(index)
        page = build_tab(TABS[index][1], self.ctx)
        self._built[index] = page
        holder = self.tabs.widget(index)
        layout = holder.layout() if holder is not None else None
        assert layout is not None
        layout.addWidget(page)
        if self.current is not None:
            page.set_workspace(self.current)
        return page

    def page(self, kind: type[QWidget]) -> QWidget:
        for index, (_title, target) in enumerate(TABS):
            if target.endswith(f":{kind.__name__}"):
                page = self._ensure_built(index)
                assert page is not None
                return page
        raise KeyError(kind.__name__)
