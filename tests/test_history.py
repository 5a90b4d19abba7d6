"""The Assistant's history from the audit trail: newest first, searchable, refinable."""

from __future__ import annotations

import time
from typing import Any

import pytest

from aidesk.core import Core
from aidesk.errors import AIDeskError
from aidesk.features import history
from aidesk.providers.base import ChatRequest, Message
from aidesk.workspaces import Workspace
from tests.emulator import reply_text
from tests.support import configure
from tests.test_router import ask


def test_recent_lists_successful_answers_of_the_module_newest_first(
        core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    ask(core, ws, "Slogan para padaria", module="marketing", system="Seja breve.")
    time.sleep(0.01)
    ask(core, ws, "Post sobre pão de queijo", module="marketing")
    ask(core, ws, "Not marketing", module="other")
    other = core.workspaces.add("Outro cliente")
    configure(core, other, emulator, "openai")
    ask(core, other, "Someone else's copy", module="marketing")

    entries = history.recent(core.db, ws.tenant_id, "marketing")
    assert [e.request for e in entries] == ["Post sobre pão de queijo", "Slogan para padaria"]
    newest, oldest = entries
    assert newest.response == reply_text("openai", newest.model or "", newest.request)
    assert newest.provider == "openai" and newest.created_at > oldest.created_at
    assert oldest.system == "Seja breve." and newest.system is None
    assert [e.request for e in history.recent(core.db, ws.tenant_id, "marketing",
                                              search="PÃO")] == ["Post sobre pão de queijo"]
    assert history.recent(core.db, ws.tenant_id, "marketing", search="answers: slogan")
    assert history.recent(core.db, ws.tenant_id, "marketing", search="nowhere") == []
    assert len(history.recent(core.db, ws.tenant_id, "marketing", limit=1)) == 1


def test_failed_calls_are_not_history(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    emulator.fault("openai", "server_error")
    with pytest.raises(AIDeskError):
        ask(core, ws, "Vai falhar", module="marketing")
    assert history.recent(core.db, ws.tenant_id, "marketing") == []


def test_a_follow_up_refines_in_the_same_conversation(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    first = ask(core, ws, "Slogan para padaria", module="marketing", system="Seja breve.")
    [entry] = history.recent(core.db, ws.tenant_id, "marketing")
    messages = history.follow_up(entry.conversation(), " mais curto ")
    assert messages == (Message("system", "Seja breve."), Message("user", "Slogan para padaria"),
                        Message("assistant", first.text), Message("user", "mais curto"))
    ask(core, ws, ChatRequest(messages, ""), module="marketing")
    sent = emulator.requests_for("openai")[-1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    latest = history.recent(core.db, ws.tenant_id, "marketing")[0]
    assert latest.request == "mais curto"
    assert latest.conversation()[:4] == messages


def test_parse_prompt_of_a_plain_prompt() -> None:
    assert history.parse_prompt("Três slogans\n\nuser: nada") == (
        Message("user", "Três slogans\n\nuser: nada"),)
    assert history.parse_prompt("user: a\n\nassistant: b") == (
        Message("user", "a"), Message("assistant", "b"))
