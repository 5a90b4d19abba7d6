"""What the Images tab runs on the worker: the gallery, generating, thumbnails, delete, save as.

Thumbnails are scaled here, off the UI thread, as QImage (safe outside the GUI thread, unlike
QPixmap); the tab turns them into icons.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.image_store import ImageStore, StoredImage
    from aidesk.features.images import Generated
    from aidesk.workspaces import Workspace

THUMB = 160  # pixels, the longer side


@dataclass(frozen=True, slots=True)
class Gallery:
    images: list[StoredImage]
    brl_per_usd: float | None  # for R$ beside US$ in the details


def store(core: Core) -> ImageStore:
    from aidesk.features.image_store import ImageStore

    return ImageStore(core.db, core.data_dir)


def gallery(core: Core, ws: Workspace) -> Gallery:
    from aidesk import settings

    return Gallery(store(core).gallery(ws.tenant_id), settings.brl_per_usd(core.workspaces))


async def generate(core: Core, ws: Workspace, description: str, preset: str | None,
                   size: str, count: int, provider: str | None,
                   model: str | None) -> Generated:
    from aidesk.features import images

    return await images.generate(core.router, store(core), ws, description, preset=preset,
                                 size=size, count=count, provider=provider, model=model)


async def thumbnails(paths: list[tuple[str, Path]]) -> dict[str, QImage]:
    """(image id, file) → a THUMB-pixel QImage; unreadable files are left out."""

    def make() -> dict[str, QImage]:
        out = {}
        for image_id, path in paths:
            image = QImage(str(path))
            if not image.isNull():
                out[image_id] = image.scaled(
                    THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                    # a tiny image (a test's 8×8) stays crisp; a big one is smoothed
                    Qt.TransformationMode.SmoothTransformation
                    if image.width() > THUMB else Qt.TransformationMode.FastTransformation)
        return out

    return await asyncio.to_thread(make)


def delete(core: Core, ws: Workspace, image_id: str) -> bool:
    return store(core).delete(ws.tenant_id, image_id)


async def save_as(source: Path, target: Path) -> Path:
    """Copy the image file to where the user chose (plain permissions: it is theirs now)."""

    def copy() -> Path:
        from aidesk.errors import AIDeskError
        from aidesk.i18n import _

        try:
            from aidesk.storage.files import write_whole

            return write_whole(target, source.read_bytes())
        except OSError as exc:
            raise AIDeskError(_("The image could not be saved to {path}: {error}.").format(
                path=target, error=exc.strerror or exc)) from None

    return await asyncio.to_thread(copy)


def load_image(path: Path) -> QImage:
    return QImage(str(path))
