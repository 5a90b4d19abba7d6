"""What the Chat tab runs on the worker: every call into the core (imports, the store, the AI
tools) is here, so the tab's widgets never wait on the disk or the network.

Each function takes the Core (as `bridge.call`/`run`/`stream` pass it) and returns plain data
for the UI thread. Heavy disk work (parsing, language detection, reading 50,000 rows) runs in a
thread of its own (`asyncio.to_thread`) so the worker's loop keeps serving AI calls.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.ui.progress import Finished, Progress, with_progress

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.chat import Replies, Summary, Translation
    from aidesk.features.chat_store import ConversationRow, StoredMessage
    from aidesk.workspaces import Workspace

SUFFIXES = (".txt", ".zip", ".csv", ".json")
PREVIEW_ROWS = 5


@dataclass(frozen=True, slots=True)
class Failure:
    file: str
    line: int | None
    message: str  # one sentence, naming the file (and line)


@dataclass
class ImportOutcome:
    ids: list[str] = field(default_factory=list)
    conversations: int = 0
    messages: int = 0
    failures: list[Failure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # "file: encoding repaired" and such


@dataclass(frozen=True, slots=True)
class CsvLayout:
    path: Path
    header: list[str]
    guessed: dict[str, str]
    rows: list[list[str]]


# -- reading ----------------------------------------------------------------------------------
def conversations(core: Core, ws: Workspace) -> list[ConversationRow]:
    from aidesk.features import chat_store

    return chat_store.list_conversations(core.db, ws.tenant_id)


async def messages(core: Core, conversation_id: str) -> list[StoredMessage]:
    from aidesk.features import chat_store

    return await asyncio.to_thread(chat_store.messages, core.db, conversation_id)


def auto_translate(core: Core) -> bool:
    from aidesk import settings

    return settings.auto_translate(core.workspaces)


def set_auto_translate(core: Core, ws: Workspace, on: bool) -> None:
    from aidesk import settings

    settings.set(core.workspaces, ws, settings.AUTO_TRANSLATE_KEY, "true" if on else "false")


# -- importing --------------------------------------------------------------------------------
async def csv_layouts(paths: Sequence[Path]) -> list[CsvLayout]:
    """Header, guessed mapping and first rows of each CSV, for the mapping dialog (read as
    `aidesk.imports.csv_columns` reads them: same encoding repair, delimiter and header)."""
    from aidesk.imports import csv_preview

    def one(path: Path) -> CsvLayout:
        header, guessed, rows = csv_preview(path, PREVIEW_ROWS)
        return CsvLayout(path, header, guessed, rows)

    return [await asyncio.to_thread(one, p) for p in paths]


def import_stream(core: Core, ws: Workspace, paths: Sequence[Path],
                  mappings: Mapping[Path, Mapping[str, str]]) -> AsyncIterator[Any]:
    """Import each path (a file, a folder, a .zip); Progress per file, then Finished with an
    ImportOutcome. A bad file is listed and the rest go on; what was imported is saved."""

    async def body() -> AsyncIterator[Any]:
        from aidesk.features import chat_store
        from aidesk.imports import read_many

        outcome = ImportOutcome()
        for done, path in enumerate(paths):
            yield Progress(done, len(paths), path.name)
            found = await asyncio.to_thread(read_many, path, mapping=mappings.get(path))
            convs = found.conversations
            for bad in found.problems:
                outcome.failures.append(Failure(bad.file, bad.line, bad.user_message))
            if not convs:
                continue
            ids = await asyncio.to_thread(chat_store.save_conversations, core.db,
                                          ws.tenant_id, convs)
            outcome.ids += ids
            outcome.conversations += len(convs)
            outcome.messages += sum(len(c.messages) for c in convs)
            outcome.notes += [f"{c.source}: {note}" for c in convs for note in c.notes]
        yield Progress(len(paths), len(paths), "")
        yield Finished(outcome)

    return body()


async def warm_up_languages() -> None:
    from aidesk.imports.language import warm_up

    await asyncio.to_thread(warm_up)


# -- AI tools ---------------------------------------------------------------------------------
def analyse_stream(core: Core, ws: Workspace, ids: Sequence[str]) -> AsyncIterator[Any]:
    """Label every message not labelled yet in these conversations, then each conversation:
    Progress(done, total) as batches finish, then Finished(BatchReport)."""
    from aidesk.features import chat_batch

    return with_progress(lambda report: chat_batch.analyse_all(
        core.router, core.db, ws, list(ids), concurrency=chat_batch.DEFAULT_CONCURRENCY,
        progress=report))


async def summarise(core: Core, ws: Workspace, conversation_id: str) -> Summary:
    from aidesk.features import chat, chat_store

    stored = await messages(core, conversation_id)
    summary = await chat.summarize(core.router, ws, [m.chat_message() for m in stored])
    chat_store.set_summary(core.db, conversation_id, summary)
    return summary


async def suggest(core: Core, ws: Workspace, conversation_id: str) -> Replies:
    from aidesk.features import chat

    stored = await messages(core, conversation_id)
    return await chat.suggest_replies(core.router, ws, [m.chat_message() for m in stored])


async def translate_message(core: Core, ws: Workspace, conversation_id: str, seq: int,
                            text: str, source: str | None) -> Translation:
    from aidesk.features import chat, chat_store

    result = await chat.translate(core.router, ws, text, to="pt", source=source)
    chat_store.set_translation(core.db, conversation_id, seq, result)
    return result


async def translate_reply(core: Core, ws: Workspace, text: str, to: str) -> Translation:
    from aidesk.features import chat

    return await chat.translate(core.router, ws, text, to=to, source="pt")
