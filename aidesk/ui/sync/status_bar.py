"""The status bar's sync corner: "Synced 14:32 · 12 pending" or the last error in red, with
"Sync now". Hidden while the workspace has no central database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from aidesk import formats
from aidesk.i18n import _
from aidesk.ui.sync.texts import details, summary

if TYPE_CHECKING:
    from aidesk.sync.passes import SyncStatus

ERROR_STYLE = "color: #b00020;"
MAX_TEXT_WIDTH = 480  # a longer line (an error and its fix) wraps


class SyncStatusWidget(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sync-status")
        self.label = QLabel()
        self.label.setAccessibleName(_("Sync status"))
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        self.label.setMaximumWidth(MAX_TEXT_WIDTH)
        self.sync_button = QPushButton(_("S&ync now"))
        self.sync_button.setToolTip(_("Send what is waiting to the central database and "
                                      "receive your team's policies now"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.sync_button)
        self.tone = "info"
        self.text = ""  # the line shown (not "Syncing…")
        self.hide()

    def show_status(self, status: SyncStatus | None) -> None:
        if status is None or not status.configured:
            self.hide()
            return
        self.tone, self.text = summary(status)
        self._set_text(self.text)
        self.label.setStyleSheet(ERROR_STYLE if self.tone == "error" else "")
        tip = details(status)
        self.label.setToolTip(tip)
        self.sync_button.setEnabled(True)
        self.show()

    def show_busy(self) -> None:
        self.label.setStyleSheet("")
        self._set_text(_("Syncing…"))
        self.sync_button.setEnabled(False)

    def show_progress(self, done: int, total: int) -> None:
        """A push of more than one batch (a first sync of a long history) says how far."""
        if done < total:
            self._set_text(_("Syncing… {done} of {total} rows").format(
                done=formats.number(done), total=formats.number(total)))

    def _set_text(self, text: str) -> None:
        """The whole line: on one line when it fits, else wrapped at MAX_TEXT_WIDTH."""
        width = self.label.fontMetrics().horizontalAdvance(text) + 4
        self.label.setMinimumWidth(min(width, MAX_TEXT_WIDTH))
        self.label.setText(text)
