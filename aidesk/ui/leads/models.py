"""The Leads tab's table: name, company, events, temperature (badge) of each imported lead."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from aidesk import formats
from aidesk.i18n import N_, _
from aidesk.ui import badges
from aidesk.ui.badges import TEMPERATURE_COLOURS, Look, with_emoji
from aidesk.ui.table_model import Index, RowTableModel

if TYPE_CHECKING:
    from aidesk.features.lead_store import LeadRow
    from aidesk.features.leads import LeadAnalysis

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
COLUMNS = (N_("Name"), N_("Company"), N_("Events"), N_("Temperature"))
NAME, COMPANY, EVENTS, TEMPERATURE = range(4)
TEMPERATURE_EMOJI = {"hot": "🔥", "warm": "🌤", "cold": "❄"}
RANK = {"hot": 0, "warm": 1, "cold": 2}


def temperature_look(analysis: LeadAnalysis | None) -> Look | None:
    if analysis is None:
        return None
    from aidesk.features.leads import TEMPERATURE_LABELS

    name = _(TEMPERATURE_LABELS.get(analysis.temperature, analysis.temperature))
    text = _("{temperature} · {score}").format(
        temperature=with_emoji(TEMPERATURE_EMOJI.get(analysis.temperature, ""), name,
                               "".join(TEMPERATURE_EMOJI.values())),
        score=analysis.score)
    tooltip = _("Score {score} of 100: {reasons}").format(
        score=analysis.score, reasons="; ".join(analysis.reasons)) if analysis.reasons else ""
    return Look(text, TEMPERATURE_COLOURS.get(analysis.temperature, badges.TAG_COLOURS),
                tooltip)


class LeadModel(RowTableModel):
    columns = COLUMNS

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[LeadRow] = []

    def set_rows(self, rows: Sequence[LeadRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, lead_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == lead_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        lead: LeadRow | None = self.item_at(index)
        if lead is None:
            return None
        column = index.column()
        record, analysis = lead, lead.analysis
        if role == ROW_ROLE:
            return lead
        if role == Qt.ItemDataRole.DisplayRole:
            look = temperature_look(analysis)
            return (record.name, record.company, formats.number(len(record.history)),
                    look.text if look else "")[column]
        if role == SORT_ROLE:  # hottest first (ascending), then the highest score
            rank = (RANK.get(analysis.temperature, 3) * 1000 + 100 - analysis.score
                    if analysis else 4000)
            return (record.name.casefold(), record.company.casefold(), len(record.history),
                    rank)[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == TEMPERATURE:
                look = temperature_look(analysis)
                return look.tooltip if look else _("Not analysed yet")
            return ", ".join(p for p in (record.name, record.company, record.email,
                                         record.phone) if p)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == EVENTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TemperatureDelegate(QStyledItemDelegate):
    """The Temperature column as a coloured badge."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row = index.data(ROW_ROLE)
        look = temperature_look(row.analysis) if row is not None else None
        if look is None:
            super().paint(painter, option, index)
            return
        painter.save()
        style = option.widget.style() if option.widget is not None else None
        if style is not None:
            style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter,
                                option.widget)
        painter.setFont(badges.badge_font(option.font))
        size = badges.pill_size(QFontMetrics(painter.font()), look.text)
        rect: QRect = option.rect
        top = rect.top() + (rect.height() - size.height()) // 2
        badges.paint_look(painter, QRect(rect.left() + 4, top, rect.width() - 8, size.height()),
                          look, option.palette)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        base = super().sizeHint(option, index)
        row = index.data(ROW_ROLE)
        look = temperature_look(row.analysis) if row is not None else None
        if look is None:
            return base
        size = badges.pill_size(QFontMetrics(badges.badge_font(option.font)), look.text)
        return QSize(max(base.width(), size.width() + 8), max(base.height(), size.height() + 4))
