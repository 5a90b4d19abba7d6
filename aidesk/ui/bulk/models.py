"""The Bulk messages tab's table: one row per lead (its name, language, state and message),
read a page at a time as it is scrolled to, and read again while the job runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from aidesk import formats
from aidesk.i18n import N_, _
from aidesk.ui.table_model import ROOT, Index, RowTableModel

if TYPE_CHECKING:
    from aidesk.features.bulk_jobs import Item
    from aidesk.ui.bridge import CoreBridge

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = (N_("#"), N_("Lead"), N_("Language"), N_("State"), N_("Message"))
NUMBER, LEAD, LANGUAGE, STATE, MESSAGE = range(5)
STATE_MARKS = {"pending": "○", "running": "◔", "done": "✓", "failed": "✗"}
STATE_COLOURS = {"done": "#1b7f3b", "failed": "#c62828", "running": "#1f6feb"}
PAGE = 200


def state_text(item: Item) -> str:
    from aidesk.features.bulk_jobs import STATE_LABELS

    return f"{STATE_MARKS.get(item.state, '')} {_(STATE_LABELS.get(item.state, item.state))}"


def language_text(code: str) -> str:
    from aidesk.features.structured import LANGUAGE_LABELS

    return _(LANGUAGE_LABELS[code]) if code in LANGUAGE_LABELS else code


class ItemModel(RowTableModel):
    columns = COLUMNS

    """The items of one job. `show_job` starts it; rows arrive from the worker a page at a
    time (`fetchMore`); `refresh` reads the rows shown so far again (states change)."""

    def __init__(self, bridge: CoreBridge | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.job_id: str | None = None
        self.total = 0
        self.rows: list[Item] = []
        self._fetching = False
        self._refreshing = False
        self._generation = 0

    def show_job(self, job_id: str | None, total: int) -> None:
        self._generation += 1
        self.beginResetModel()
        self.job_id, self.total, self.rows = job_id, total, []
        self._fetching = self._refreshing = False
        self.endResetModel()
        if job_id is not None and total:
            self._fetch(0, PAGE)

    def set_rows(self, rows: Sequence[Item]) -> None:
        """Rows given as they are (tests, a job read whole)."""
        self.beginResetModel()
        self.rows, self.total = list(rows), len(rows)
        self.endResetModel()

    def item(self, row: int) -> Item | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    # -- reading from the worker ------------------------------------------------------------
    def canFetchMore(self, parent: Index = ROOT) -> bool:
        return (not parent.isValid() and self.bridge is not None and self.job_id is not None
                and len(self.rows) < self.total and not self._fetching)

    def fetchMore(self, parent: Index = ROOT) -> None:
        if self.canFetchMore(parent):
            self._fetch(len(self.rows), PAGE)

    def _fetch(self, offset: int, limit: int) -> None:
        if self.bridge is None or self.job_id is None:
            return
        from aidesk.ui.bulk import work

        job_id, generation = self.job_id, self._generation
        self._fetching = True
        job = self.bridge.call(lambda core: work.page(core, job_id, offset, limit))
        job.done.connect(lambda rows: self._arrived(generation, offset, rows))
        job.failed.connect(lambda _exc: self._stop_fetching(generation))

    def _stop_fetching(self, generation: int) -> None:
        if generation == self._generation:
            self._fetching = False

    def _arrived(self, generation: int, offset: int, rows: list[Item]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        if offset != len(self.rows) or not rows:
            return
        self.beginInsertRows(ROOT, offset, offset + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def refresh(self) -> None:
        """Read the rows shown so far again (one read at a time)."""
        if self.bridge is None or self.job_id is None or self._refreshing:
            return
        if not self.rows:
            if not self._fetching and self.total:
                self._fetch(0, PAGE)
            return
        from aidesk.ui.bulk import work

        job_id, generation, count = self.job_id, self._generation, len(self.rows)
        self._refreshing = True
        job = self.bridge.call(lambda core: work.page(core, job_id, 0, count))
        job.done.connect(lambda rows: self._refreshed(generation, rows))
        job.failed.connect(lambda _exc: setattr(self, "_refreshing", False))

    def _refreshed(self, generation: int, rows: list[Item]) -> None:
        if generation != self._generation:
            return
        self._refreshing = False
        changed = [i for i, (old, new) in enumerate(zip(self.rows, rows, strict=False))
                   if old != new]
        for i in changed:
            self.rows[i] = rows[i]
        if changed:
            self.dataChanged.emit(self.index(changed[0], 0),
                                  self.index(changed[-1], len(COLUMNS) - 1))

    # -- the model ------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item: Item | None = self.item_at(index)
        if item is None:
            return None
        column = index.column()
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NUMBER:
                return formats.number(item.seq + 1)
            if column == LEAD:
                return item.lead or _("line {n}").format(n=item.line)
            if column == LANGUAGE:
                return language_text(item.language)
            if column == STATE:
                return state_text(item)
            return " ".join((item.message or item.error or "").split())
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATE and item.state == "failed":
                return item.error or ""
            if column == MESSAGE:
                return item.message or item.error or None
            if column == LEAD:
                return _("Line {n} of the file").format(n=item.line)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            colour = STATE_COLOURS.get(item.state)
            if column == STATE and colour:
                return QColor(colour)
            if column == MESSAGE and item.state == "failed":
                return QColor(STATE_COLOURS["failed"])
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
