"""Batch sentiment over stored conversations: progress, resume after cancel, errors."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest

from aidesk.core import Core
from aidesk.errors import LimitExceeded
from aidesk.features import chat_batch, chat_store
from aidesk.imports.model import ChatMessage, Conversation
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.support import configure
from tests.test_chat import START, label_of, labeller, prompt_items

WORDS = ("obrigada", "ruim", "urgente", "ok")


def conversation(title: str, count: int) -> Conversation:
    messages = [ChatMessage("", START, "Mensagens criptografadas", "system")]
    messages += [ChatMessage("Cliente" if i % 2 else "Loja", START + timedelta(minutes=i),
                             f"{title} {i} {WORDS[i % 4]}", "text", "pt", i + 2)
                 for i in range(count)]
    messages.insert(2, ChatMessage("Loja", START, "<Mídia oculta>", "media"))
    return Conversation(title, f"{title}.txt", "whatsapp", tuple(messages))


def store(core: Core, ws: Workspace, *sizes: int) -> list[str]:
    convs = [conversation(f"conv{n}", size) for n, size in enumerate(sizes)]
    return chat_store.save_conversations(core.db, ws.tenant_id, convs)


def batch_texts(emulator: Emulator, provider: str) -> list[str]:
    """The message texts the emulator was asked to label, over every batch request."""
    out: list[str] = []
    for request in emulator.requests_for(provider):
        body = json.dumps(request.body, ensure_ascii=False)
        if "Classify each message" in body:
            prompt = request.body["messages"][-1]["content"]
            out += [item["text"] for item in prompt_items(prompt)]
    return out


def analyse(core: Core, ws: Workspace, ids: list[str], **kw: Any) -> chat_batch.BatchReport:
    async def main() -> chat_batch.BatchReport:
        try:
            return await chat_batch.analyse_all(core.router, core.db, ws, ids, **kw)
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def test_every_message_and_conversation_gets_its_label(core: Core, ws: Workspace,
                                                       emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", labeller)
    ids = store(core, ws, 45, 3)
    seen: list[tuple[int, int]] = []
    report = analyse(core, ws, ids, progress=lambda d, t: seen.append((d, t)))
    assert report.ok and report.total == 48 + 2 == report.done
    assert (report.messages_labelled, report.conversations_labelled) == (48, 2)
    assert seen[0] == (0, 50) and seen[-1] == (50, 50)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)
    for cid in ids:
        stored = chat_store.messages(core.db, cid)
        people = [m for m in stored if m.kind == "text" and m.sender]
        assert all(m.sentiment == label_of(m.text) for m in people)
        assert all(m.sentiment is None for m in stored if m not in people)
    rows = {r.id: r for r in chat_store.list_conversations(core.db, ws.tenant_id)}
    assert rows[ids[1]].sentiment == label_of("conv1 2 urgente") == "urgent"
    assert all(r.fully_analysed for r in rows.values())
    emulator.reset()
    again = analyse(core, ws, ids)
    assert (again.total, again.already_labelled, emulator.requests) == (0, 48, [])


def test_a_cancelled_run_resumes_with_only_the_rest(core: Core, ws: Workspace,
                                                    emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic")
    emulator.replier("anthropic", labeller)
    ids = store(core, ws, 30, 30, 10)

    async def cancelled_run() -> None:
        task = asyncio.current_task()
        assert task is not None

        def progress(done: int, total: int) -> None:
            if done >= 40:
                task.cancel()

        try:
            await chat_batch.analyse_all(core.router, core.db, ws, ids, concurrency=1,
                                         progress=progress)
        finally:
            await core.router.aclose()

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled_run())
    first = batch_texts(emulator, "anthropic")
    stored = [m for cid in ids for m in chat_store.messages(core.db, cid)
              if m.kind == "text" and m.sender]
    labelled = {m.text for m in stored if m.sentiment is not None}
    assert 0 < len(labelled) < 70 and labelled <= set(first)
    emulator.reset()
    emulator.replier("anthropic", labeller)
    report = analyse(core, ws, ids)
    second = batch_texts(emulator, "anthropic")
    assert sorted(second) == sorted(m.text for m in stored if m.text not in labelled)
    assert report.already_labelled == len(labelled) and report.ok
    assert all(m.sentiment for cid in ids for m in chat_store.messages(core.db, cid)
               if m.kind == "text" and m.sender)


def test_a_conversation_that_fails_is_reported_and_the_others_go_on(
        core: Core, ws: Workspace, emulator: Emulator) -> None:
    configure(core, ws, emulator, "gemini")
    emulator.reply("gemini", "Não consigo classificar isso.", match="conv0 ")
    emulator.replier("gemini", labeller)
    ids = store(core, ws, 5, 5)
    report = analyse(core, ws, ids)
    [error] = report.errors
    assert (error.conversation_id, error.title) == (ids[0], "conv0")
    assert "sentiment analysis" in error.message and not report.ok
    assert report.messages_labelled == 5 and report.conversations_labelled == 1
    assert all(m.sentiment is None for m in chat_store.messages(core.db, ids[0]))
    assert all(m.sentiment for m in chat_store.messages(core.db, ids[1])
               if m.kind == "text" and m.sender)


def test_a_workspace_limit_stops_the_run_with_its_message(core: Core, ws: Workspace,
                                                          emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", labeller)
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 2)
    ids = store(core, ws, 60)
    with pytest.raises(LimitExceeded):
        analyse(core, ws, ids, concurrency=1)
    labelled = [m for m in chat_store.messages(core.db, ids[0]) if m.sentiment]
    assert len(labelled) == 40  # the two batches that ran are kept
