"""A flat table of rows, one item each, with translated column headers: what the Audit,
Bulk and Leads tables share. Each subclass keeps `rows` and names its `columns` (N_())."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from aidesk.i18n import _

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: the table is flat


class RowTableModel(QAbstractTableModel):
    columns: Sequence[str] = ()  # the headers, marked with N_()
    rows: Sequence[Any]

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.columns)):
            return _(self.columns[section])
        return None

    def item_at(self, index: Index) -> Any:
        """The row's item under a valid index of this table, else None."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()]
