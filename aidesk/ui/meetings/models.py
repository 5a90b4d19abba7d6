"""The Meetings tab's Qt models: the stored meetings (newest first) and a meeting's action
items (what, owner, due)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from aidesk import formats
from aidesk.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from aidesk.features.meeting_store import MeetingEntry
    from aidesk.features.meetings import ActionItem

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
ACTION_COLUMNS = (N_("What"), N_("Owner"), N_("Due"))
NOT_SAID = "—"


class MeetingList(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[MeetingEntry] = []

    def set_rows(self, rows: Sequence[MeetingEntry]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, meeting_id: str | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == meeting_id), -1)

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        entry = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            from aidesk.features.meeting_text import duration_text

            actions = ngettext("{n} action item", "{n} action items", entry.actions).format(
                n=entry.actions)
            return f"{entry.title}\n{formats.date_time(entry.created_at)} · " \
                   f"{duration_text(entry.duration_s)} · {actions}"
        if role == Qt.ItemDataRole.ToolTipRole:
            cost = formats.money(entry.cost_usd) if entry.cost_usd is not None else _("unknown")
            return _("Transcription cost: {cost}").format(cost=cost)
        if role == ENTRY_ROLE:
            return entry
        return None


class ActionModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[ActionItem] = []

    def set_rows(self, rows: Sequence[ActionItem]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(ACTION_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(ACTION_COLUMNS)):
            return _(ACTION_COLUMNS[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        item = self.rows[index.row()]
        values = (item.task, item.owner, item.due)
        value = values[index.column()] if 0 <= index.column() < 3 else None
        if role == Qt.ItemDataRole.DisplayRole:
            return value if value else NOT_SAID
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 0:
                return item.task
            if not value:
                return _("Not said in the meeting")
            return value
        return None
