"""The fallback order: drag to reorder, or Move up / Move down; skipped providers say why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _
from aidesk.providers import can
from aidesk.ui.integrations.outcome import SKIP_HELP, skip_reason
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.workspaces import ProviderConfig

PROVIDER_ROLE = Qt.ItemDataRole.UserRole
SKIPPED_ROLE = Qt.ItemDataRole.UserRole + 1  # the reason a provider is skipped, or None
SKIPPED_COLOUR = QColor("#6b6b6b")


class FallbackList(QGroupBox):
    reordered = Signal(list)  # provider ids, top first, after a drag or a Move button

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("&Fallback order"), parent)
        layout = QVBoxLayout(self)
        hint = QLabel(_("AIDesk tries these providers from top to bottom and moves to the "
                        "next one when a call fails. Drag a provider, or select it and use "
                        "Move up / Move down. Greyed providers are skipped, with the reason."))
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.list = QListWidget()
        self.list.setAccessibleName(_("Fallback order"))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setMinimumHeight(230)  # six providers, some with a wrapped reason
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.up_button = QPushButton(_("Move &up"))
        self.down_button = QPushButton(_("Move &down"))
        buttons.addWidget(self.up_button)
        buttons.addWidget(self.down_button)
        layout.addLayout(buttons)
        layout.addStretch(1)

        self._pending = False
        model = self.list.model()
        model.rowsMoved.connect(self._moved)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.list.currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    def set_configs(self, configs: list[ProviderConfig], select: str | None = None) -> None:
        current = select or self.current_provider()
        self.list.blockSignals(True)
        self.list.clear()
        for number, config in enumerate(configs, start=1):
            label = provider_name(config.provider)
            if not can(config.provider, "chat"):  # e.g. Stability: only image calls use it
                label = _("{provider} (images only)").format(provider=label)
            reason = skip_reason(config)
            shown = _(reason) if reason is not None else None
            item = QListWidgetItem(
                f"{number}. {label}" if shown is None else
                _("{number}. {provider} — skipped: {reason}").format(
                    number=number, provider=label, reason=shown))
            item.setData(PROVIDER_ROLE, config.provider)
            item.setData(SKIPPED_ROLE, shown)
            if reason is not None:
                item.setForeground(QBrush(SKIPPED_COLOUR))
                help_text = _(SKIP_HELP[reason]) if reason in SKIP_HELP else ""
                item.setToolTip(_("The automatic chain skips {provider}: {reason}.").format(
                    provider=label, reason=shown) + (f" {help_text}" if help_text else ""))
            else:
                item.setToolTip(_("{provider} is used in this order.").format(provider=label))
            self.list.addItem(item)
        self.list.blockSignals(False)
        providers = self.order()
        if current in providers:
            self.list.setCurrentRow(providers.index(current))
        self._update_buttons()

    def order(self) -> list[str]:
        return [self.list.item(i).data(PROVIDER_ROLE) for i in range(self.list.count())]

    def current_provider(self) -> str | None:
        item = self.list.currentItem()
        return str(item.data(PROVIDER_ROLE)) if item is not None else None

    def skipped(self) -> dict[str, str]:
        """Provider id → the text shown for each skipped provider (for tests and tooltips)."""
        out = {}
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(SKIPPED_ROLE):
                out[item.data(PROVIDER_ROLE)] = item.text()
        return out

    def move_selected(self, step: int) -> None:
        """Move the selected provider `step` rows (-1 up, 1 down). Not `move`: QWidget.move."""
        if move_current_row(self.list, step):
            self.reordered.emit(self.order())

    def _moved(self, *_: QModelIndex | int) -> None:
        # A drop moves rows through the model; report once, after the view settles.
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self._report_drop)

    def _report_drop(self) -> None:
        self._pending = False
        self.reordered.emit(self.order())

    def _update_buttons(self, *_: int) -> None:
        row = self.list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.list.count() - 1)


def move_current_row(widget: QListWidget, step: int) -> bool:
    """Move the selected row of `widget` by `step` (-1 up, 1 down), keeping it selected;
    False when there is no selection or the row is already at that end."""
    row = widget.currentRow()
    target = row + step
    if row < 0 or not 0 <= target < widget.count():
        return False
    item = widget.takeItem(row)
    widget.insertItem(target, item)
    widget.setCurrentRow(target)
    return True
