"""The Audit tab's table: audit rows newest first, a keyset page at a time.

`fetchMore` asks the worker for the page after the last row shown and returns at once; the
rows are inserted when they arrive. A new filter starts a new generation, so a page of the
old filter that arrives late is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor

from aidesk import formats
from aidesk.features.audit_log import PAGE_SIZE, AuditFilter, AuditRow
from aidesk.i18n import N_, _
from aidesk.ui.table_model import ROOT, Index, RowTableModel

if TYPE_CHECKING:
    from aidesk.ui.bridge import CoreBridge

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = (N_("Time"), N_("Provider"), N_("Model"), N_("Module"), N_("User"), N_("Outcome"),
           N_("Tokens"), N_("Prompt"))
TIME, PROVIDER, MODEL, MODULE, USER, OUTCOME, TOKENS, PROMPT = range(len(COLUMNS))
OUTCOME_LABELS = {"ok": N_("Success"), "error": N_("Error"), "refused": N_("Refused"),
                  "cancelled": N_("Cancelled"), "not_configured": N_("Not configured")}
FAILED_COLOUR = "#c62828"


def outcome_text(outcome: str) -> str:
    return _(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else outcome


class AuditModel(RowTableModel):
    columns = COLUMNS

    """The rows of one workspace under one filter. `show` starts it; pages follow lazily."""

    loading_changed = Signal(bool)
    failed = Signal(object)  # the exception of a page that could not be read

    def __init__(self, bridge: CoreBridge | None = None, parent: Any = None,
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.page_size = page_size
        self.tenant_id: str | None = None
        self.filter = AuditFilter()
        self.rows: list[AuditRow] = []
        self.complete = True  # no page after the last one read
        self._fetching = False
        self._generation = 0

    def show(self, tenant_id: str, flt: AuditFilter) -> None:
        """Start over with `flt`: the first page is asked for at once."""
        self._generation += 1
        self.beginResetModel()
        self.tenant_id, self.filter, self.rows = tenant_id, flt, []
        self.complete, self._fetching = False, False
        self.endResetModel()
        self.fetchMore(ROOT)

    def row(self, number: int) -> AuditRow | None:
        return self.rows[number] if 0 <= number < len(self.rows) else None

    @property
    def loading(self) -> bool:
        return self._fetching

    # -- reading from the worker ------------------------------------------------------------
    def canFetchMore(self, parent: Index = ROOT) -> bool:
        return (not parent.isValid() and self.bridge is not None
                and self.tenant_id is not None and not self.complete and not self._fetching)

    def fetchMore(self, parent: Index = ROOT) -> None:
        if not self.canFetchMore(parent) or self.bridge is None or self.tenant_id is None:
            return
        from aidesk.ui.audit import work

        tenant, flt, size = self.tenant_id, self.filter, self.page_size
        after = self.rows[-1].cursor if self.rows else None
        generation = self._generation
        self._set_fetching(True)
        job = self.bridge.call(lambda core: work.page(core, tenant, flt, after, size))
        job.done.connect(lambda rows: self._arrived(generation, rows))
        job.failed.connect(lambda exc: self._failed(generation, exc))

    def _set_fetching(self, on: bool) -> None:
        self._fetching = on
        self.loading_changed.emit(on)

    def _failed(self, generation: int, exc: object) -> None:
        if generation == self._generation:
            self.complete = True  # not again and again while scrolling: a new show() retries
            self._set_fetching(False)
            self.failed.emit(exc)

    def _arrived(self, generation: int, rows: list[AuditRow]) -> None:
        if generation != self._generation:
            return
        self.complete = len(rows) < self.page_size
        if rows:
            start = len(self.rows)
            self.beginInsertRows(ROOT, start, start + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()
        self._set_fetching(False)

    # -- the model ------------------------------------------------------------------------------
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item: AuditRow | None = self.item_at(index)
        if item is None:
            return None
        column = index.column()
        if role == ROW_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == Qt.ItemDataRole.ToolTipRole and column in (OUTCOME, PROMPT):
            return item.error if column == OUTCOME else item.preview
        if role == Qt.ItemDataRole.ForegroundRole and column == OUTCOME and item.outcome != "ok":
            return QColor(FAILED_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == TOKENS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(item: AuditRow, column: int) -> str:
        if column == TIME:
            return formats.date_time(item.created_at)
        if column == OUTCOME:
            return outcome_text(item.outcome)
        if column == TOKENS:
            return formats.number(item.tokens) if item.tokens is not None else "—"
        if column == PROMPT:
            return " ".join(item.preview.split()) or "—"
        value = (item.provider, item.model, item.module, item.user_id)[column - PROVIDER]
        return value or "—"
