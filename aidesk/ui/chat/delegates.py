"""How a conversation and a message are drawn: sender, local time, language tag, sentiment
badge, media chip, greyed system lines, and a translation with its original one click away."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from aidesk.i18n import _
from aidesk.ui import badges
from aidesk.ui.badges import MEDIA_COLOURS, Look
from aidesk.ui.chat import looks
from aidesk.ui.chat.models import MessageModel, MessageRow, Role

Index = QModelIndex | QPersistentModelIndex
PAD_X, PAD_Y, GAP = 10, 6, 4
WRAP = Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop


def _bold(font: QFont) -> QFont:
    bold = QFont(font)
    bold.setBold(True)
    return bold


def _muted(option: QStyleOptionViewItem, selected: bool) -> QColor:
    pal: QPalette = option.palette
    if selected:
        return pal.color(QPalette.ColorRole.HighlightedText)
    return pal.color(QPalette.ColorRole.PlaceholderText)


def _selected(option: QStyleOptionViewItem) -> bool:
    return bool(option.state & QStyle.StateFlag.State_Selected)


def _background(painter: QPainter, option: QStyleOptionViewItem, widget: QWidget | None) -> None:
    style = widget.style() if widget is not None else QApplication.style()
    style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget)


class ConversationDelegate(QStyledItemDelegate):
    """Title (bold, elided) with the sentiment badge; message count and last time under it."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(200, 2 * PAD_Y + metrics.height() * 2 + GAP + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        _background(painter, option, option.widget)
        rect: QRect = option.rect.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        font: QFont = option.font
        selected = _selected(option)
        pal: QPalette = option.palette
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected
                                else QPalette.ColorRole.Text)
        row = index.data(Role.ROW)
        look = (looks.sentiment(row.sentiment, row.sentiment_reason or "") if row is not None
                else None)
        badge_width = 0
        if look is not None:
            painter.setFont(badges.badge_font(font))
            drawn = badges.paint_look(painter, rect, look, pal, right_align=True)
            badge_width = drawn.width() + 8
        painter.setFont(_bold(font))
        painter.setPen(text_colour)
        metrics = QFontMetrics(painter.font())
        title = metrics.elidedText(str(index.data()), Qt.TextElideMode.ElideRight,
                                   rect.width() - badge_width)
        painter.drawText(QRect(rect.left(), rect.top(), rect.width() - badge_width,
                               metrics.height()), Qt.AlignmentFlag.AlignLeft, title)
        painter.setFont(font)
        painter.setPen(_muted(option, selected))
        sub = QFontMetrics(font)
        top = rect.top() + metrics.height() + GAP
        painter.drawText(QRect(rect.left(), top, rect.width(), sub.height()),
                         Qt.AlignmentFlag.AlignLeft, sub.elidedText(
                             str(index.data(Role.SUBTITLE) or ""),
                             Qt.TextElideMode.ElideRight, rect.width()))
        painter.restore()


@dataclass(frozen=True, slots=True)
class Shown:
    """A message as the view shows it, read from the model in Python: asking Qt for a role
    that has no value hands back a None that PySide6 does not count (see itemdata.py)."""

    row: MessageRow
    time: str
    translation: str | None
    original: bool

    @staticmethod
    def of(index: Index) -> Shown:
        model = index.model()
        assert isinstance(model, MessageModel)
        number = index.row()
        return Shown(model.rows[number], model.time_text(number), model.translation(number),
                     number in model.originals)


@dataclass
class Layout:
    header: QRect
    body: QRect
    body_text: str
    note: QRect
    note_text: str
    link: QRect
    link_text: str
    height: int


class MessageDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view

    def _width(self, option: QStyleOptionViewItem) -> int:
        width = self.view.viewport().width()
        return max(120, width)

    def layout(self, option: QStyleOptionViewItem, index: Index, left: int = 0,
               top: int = 0) -> Layout:
        font: QFont = option.font
        metrics = QFontMetrics(font)
        width = self._width(option) - 2 * PAD_X
        x, y = left + PAD_X, top + PAD_Y
        m = Shown.of(index)
        kind = m.row.kind
        header = QRect(x, y, width, 0)
        if kind != "system":
            header.setHeight(badges.pill_size(QFontMetrics(badges.badge_font(font)), "Xy")
                             .height())
            y += header.height() + GAP
        translation, original = m.translation, m.original
        text = m.row.text
        if kind == "system":
            text = f"{m.time} · {text}" if m.time else text
        elif translation and not original:
            text = str(translation)
        if kind == "media":
            body = QRect(x, y, width, badges.pill_size(metrics, "Xy").height())
        else:
            body = metrics.boundingRect(QRect(x, y, width, 100_000), int(WRAP), text)
            body.setWidth(width)
        y = body.bottom() + 1
        note = link = QRect(x, y, 0, 0)
        note_text = link_text = ""
        if translation:
            name = looks.language_name(m.row.language)
            if original:
                note_text = (_("Original in {language}.").format(language=name) if name
                             else _("Original text."))
                link_text = _("Show translation")
            else:
                note_text = (_("Translated from {language}.").format(language=name) if name
                             else _("Translated."))
                link_text = _("Show original")
            small = QFontMetrics(font)
            y += GAP
            note = QRect(x, y, small.horizontalAdvance(note_text) + 6, small.height())
            link = QRect(note.right() + 1, y, small.horizontalAdvance(link_text) + 2,
                         small.height())
            y = note.bottom() + 1
        return Layout(header, body, text, note, note_text, link, link_text, y + PAD_Y - top)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return QSize(self._width(option), self.layout(option, index).height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        _background(painter, option, option.widget)
        rect: QRect = option.rect
        font: QFont = option.font
        pal: QPalette = option.palette
        selected = _selected(option)
        lay = self.layout(option, index, rect.left(), rect.top())
        m = Shown.of(index)
        kind = m.row.kind
        text_colour = pal.color(QPalette.ColorRole.HighlightedText if selected
                                else QPalette.ColorRole.Text)
        muted = _muted(option, selected)
        if kind != "system":
            self._header(painter, lay.header, m, font, pal, text_colour, muted)
        if kind == "media":
            chip = Look(_("Media: {name}").format(name=lay.body_text), MEDIA_COLOURS)
            painter.setFont(font)
            metrics = QFontMetrics(font)
            text = metrics.elidedText(chip.text, Qt.TextElideMode.ElideMiddle,
                                      lay.body.width() - 2 * badges.PAD_X)
            badges.paint_look(painter, lay.body.topLeft(), Look(text, chip.colours), pal)
        else:
            body_font = QFont(font)
            body_font.setItalic(kind == "system")
            painter.setFont(body_font)
            painter.setPen(muted if kind == "system" else text_colour)
            painter.drawText(lay.body, int(WRAP), lay.body_text)
        if lay.note_text:
            painter.setFont(font)
            painter.setPen(muted)
            painter.drawText(lay.note, Qt.AlignmentFlag.AlignLeft, lay.note_text)
            link_font = QFont(font)
            link_font.setUnderline(True)
            painter.setFont(link_font)
            painter.setPen(text_colour if selected else pal.color(QPalette.ColorRole.Link))
            painter.drawText(lay.link, Qt.AlignmentFlag.AlignLeft, lay.link_text)
        painter.restore()

    def _header(self, painter: QPainter, rect: QRect, m: Shown, font: QFont,
                pal: QPalette, text_colour: QColor, muted: QColor) -> None:
        small = badges.badge_font(font)
        painter.setFont(small)
        right = rect.right()
        look = looks.sentiment(m.row.sentiment, m.row.reason or "")
        if look is not None:
            right = badges.paint_look(painter, rect, look, pal, right_align=True).left() - 6
        tag = looks.language_tag(m.row.language)
        tag_width = badges.pill_size(QFontMetrics(small), tag.text).width() + 6 if tag else 0
        bold = _bold(font)
        painter.setFont(bold)
        painter.setPen(text_colour)
        metrics = QFontMetrics(bold)
        time = m.time
        time_width = QFontMetrics(font).horizontalAdvance(time) + 10
        room = max(40, right - rect.left() - time_width - tag_width)
        sender = metrics.elidedText(m.row.sender,
                                    Qt.TextElideMode.ElideRight, room)
        line = QRect(rect.left(), rect.top(), room, rect.height())
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         sender)
        x = rect.left() + metrics.horizontalAdvance(sender) + 10
        painter.setFont(font)
        painter.setPen(muted)
        painter.drawText(QRect(x, rect.top(), time_width, rect.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, time)
        if tag is not None:
            painter.setFont(small)
            badges.paint_look(painter, QPoint(x + time_width - 4, rect.top()), tag, pal)

    def editorEvent(self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem,
                    index: Index) -> bool:
        """A click on "Show original" / "Show translation" toggles the message."""
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and isinstance(model, MessageModel) and Shown.of(index).translation):
            rect: QRect = option.rect
            lay = self.layout(option, index, rect.left(), rect.top())
            if lay.link.contains(event.position().toPoint()):
                model.toggle_original(index.row())
                return True
        return super().editorEvent(event, model, option, index)
