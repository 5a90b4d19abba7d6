"""One consistent icon set (Lucide line icons, bundled as SVG under resources/icons/ui/).

The SVGs draw with `currentColor`; each icon is rendered in the palette's text colour, and
`refresh()` (called when the theme changes) repaints every icon set through `use()`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, QRectF
from PySide6.QtGui import QAction, QColor, QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QTabWidget

FOLDER = Path(__file__).resolve().parent.parent.parent / "resources" / "icons" / "ui"
SIZES = (16, 20, 24, 32, 48)
_used: list[tuple[QObject, str, int]] = []


def names() -> list[str]:
    return sorted(p.stem for p in FOLDER.glob("*.svg"))


@cache
def _svg(name: str) -> str:
    return (FOLDER / f"{name}.svg").read_text(encoding="utf-8")


def color() -> QColor:
    app = QGuiApplication.instance()
    if isinstance(app, QGuiApplication):
        return QGuiApplication.palette().windowText().color()
    return QColor("#1f2328")


def icon(name: str, tint: QColor | str | None = None) -> QIcon:
    """The icon `name` in `tint` (default: the text colour of the current palette)."""
    shade = QColor(tint) if tint is not None else color()
    data = QByteArray(_svg(name).replace("currentColor", shade.name()).encode())
    renderer = QSvgRenderer(data)
    result = QIcon()
    for size in SIZES:
        # Zeroed bytes are a transparent image: QImage.fill would make PySide6 create Qt's
        # enum types (~50 ms of start-up) to choose among its overloads.
        pixels = bytearray(size * size * 4)
        image = QImage(pixels, size, size, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(image)
        renderer.render(painter, QRectF(0, 0, size, size))
        painter.end()
        result.addPixmap(QPixmap.fromImage(image))
    return result


def use(target: QObject, name: str, index: int = -1) -> None:
    """Give a button, an action or a tab (`index` of a QTabWidget) the icon `name`, and keep
    it in the theme's colour from now on."""
    _used.append((target, name, index))
    _apply(target, name, index)


def _apply(target: QObject, name: str, index: int) -> None:
    if isinstance(target, QTabWidget):
        target.setTabIcon(index, icon(name))
    elif isinstance(target, QAbstractButton | QAction):
        target.setIcon(icon(name))


def refresh() -> None:
    """Repaint every icon given through `use()` (the palette changed)."""
    from shiboken6 import isValid

    alive = [(t, n, i) for t, n, i in _used if isValid(t)]
    _used[:] = alive
    for target, name, index in alive:
        _apply(target, name, index)
