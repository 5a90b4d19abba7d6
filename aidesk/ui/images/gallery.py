"""The gallery: a list model of the workspace's images (fetched as it is scrolled to, with
thumbnails made on the worker), an icon-mode view, and the details of the selected image."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QLabel,
    QListView,
    QWidget,
)

from aidesk.i18n import _
from aidesk.providers import display_name

if TYPE_CHECKING:
    from aidesk.features.image_store import StoredImage

ROW_ROLE = Qt.ItemDataRole.UserRole
BATCH = 48  # rows (and thumbnails) added per fetch
Index = QModelIndex | QPersistentModelIndex


class GalleryModel(QAbstractListModel):
    """Images newest first. Rows arrive in batches as the view needs them; each batch asks
    `want_thumbnails` for its pictures, which come back through `set_thumbnails`."""

    def __init__(self, want_thumbnails: Callable[[list[StoredImage]], None],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[StoredImage] = []
        self._pending: list[StoredImage] = []
        self._icons: dict[str, QIcon] = {}
        self._blank: QIcon | None = None
        self._want = want_thumbnails

    def set_images(self, images: list[StoredImage]) -> None:
        self.beginResetModel()
        self.rows, self._pending = [], list(images)
        self._icons = {k: v for k, v in self._icons.items()
                       if any(i.id == k for i in images)}
        self.endResetModel()
        if self.canFetchMore(QModelIndex()):
            self.fetchMore(QModelIndex())

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and bool(self._pending)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid() or not self._pending:
            return
        batch, self._pending = self._pending[:BATCH], self._pending[BATCH:]
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(batch) - 1)
        self.rows.extend(batch)
        self.endInsertRows()
        missing = [i for i in batch if i.id not in self._icons]
        if missing:
            self._want(missing)

    def total(self) -> int:
        return len(self.rows) + len(self._pending)

    def set_thumbnails(self, thumbs: dict[str, QImage]) -> None:
        for image_id, image in thumbs.items():
            self._icons[image_id] = QIcon(QPixmap.fromImage(image))
            row = self.row_of(image_id)
            if row >= 0:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    def _placeholder(self) -> QIcon:
        """A blank picture of thumbnail size until the real one is made: the view lays the
        item out at its final size from the start."""
        if self._blank is None:
            from aidesk.ui.images.work import THUMB

            pixmap = QPixmap(THUMB, THUMB)
            pixmap.fill(Qt.GlobalColor.transparent)
            self._blank = QIcon(pixmap)
        return self._blank

    def has_thumbnail(self, image_id: str) -> bool:
        return image_id in self._icons

    def row_of(self, image_id: str | None) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == image_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        image = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:  # when, and the size asked for
            from aidesk.formats import time_of_day

            return f"{time_of_day(image.created_at)} · {image.size}"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icons.get(image.id) or self._placeholder()
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return image.prompt
        if role == ROW_ROLE:
            return image
        return None


class GalleryView(QListView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from aidesk.ui.images.work import THUMB

        self.setAccessibleName(_("Gallery"))
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setIconSize(QSize(THUMB, THUMB))
        self.setGridSize(QSize(THUMB + 24, THUMB + 36))
        self.setUniformItemSizes(True)
        self.setWordWrap(False)
        self.setSpacing(4)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.setStyleSheet("QListView { border: 1px solid palette(mid); border-radius: 6px; }")


class DetailsPanel(QFrame):
    """Prompt, provider, model, size, cost and time of the selected image."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = QLabel()
        self.preset = QLabel()
        self.provider = QLabel()
        self.model = QLabel()
        self.size_label = QLabel()
        self.cost = QLabel()
        self.created = QLabel()
        for label in (self.prompt, self.preset, self.provider, self.model, self.size_label,
                      self.cost, self.created):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("Prompt:"), self.prompt)
        form.addRow(_("Preset:"), self.preset)
        form.addRow(_("Provider:"), self.provider)
        form.addRow(_("Model:"), self.model)
        form.addRow(_("Size:"), self.size_label)
        form.addRow(_("Cost:"), self.cost)
        form.addRow(_("Created:"), self.created)
        self.show_image(None)

    def show_image(self, image: StoredImage | None, brl_per_usd: float | None = None) -> None:
        from aidesk.formats import date_time, money

        if image is None:
            for label in (self.preset, self.provider, self.model, self.size_label, self.cost,
                          self.created):
                label.setText("")
            self.prompt.setText(_("Select an image to see how it was made."))
            return
        from aidesk.features.images import PRESETS

        self.prompt.setText(image.prompt)
        preset = PRESETS.get(image.preset or "")
        self.preset.setText(_(preset.label) if preset is not None else _("None"))
        self.provider.setText(display_name(image.provider))
        self.model.setText(image.model)
        pixels = (_("{width}×{height} px").format(width=image.width, height=image.height)
                  if image.width and image.height else "")
        self.size_label.setText(f"{image.size} ({pixels})" if pixels else image.size)
        self.cost.setText(money(image.cost_usd, brl_per_usd))
        self.created.setText(date_time(image.created_at))
