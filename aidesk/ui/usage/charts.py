"""A titled pyqtgraph bar chart: series stacked (or side by side) over categories, the total
beside it, the exact values of the category under the mouse, and a PNG of itself."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from aidesk import formats
from aidesk.i18n import _

PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")


class LocalAxis(pg.AxisItem):
    """Tick numbers with the language's decimal sign (0,05 in pt-BR), never a scale prefix."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [formats.plain(round(v * scale, 6)) for v in values]


class BarChart(QWidget):
    def __init__(self, title: str, show: Callable[[float], str], *, stacked: bool = True,
                 total: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_value, self.stacked, self.with_total = show, stacked, total
        self.categories: list[str] = []
        self.series: dict[str, list[float]] = {}
        self.title = QLabel(f"<b>{title}</b>")
        self.total = QLabel()
        self.total.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.total.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover = QLabel(" ")
        self.hover.setWordWrap(True)
        self.hover.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = pg.PlotWidget(background="w", axisItems={"left": LocalAxis("left")})
        self.plot.setMinimumHeight(190)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.getPlotItem().getAxis("left").setWidth(64)  # room for 0.005 or 1,000,000
        self.plot.getPlotItem().addLegend(offset=(-4, 4), labelTextColor="k")
        self.plot.scene().sigMouseMoved.connect(self._moved)
        self.setAccessibleName(title)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.total)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.hover)

    def set_data(self, categories: list[str], series: dict[str, list[float]],
                 labels: list[str] | None = None) -> None:
        """Draw `series` (name → one value per category); `labels` name the categories on
        the axis (default: the categories themselves)."""
        self.categories, self.series = categories, series
        item = self.plot.getPlotItem()
        item.clear()
        legend = item.legend
        if legend is not None:
            legend.clear()
        count = max(len(series), 1)
        width = 0.8 if self.stacked else 0.8 / count
        bottom = [0.0] * len(categories)
        for n, (name, values) in enumerate(series.items()):
            xs = (list(range(len(categories))) if self.stacked
                  else [i - 0.4 + width * (n + 0.5) for i in range(len(categories))])
            bars = pg.BarGraphItem(x=xs, height=values, y0=list(bottom), width=width,
                                   brush=PALETTE[n % len(PALETTE)], pen=pg.mkPen("w"),
                                   name=name)
            item.addItem(bars)
            if self.stacked:
                bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        shown = labels or categories
        step = max(1, -(-len(shown) // 8))  # at most 8 labels
        item.getAxis("bottom").setTicks([[(i, s) for i, s in enumerate(shown) if i % step == 0]])
        item.getAxis("left").setTextPen("k")
        item.getAxis("left").enableAutoSIPrefix(False)  # plain numbers, no "x0.001" scale
        item.getAxis("bottom").setTextPen("k")
        item.enableAutoRange()
        if self.with_total:
            self.total.setText(_("Total: {total}").format(total=self.show_value(self.sum())))
        self.hover.setText(" " if categories else _("No calls in this range."))

    def sum(self) -> float:
        return float(sum(sum(values) for values in self.series.values()))

    def describe(self, index: int) -> str:
        """The exact values at category `index`, as the hover line says them."""
        if not 0 <= index < len(self.categories):
            return " "
        parts = [f"{name}: {self.show_value(values[index])}"
                 for name, values in self.series.items() if values[index]]
        text = f"{self.categories[index]} — " + ", ".join(parts or [self.show_value(0)])
        if self.stacked and len(self.series) > 1:
            here = sum(values[index] for values in self.series.values())
            text += " · " + _("Total: {total}").format(total=self.show_value(here))
        return text

    def _moved(self, pos: QPointF) -> None:
        if not self.categories:
            return
        view = self.plot.getPlotItem().vb
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        x = view.mapSceneToView(pos).x()
        self.hover.setText(self.describe(round(x)))

    def save_png(self, path: Path) -> bool:
        return self.grab().save(str(path), "PNG")
