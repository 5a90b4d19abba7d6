"""The image gallery of each workspace (no Qt): files under the data directory, one row each.

Files live in `<data>/images/<tenant>/<request_id>-<n>.<ext>` (the name the router gave the
image, which the call's audit row lists), 0700 folders and 0600 files like the rest of the
data directory (aidesk.storage.files): they are the agency's clients' material. A row in
`images` (migration 0005) keeps what the image was made from and its share of the call's cost.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import struct
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aidesk.errors import AIDeskError, StorageError
from aidesk.i18n import _
from aidesk.providers.media import GeneratedImage
from aidesk.router.media_results import ImagesResult
from aidesk.storage import Database
from aidesk.storage.files import PRIVATE_FILE, private_dir
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow

_COLUMNS = ("id", "tenant_id", "request_id", "file_name", "prompt", "preset", "size",
            "provider", "model", "mime", "bytes", "width", "height", "cost_usd",
            "revised_prompt", "created_at")
_INSERT = (f"INSERT INTO images ({', '.join(_COLUMNS)}) "
           f"VALUES ({', '.join('?' * len(_COLUMNS))})")
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM images"
_SAFE_DIR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_SAFE_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


@dataclass(frozen=True, slots=True)
class StoredImage:
    id: str
    tenant_id: str
    request_id: str
    file_name: str
    prompt: str
    preset: str | None
    size: str
    provider: str
    model: str
    mime: str
    bytes: int
    width: int | None
    height: int | None
    cost_usd: float | None
    revised_prompt: str | None
    created_at: datetime  # UTC
    path: Path

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "file": str(self.path), "prompt": self.prompt,
                "preset": self.preset, "size": self.size, "provider": self.provider,
                "model": self.model, "mime": self.mime, "bytes": self.bytes,
                "width": self.width, "height": self.height, "cost_usd": self.cost_usd,
                "revised_prompt": self.revised_prompt,
                "created_at": self.created_at.isoformat(), "request_id": self.request_id}


class ImageStore:
    def __init__(self, db: Database, data_dir: Path) -> None:
        self.db = db
        self.root = data_dir / "images"

    def folder(self, tenant_id: str) -> Path:
        """The workspace's image folder (a tenant id that is not a safe folder name gets a
        hashed one: it never leaves `images/`)."""
        name = tenant_id if _SAFE_DIR.fullmatch(tenant_id) else (
            "t-" + hashlib.sha256(tenant_id.encode()).hexdigest()[:16])
        return self.root / name

    def save(self, tenant_id: str, result: ImagesResult, preset: str | None = None,
             prompt: str | None = None) -> list[StoredImage]:
        """Write each image of `result` to its file, then its row (one transaction).
        `prompt`: the user's own description, when a preset wrapped it (default: the prompt
        the provider got)."""
        folder = private_dir(self.folder(tenant_id))
        now = utcnow()
        stored: list[StoredImage] = []
        for image, name in zip(result.images, result.names, strict=True):
            if not _SAFE_FILE.fullmatch(name):
                raise AIDeskError(_("Image name {name} is not a plain file name.").format(
                    name=name))
            path = folder / name
            _write_private(path, image.data)
            width, height = dimensions(image)
            stored.append(StoredImage(
                new_id(), tenant_id, result.request_id, name, prompt or result.prompt, preset,
                result.size, result.provider, result.model, image.mime, len(image.data),
                width, height, result.cost_per_image, image.revised_prompt, now, path))
        try:
            with self.db.writing() as conn:
                for item in stored:
                    conn.execute(_INSERT, (
                        item.id, item.tenant_id, item.request_id, item.file_name, item.prompt,
                        item.preset, item.size, item.provider, item.model, item.mime,
                        item.bytes, item.width, item.height, item.cost_usd,
                        item.revised_prompt, utc_text(now)))
        except StorageError as exc:
            raise StorageError(_("The images were saved in {folder} but could not be added to "
                                 "the gallery: {reason}").format(folder=folder,
                                                                 reason=exc.text)) from exc
        return stored

    def gallery(self, tenant_id: str) -> list[StoredImage]:
        """The workspace's images, newest first."""
        with self.db.raw() as conn:
            rows = conn.execute(f"{_SELECT} WHERE tenant_id = ? ORDER BY created_at DESC, "
                                "file_name", (tenant_id,)).fetchall()
        return [self._image(row) for row in rows]

    def get(self, tenant_id: str, image_id: str) -> StoredImage | None:
        with self.db.raw() as conn:
            row = conn.execute(f"{_SELECT} WHERE tenant_id = ? AND id = ?",
                               (tenant_id, image_id)).fetchone()
        return None if row is None else self._image(row)

    def delete(self, tenant_id: str, image_id: str) -> bool:
        """Remove the image's file and its row; False when it was already gone."""
        image = self.get(tenant_id, image_id)
        if image is None:
            return False
        with self.db.writing() as conn:
            conn.execute("DELETE FROM images WHERE tenant_id = ? AND id = ?",
                         (tenant_id, image_id))
        with contextlib.suppress(FileNotFoundError):
            image.path.unlink()
        return True

    def _image(self, row: tuple[Any, ...]) -> StoredImage:
        values = dict(zip(_COLUMNS, row, strict=True))
        values["created_at"] = utc_from_text(values["created_at"])
        values["cost_usd"] = None if values["cost_usd"] is None else float(values["cost_usd"])
        path = self.folder(values["tenant_id"]) / values["file_name"]
        return StoredImage(**values, path=path)


def _write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path`, 0600 from creation, whole or not at all (temp file + rename)."""
    temp = path.with_name(f".{path.name}.part")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0),
                 PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StorageError(_("The image could not be written to {path}: {reason}").format(
            path=path, reason=exc.strerror or exc)) from exc


def dimensions(image: GeneratedImage) -> tuple[int | None, int | None]:
    """Width and height from the file's own header (PNG IHDR, JPEG SOFn, WebP VP8/VP8L/VP8X),
    or (None, None)."""
    data = image.data
    try:
        if image.mime == "image/png" and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
            return int(width), int(height)
        if image.mime == "image/jpeg":
            return _jpeg_size(data)
        if image.mime == "image/webp":
            return _webp_size(data)
    except struct.error:
        pass
    return None, None


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    at = 2
    while at + 9 < len(data):
        if data[at] != 0xFF:
            return None, None
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2:at + 4])
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return int(width), int(height)
        at += 2 + length
    return None, None


def _webp_size(data: bytes) -> tuple[int | None, int | None]:
    chunk = data[12:16]
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return int(width & 0x3FFF), int(height & 0x3FFF)
    return None, None
