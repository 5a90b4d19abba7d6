"""Helpers for the image and transcription tests: run a router call, read its rows."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aidesk.core import Core
from aidesk.router import ImagesResult, TranscriptionResult
from aidesk.workspaces import Workspace

T = TypeVar("T")
SPEECH = b"EMU-SPEECH: Bom dia a todos. Decidimos lancar a campanha na sexta. Ana envia o briefing."
WORDS = SPEECH.split(b":", 1)[1].decode().strip()


def run(core: Core, action: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine on a fresh loop and close the router's clients before it ends."""

    async def main() -> T:
        try:
            return await action()
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def images(core: Core, ws: Workspace, prompt: str = "Um café artesanal ao amanhecer",
           **kw: Any) -> ImagesResult:
    return run(core, lambda: core.router.generate_images(ws, prompt, **kw))


def transcribe(core: Core, ws: Workspace, audio: bytes = SPEECH, filename: str = "reuniao.mp3",
               **kw: Any) -> TranscriptionResult:
    return run(core, lambda: core.router.transcribe(ws, audio, filename, **kw))


def usage_rows(core: Core, request_id: str | None = None) -> list[dict[str, Any]]:
    return _rows(core, "ai_usage_logs", request_id)


def audit_rows(core: Core, request_id: str | None = None) -> list[dict[str, Any]]:
    return _rows(core, "ai_audit_logs", request_id)


def _rows(core: Core, table: str, request_id: str | None) -> list[dict[str, Any]]:
    with core.db.raw() as conn:
        cursor = conn.execute(
            f"SELECT * FROM {table}" + (" WHERE request_id = ?" if request_id else "")
            + " ORDER BY created_at, rowid", (request_id,) if request_id else ())
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, size = 8, (0, 0)
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        at += 12 + length
    return size
