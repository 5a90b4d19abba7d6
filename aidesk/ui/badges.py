"""Coloured pill badges (sentiment, lead temperature, language tags, chips): one look in list
delegates and in widgets, readable in the light and the dark theme.

Colours are picked when painting, from the palette in effect, so a theme switch repaints them.
An emoji is shown only where a font can draw it (offscreen and on bare Linux boxes there may
be none): the colour and the label carry the meaning on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QGuiApplication,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

# (light background, light text, dark background, dark text)
Colours = tuple[str, str, str, str]
SENTIMENT_COLOURS: dict[str, Colours] = {
    "positive": ("#d9f2e1", "#12502a", "#1f4d2f", "#c9f4d6"),
    "neutral": ("#e9edf2", "#364152", "#3a414c", "#e1e6ee"),
    "negative": ("#fde1d3", "#87290a", "#5e2916", "#ffd8c6"),
    "urgent": ("#c62828", "#ffffff", "#d8443a", "#ffffff"),
}
TEMPERATURE_COLOURS: dict[str, Colours] = {
    "hot": ("#c62828", "#ffffff", "#d8443a", "#ffffff"),
    "warm": ("#ffedb8", "#5f4200", "#4d3b00", "#ffe6a3"),
    "cold": ("#dfeafb", "#17457f", "#1d3557", "#cfe0ff"),
}
TAG_COLOURS: Colours = ("#eceff3", "#3f4a59", "#30353c", "#c9d1db")
CHIP_COLOURS: Colours = ("#e1eafc", "#1a4a96", "#1d3557", "#cfe0ff")
MEDIA_COLOURS: Colours = ("#e8e3f8", "#3d2a7a", "#352c57", "#ddd3ff")
PAD_X, PAD_Y = 7, 2


@dataclass(frozen=True, slots=True)
class Look:
    text: str
    colours: Colours
    tooltip: str = ""


def dark(palette: QPalette | None = None) -> bool:
    pal = palette or QGuiApplication.palette()
    return pal.color(QPalette.ColorRole.Window).lightness() < 128


def colours_of(look: Look | Colours, palette: QPalette | None = None) -> tuple[QColor, QColor]:
    c = look.colours if isinstance(look, Look) else look
    return (QColor(c[2]), QColor(c[3])) if dark(palette) else (QColor(c[0]), QColor(c[1]))


@cache
def drawable(char: str) -> bool:
    """Whether some installed font draws `char` (an emoji) instead of a missing-glyph box."""
    if QGuiApplication.instance() is None:
        return False

    def render(text: str) -> bytes:
        image = QImage(32, 32, QImage.Format.Format_ARGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        painter.setPen(QColor("black"))
        painter.setFont(QFont(QGuiApplication.font().family(), 14))
        painter.drawText(QRect(0, 0, 32, 32), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        return bytes(image.constBits())

    drawn = render(char)
    return drawn != render("\U0010fffd") and drawn != render(" ")


def with_emoji(emoji: str, label: str, among: str = "") -> str:
    """`emoji label` when a font draws the emoji (and every one of its set `among`, so a set
    of badges stays alike), else the label alone."""
    shown = emoji and all(drawable(c) for c in {emoji, *among})
    return f"{emoji} {label}" if shown else label


def badge_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(7.0, base.pointSizeF() * 0.88))
    font.setWeight(QFont.Weight.DemiBold)
    return font


def pill_size(metrics: QFontMetrics, text: str) -> QSize:
    return QSize(metrics.horizontalAdvance(text) + 2 * PAD_X, metrics.height() + 2 * PAD_Y)


def paint_pill(painter: QPainter, rect: QRect, text: str, background: QColor,
               foreground: QColor) -> None:
    """A rounded pill filling `rect`, `text` centred; the painter's font is used."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    path = QPainterPath()
    r = QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5)
    radius = min(r.height() / 2, 9.0)
    path.addRoundedRect(r, radius, radius)
    painter.fillPath(path, background)
    painter.setPen(foreground)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def paint_look(painter: QPainter, top_left: QPoint | QPointF | QRect, look: Look,
               palette: QPalette | None = None, *, right_align: bool = False) -> QRect:
    """Paint `look` at a point (or right-aligned in a rect); returns the pill's rect."""
    metrics = QFontMetrics(painter.font())
    size = pill_size(metrics, look.text)
    if isinstance(top_left, QRect):
        x = top_left.right() - size.width() if right_align else top_left.left()
        rect = QRect(x, top_left.top(), size.width(), size.height())
    else:
        rect = QRect(int(top_left.x()), int(top_left.y()), size.width(), size.height())
    background, foreground = colours_of(look, palette)
    paint_pill(painter, rect, look.text, background, foreground)
    return rect


class Badge(QWidget):
    """A pill label as a widget (its tooltip says why); hidden while it has no look."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.look: Look | None = None
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.hide()

    def set_look(self, look: Look | None) -> None:
        self.look = look
        self.setToolTip(look.tooltip if look else "")
        self.setAccessibleName(look.text if look else "")
        self.updateGeometry()
        self.setVisible(look is not None)
        self.update()

    def text(self) -> str:
        return self.look.text if self.look else ""

    def sizeHint(self) -> QSize:
        if self.look is None:
            return QSize(0, 0)
        return pill_size(QFontMetrics(badge_font(self.font())), self.look.text)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.look is None:
            return
        painter = QPainter(self)
        painter.setFont(badge_font(self.font()))
        background, foreground = colours_of(self.look, self.palette())
        paint_pill(painter, self.rect(), self.look.text, background, foreground)
        painter.end()


class Chips(QWidget):
    """Pills that wrap onto as many lines as the width needs (interests, tags)."""

    GAP = 6

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[str] = []
        self.colours: Colours = CHIP_COLOURS
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_items(self, items: list[str], colours: Colours = CHIP_COLOURS) -> None:
        self.items = list(items)
        self.colours = colours
        self.setAccessibleName(", ".join(items))
        self.updateGeometry()
        self.update()

    def _rects(self, width: int) -> list[QRect]:
        metrics = QFontMetrics(badge_font(self.font()))
        rects: list[QRect] = []
        x = y = 0
        for item in self.items:
            size = pill_size(metrics, item)
            size.setWidth(min(size.width(), max(40, width)))
            if x and x + size.width() > width:
                x, y = 0, y + size.height() + self.GAP
            rects.append(QRect(x, y, size.width(), size.height()))
            x += size.width() + self.GAP
        return rects

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        rects = self._rects(width)
        return rects[-1].bottom() + 1 if rects else 0

    def sizeHint(self) -> QSize:
        width = max(self.width(), 200)
        return QSize(width, self.heightForWidth(width))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        font = badge_font(self.font())
        painter.setFont(font)
        metrics = QFontMetrics(font)
        background, foreground = colours_of(self.colours, self.palette())
        for item, rect in zip(self.items, self._rects(self.width()), strict=True):
            room = rect.width() - 2 * PAD_X
            text = (item if metrics.horizontalAdvance(item) <= room else
                    metrics.elidedText(item, Qt.TextElideMode.ElideRight, room))
            paint_pill(painter, rect, text, background, foreground)
        painter.end()
