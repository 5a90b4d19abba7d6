"""The Images tab: describe an image (with a campaign, social or banner preset), pick a size
or aspect and how many, Generate (on the worker, with progress and Cancel); the workspace's
gallery beside it, and per image: open, copy, save as, delete and its details."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import N_, _, ngettext
from aidesk.providers import display_name
from aidesk.ui import icons
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.images import work
from aidesk.ui.images.form import ImageForm
from aidesk.ui.images.gallery import ROW_ROLE, DetailsPanel, GalleryModel, GalleryView
from aidesk.ui.progress import ProgressRow

if TYPE_CHECKING:
    from aidesk.features.image_store import StoredImage
    from aidesk.features.images import Generated
    from aidesk.ui.bridge import Job
    from aidesk.workspaces import Workspace


class ImagesTab(WorkspaceTab):
    title = N_("Images")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.job: Job | None = None  # the generation running
        self.brl_per_usd: float | None = None
        self._generation = 0
        self._select: str | None = None  # image id to select once the gallery reloads
        self.form = ImageForm(ctx)
        self.generate_button = self.form.generate_button
        self.progress = ProgressRow()
        self.model = GalleryModel(self._want_thumbnails, self)
        self.view = GalleryView()
        self.view.setModel(self.model)
        self.details = DetailsPanel()
        self.open_button = QPushButton(_("&Open"))
        self.open_button.setToolTip(_("Open the image in the system's viewer"))
        self.copy_image_button = QPushButton(_("Cop&y"))
        self.copy_image_button.setToolTip(_("Copy the image to the clipboard"))
        self.save_as_button = QPushButton(_("&Save as…"))
        self.save_as_button.setToolTip(_("Save a copy of the image where you choose"))
        self.delete_button = QPushButton(_("D&elete"))
        self.delete_button.setToolTip(_("Delete the image from this workspace's gallery"))
        for button, name in ((self.open_button, "eye"), (self.copy_image_button, "copy"),
                             (self.save_as_button, "save"), (self.delete_button, "x")):
            icons.use(button, name)
            action = QAction(button.text().replace("&", ""), self.view)
            action.triggered.connect(button.click)
            self.view.addAction(action)
        self._build_layout()
        self.generate_button.clicked.connect(self.generate)
        self.progress.cancel.connect(self.cancel)
        self.open_button.clicked.connect(self.open_image)
        self.copy_image_button.clicked.connect(self.copy_image)
        self.save_as_button.clicked.connect(self.save_as)
        self.delete_button.clicked.connect(self.delete_image)
        self.view.doubleClicked.connect(lambda _i: self.open_image())
        self.view.selectionModel().currentChanged.connect(lambda _c, _p: self._selected())
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.generate, context)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel, context)
        self.update_buttons()

    def _build_layout(self) -> None:
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 0, 0)
        left_box.addWidget(self.form, 1)
        left_box.addWidget(self.progress)
        actions = QHBoxLayout()
        for button in (self.open_button, self.copy_image_button, self.save_as_button,
                       self.delete_button):
            actions.addWidget(button)
        actions.addStretch(1)
        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(0, 0, 0, 0)
        right_box.addWidget(self.view, 1)
        right_box.addLayout(actions)
        right_box.addWidget(self.details)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        left.setMinimumWidth(300)
        right.setMinimumWidth(380)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)

    # -- workspace and gallery ----------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        previous = self.workspace
        super().set_workspace(workspace)
        self.form.selector.set_workspace(workspace)
        if previous is not None and previous.id != workspace.id:
            if self.job is not None:
                job, self.job = self.job, None
                job.cancel()
                self.progress.stop()
            self.model.set_images([])
        self.reload()

    def reload(self, select: str | None = None) -> None:
        ws = self.workspace
        if ws is None:
            return
        self._generation += 1
        generation = self._generation
        self._select = select or self._select
        job = self.ctx.bridge.call(lambda core: work.gallery(core, ws))
        job.done.connect(lambda found: self._fill(found) if generation == self._generation
                         else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _fill(self, found: work.Gallery) -> None:
        keep = self._select or self.current_id()
        self._select = None
        self.brl_per_usd = found.brl_per_usd
        self.model.set_images(found.images)
        row = self.model.row_of(keep)
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._selected()

    def _want_thumbnails(self, images: list[StoredImage]) -> None:
        generation = self._generation
        paths = [(i.id, i.path) for i in images]
        job = self.ctx.bridge.run(lambda core: work.thumbnails(paths))
        job.done.connect(lambda thumbs: self.model.set_thumbnails(thumbs)
                         if generation == self._generation else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def current(self) -> StoredImage | None:
        index = self.view.currentIndex()
        image: StoredImage | None = index.data(ROW_ROLE) if index.isValid() else None
        return image

    def current_id(self) -> str | None:
        image = self.current()
        return image.id if image is not None else None

    def _selected(self) -> None:
        self.details.show_image(self.current(), self.brl_per_usd)
        self.update_buttons()

    def update_buttons(self) -> None:
        chosen = self.current() is not None
        for button in (self.open_button, self.copy_image_button, self.save_as_button,
                       self.delete_button):
            button.setEnabled(chosen)
        self.generate_button.setEnabled(self.job is None and self.workspace is not None)

    # -- generating ---------------------------------------------------------------------------
    def generate(self) -> None:
        ws = self.workspace
        if ws is None or self.job is not None:
            return
        description = self.form.description()
        if not description:
            self.ctx.messenger.warning(_("Describe the image first."))
            self.form.prompt.setFocus()
            return
        preset, size = self.form.preset(), self.form.chosen_size()
        count = self.form.count()
        provider, model = self.form.selector.choice()
        self.progress.start(ngettext("Making {n} image…", "Making {n} images…", count).format(
            n=count))
        job = self.ctx.bridge.run(lambda core: work.generate(
            core, ws, description, preset, size, count, provider, model))
        self.job = job
        job.done.connect(lambda made: self._generated(job, made))
        job.failed.connect(lambda exc: self._over(job, exc))
        job.cancelled.connect(lambda: self._stopped(job))
        self.update_buttons()

    def _over(self, job: Job, exc: BaseException | None = None) -> bool:
        if job is not self.job:
            return False
        self.job = None
        self.progress.stop()
        if exc is not None:
            self.ctx.messenger.failure(exc, self)
        self.update_buttons()
        return True

    def _generated(self, job: Job, made: Generated) -> None:
        if not self._over(job):
            return
        result = made.result
        from aidesk.formats import money

        text = ngettext("Made {n} image with {provider} ({model}), {cost}.",
                        "Made {n} images with {provider} ({model}), {cost}.",
                        len(made.images)).format(
            n=len(made.images), provider=display_name(result.provider), model=result.model,
            cost=money(result.cost_usd, self.brl_per_usd))
        fallbacks = [display_name(h.provider) for h in result.fallbacks]
        if fallbacks:
            text += " " + _("Fell back from {providers}.").format(providers=", ".join(fallbacks))
        if result.note:
            self.ctx.messenger.warning(f"{text} {result.note}")
        else:
            self.ctx.messenger.info(text)
        self.reload(select=made.images[0].id if made.images else None)

    def _stopped(self, job: Job) -> None:
        if self._over(job):
            self.ctx.messenger.info(_("Stopped: no image was made."))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    # -- one image ----------------------------------------------------------------------------
    def open_image(self) -> None:
        image = self.current()
        if image is not None and not QDesktopServices.openUrl(QUrl.fromLocalFile(
                str(image.path))):
            self.ctx.messenger.warning(_("No program here opens {file}.").format(
                file=image.path.name))

    def copy_image(self) -> None:
        image = self.current()
        if image is None:
            return
        path = image.path
        job = self.ctx.bridge.call(lambda core: work.load_image(path))

        def copied(picture: object) -> None:
            from PySide6.QtGui import QImage

            if isinstance(picture, QImage) and not picture.isNull():
                QGuiApplication.clipboard().setImage(picture)
                self.ctx.messenger.info(_("Image copied."))
            else:
                self.ctx.messenger.warning(_("The image file {file} could not be read.").format(
                    file=path.name))

        job.done.connect(copied)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def save_as(self) -> None:
        image = self.current()
        if image is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        extension = image.path.suffix.lstrip(".")
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Save the image"), str(Path(folder) / image.file_name),
            _("Images (*.{extension})").format(extension=extension))
        if not name:
            return
        target = Path(name)
        source = image.path
        job = self.ctx.bridge.run(lambda core: work.save_as(source, target))
        job.done.connect(lambda saved: self.ctx.messenger.info(
            _("Image saved to {path}.").format(path=saved)))
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def delete_image(self) -> None:
        image, ws = self.current(), self.workspace
        if image is None or ws is None:
            return
        if not self.ctx.messenger.ask(
                self, _("Delete image"),
                _("Delete this image from the gallery? Its file is removed too; this cannot "
                  "be undone."), _("Delete")):
            return
        image_id = image.id
        job = self.ctx.bridge.call(lambda core: work.delete(core, ws, image_id))

        def deleted(_gone: object) -> None:
            self.ctx.messenger.info(_("Image deleted."))
            self.reload()

        job.done.connect(deleted)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))
