"""The Assistant's history: past results of this workspace, newest first, searchable.

Read from the audit trail on the worker (aidesk.features.history). A result can be reopened
(to read or refine it), copied, or used as the start of a new request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, SignalInstance
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aidesk import formats
from aidesk.features.marketing import MODULE
from aidesk.i18n import _
from aidesk.ui import icons
from aidesk.ui.context import UiContext

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.history import HistoryEntry
    from aidesk.workspaces import Workspace

ENTRY_ROLE = Qt.ItemDataRole.UserRole
PREVIEW_CHARS = 90


def title_of(entry: HistoryEntry) -> str:
    first = next((line.strip() for line in entry.response.splitlines() if line.strip()), "")
    return first if len(first) <= PREVIEW_CHARS else first[: PREVIEW_CHARS - 1] + "…"


def subtitle_of(entry: HistoryEntry) -> str:
    from aidesk.ui.settings_fields import provider_label

    who = provider_label(entry.provider) if entry.provider else ""
    return " · ".join(p for p in (formats.date_time(entry.created_at), who) if p)


class HistoryPanel(QWidget):
    reopen = Signal(object)  # HistoryEntry
    use_as_start = Signal(object)  # HistoryEntry

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace: Workspace | None = None
        self.entries: list[HistoryEntry] = []
        self._generation = 0
        title = QLabel("<b>" + _("History") + "</b>")
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search past results"))
        self.search.setAccessibleName(_("Search past results"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.list = QListWidget()
        self.list.setAccessibleName(_("Past results"))
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.empty = QLabel()
        self.empty.setProperty("role", "empty-state")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty)
        self.reopen_button = QPushButton(_("&Open"))
        self.reopen_button.setToolTip(_("Show this result in the editor to read or refine it"))
        self.copy_button = QPushButton(_("Cop&y"))
        self.start_button = QPushButton(_("Use as &start"))
        self.start_button.setToolTip(_("Start a new request from this text (Rewrite task)"))
        for button, icon in ((self.reopen_button, "file"), (self.copy_button, "copy"),
                             (self.start_button, "pencil")):
            icons.use(button, icon)
        buttons = QHBoxLayout()
        for button in (self.reopen_button, self.copy_button, self.start_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.search)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.list.itemActivated.connect(lambda _item: self._emit(self.reopen))
        self.reopen_button.clicked.connect(lambda: self._emit(self.reopen))
        self.start_button.clicked.connect(lambda: self._emit(self.use_as_start))
        self.copy_button.clicked.connect(self.copy)
        self._show([])

    def set_workspace(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.reload()

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        self._generation += 1
        generation, search = self._generation, self.search.text()

        def query(core: Core) -> list[HistoryEntry]:
            from aidesk.features.history import recent

            return recent(core.db, ws.tenant_id, MODULE, search)

        job = self.ctx.bridge.call(query)
        job.done.connect(lambda found: self._show(found)
                         if generation == self._generation else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _show(self, entries: list[HistoryEntry]) -> None:
        self.entries = entries
        self.list.clear()
        for entry in entries:
            item = QListWidgetItem(f"{title_of(entry)}\n{subtitle_of(entry)}")
            item.setData(ENTRY_ROLE, entry)
            item.setToolTip(entry.response[:600])
            self.list.addItem(item)
        if entries:
            self.list.setCurrentRow(0)
            self.stack.setCurrentWidget(self.list)
        else:
            self.empty.setText(
                _("Nothing matches “{text}”.").format(text=self.search.text().strip())
                if self.search.text().strip() else
                _("No results yet in this workspace. Fill in the task and press Generate: "
                  "every text written appears here."))
            self.stack.setCurrentWidget(self.empty)
        self._update_buttons()

    def current(self) -> HistoryEntry | None:
        item = self.list.currentItem()
        return None if item is None else item.data(ENTRY_ROLE)

    def _emit(self, signal: SignalInstance) -> None:
        entry = self.current()
        if entry is not None:
            signal.emit(entry)

    def copy(self) -> None:
        entry = self.current()
        if entry is not None:
            QApplication.clipboard().setText(entry.response)
            self.ctx.messenger.info(_("Copied the text to the clipboard."))

    def _update_buttons(self) -> None:
        chosen = self.current() is not None
        for button in (self.reopen_button, self.copy_button, self.start_button):
            button.setEnabled(chosen)
