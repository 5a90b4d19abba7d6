"""The lock mark beside a setting the team's policy sets (drawn here: the icon set has none)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QWidget

from aidesk.i18n import _

# Lucide "lock" (ISC licence, as the rest of resources/icons/ui)
LOCK_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
            'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
            'stroke-linejoin="round"><rect width="18" height="11" x="3" y="11" rx="2" ry="2"/>'
            '<path d="M7 11V7a5 5 0 0 1 10 0v4"/></svg>')
LOCK_COLOR = "#8a5a00"


def policy_tip(value: str | None = None) -> str:
    if value is None:
        return _("Set by your team's policy")
    return _("Set by your team's policy: {value}").format(value=value)


def lock_pixmap(size: int = 16, tint: str = LOCK_COLOR) -> QPixmap:
    data = QByteArray(LOCK_SVG.replace("currentColor", QColor(tint).name()).encode())
    renderer = QSvgRenderer(data)
    pixels = bytearray(size * size * 4)  # zeroed: transparent
    image = QImage(pixels, size, size, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return QPixmap.fromImage(image)


class LockMark(QLabel):
    """A small lock; hidden until a policy sets the setting beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPixmap(lock_pixmap())
        self.setObjectName("policy-lock")
        self.setAccessibleName(policy_tip())
        self.setToolTip(policy_tip())
        self.hide()

    def show_value(self, value: str | None) -> None:
        self.setToolTip(policy_tip(value))
        self.setVisible(value is not None)
