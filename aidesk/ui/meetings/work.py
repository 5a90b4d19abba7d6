"""What the Meetings tab runs on the worker: the stored meetings, one meeting, summarising a
recording with its progress (then storing it), deleting, exporting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.ui.progress import Finished, relayed

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.meeting_store import MeetingEntry
    from aidesk.features.meetings import Meeting
    from aidesk.workspaces import Workspace


def entries(core: Core, ws: Workspace) -> list[MeetingEntry]:
    from aidesk.features import meeting_store

    return meeting_store.list_meetings(core.db, ws.tenant_id)


def meeting(core: Core, meeting_id: str) -> Meeting | None:
    from aidesk.features import meeting_store

    return meeting_store.get_meeting(core.db, meeting_id)


def delete(core: Core, meeting_id: str) -> None:
    from aidesk.features import meeting_store

    meeting_store.delete_meeting(core.db, meeting_id)


async def summarise(core: Core, ws: Workspace, path: Path, language: str | None,
                    model: str | None) -> AsyncIterator[Any]:
    """Each `Step` as it happens, then Finished(the stored meeting). Cancelling stops the
    cutting and the calls; nothing is stored then."""
    from aidesk.features import meeting_store, meetings

    async with aclosing(relayed(lambda tell: meetings.summarize_meeting(
            core.router, ws, path, model=model, language=language, progress=tell))) as items:
        async for item in items:
            if isinstance(item, Finished):
                item = Finished(await asyncio.to_thread(
                    meeting_store.save_meeting, core.db, ws.tenant_id, item.result))
            yield item


async def export(text: str, path: Path) -> Path:
    from aidesk.errors import ConfigError
    from aidesk.i18n import _

    try:
        from aidesk.storage.files import write_whole

        await asyncio.to_thread(write_whole, path, text)
    except OSError as exc:
        raise ConfigError(_("Cannot write {path}: {error}.").format(
            path=path, error=exc.strerror or exc)) from None
    return path
