"""Chat sentiment through the real path: router, real SDKs, the emulator answering by content."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from aidesk.core import Core
from aidesk.errors import AIDeskError, AllProvidersFailed, RateLimited
from aidesk.features import chat
from aidesk.imports.model import ChatMessage
from aidesk.storage import tables as t
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.support import configure

T = TypeVar("T")
START = datetime(2025, 3, 10, 9, 0)
RULES = (("procon", "urgent"), ("urgente", "urgent"), ("péssimo", "negative"),
         ("ruim", "negative"), ("obrigad", "positive"), ("ótimo", "positive"))


def run(core: Core, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    async def main() -> T:
        try:
            return await make()
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def msg(text: str, sender: str = "Cliente", minute: int = 0, **kw: Any) -> ChatMessage:
    return ChatMessage(sender, START + timedelta(minutes=minute), text, **kw)


def prompt_items(prompt: str) -> list[dict[str, Any]]:
    """The JSON array of messages a chat prompt ends with."""
    value = json.loads(prompt[prompt.index("\n[") + 1:])
    assert isinstance(value, list)
    return value


def label_of(text: str) -> str:
    low = text.lower()
    return next((label for word, label in RULES if word in low), "neutral")


def labeller(prompt: str, schema: Any) -> str:
    """An emulated model that labels by content (and answers the conversation label by the
    last message), as the chat prompts ask."""
    if prompt.startswith("Classify each message"):
        return json.dumps({"labels": [
            {"id": item["id"], "sentiment": label_of(item["text"]),
             "reason": f"motivo {item['id']}"} for item in prompt_items(prompt)]})
    if prompt.startswith("Classify the conversation"):
        last = prompt_items(prompt)[-1]["text"]
        return json.dumps({"sentiment": label_of(last), "reason": "última mensagem"})
    raise AssertionError(f"unexpected prompt {prompt[:60]!r}")


def wrong_ids(prompt: str, schema: Any = None) -> str:
    items = prompt_items(prompt)
    labels = [{"id": item["id"], "sentiment": "neutral", "reason": "x"} for item in items[:-1]]
    return json.dumps({"labels": [*labels, {"id": 99, "sentiment": "neutral", "reason": "x"}]})


MESSAGES = [msg("Bom dia, queria saber o horário de funcionamento", minute=0),
            msg("Abrimos às 8h", sender="Loja", minute=1),
            msg("Ótimo, muito obrigada!", minute=2),
            msg("O pedido chegou quebrado, péssimo", minute=3),
            msg("Vou no Procon se não resolverem hoje", minute=4)]
EXPECTED = ["neutral", "neutral", "positive", "negative", "urgent"]


def classify(core: Core, ws: Workspace, messages: list[ChatMessage] = MESSAGES,
             **kw: Any) -> list[chat.Sentiment]:
    return run(core, lambda: chat.classify_messages(core.router, ws, messages, **kw))


@pytest.mark.parametrize("provider", ["openai", "anthropic", "gemini"])
def test_messages_are_labelled_with_reasons_on_every_wire(core: Core, ws: Workspace,
                                                          emulator: Emulator,
                                                          provider: str) -> None:
    configure(core, ws, emulator, provider)
    emulator.replier(provider, labeller)
    labels = classify(core, ws)
    assert [s.label for s in labels] == EXPECTED
    assert [s.reason for s in labels] == [f"motivo {i}" for i in range(1, 6)]
    [request] = [r for r in emulator.requests_for(provider) if r.method == "POST"]
    body = json.dumps(request.body, ensure_ascii=False)
    assert "message_sentiments" in body or provider == "gemini"
    assert "Vou no Procon" in body and "Brazilian Portuguese" in body
    with core.db.connect() as conn:
        modules = conn.execute(sa.select(t.ai_audit_logs.c.module)).scalars().all()
    assert modules == ["chat"]


def test_batches_hold_20_messages_or_6000_characters() -> None:
    short = [msg(f"mensagem {i}") for i in range(45)]
    assert [len(b) for b in chat.batches(short)] == [20, 20, 5]
    long = [msg("x" * 1400) for _ in range(9)]
    sizes = [len(b) for b in chat.batches(long)]
    assert sizes == [4, 4, 1] and sum(sizes) == 9
    assert [i for b in chat.batches(long) for i in b] == list(range(9))
    assert chat.batches([msg("y" * 50_000)]) == [[0]]


def test_a_long_list_goes_in_batches_with_their_own_ids(core: Core, ws: Workspace,
                                                        emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", labeller)
    messages = [msg(f"pedido {i} ruim" if i % 3 else f"pedido {i}") for i in range(45)]
    labels = classify(core, ws, messages)
    assert [s.label for s in labels] == ["neutral" if i % 3 == 0 else "negative"
                                         for i in range(45)]
    posts = [r for r in emulator.requests_for("openai") if r.method == "POST"]
    ids = sorted(len(prompt_items(r.body["messages"][-1]["content"])) for r in posts)
    assert ids == [5, 20, 20]


def test_prose_from_the_first_provider_falls_back_to_the_next(core: Core, ws: Workspace,
                                                              emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic", "openai")
    emulator.reply("anthropic", "Claro! As mensagens parecem neutras em geral.")
    emulator.replier("openai", labeller)
    assert [s.label for s in classify(core, ws)] == EXPECTED
    assert len(emulator.requests_for("anthropic")) == 1  # the router moved on: no retry here
    assert len(emulator.requests_for("openai")) == 1


def test_every_provider_answering_prose_twice_is_answer_not_valid(core: Core, ws: Workspace,
                                                                  emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic", "openai", "gemini")
    for provider in ("anthropic", "openai", "gemini"):
        emulator.reply(provider, "Todas as mensagens são positivas.")
    with pytest.raises(chat.AnswerNotValid) as caught:
        classify(core, ws)
    assert isinstance(caught.value, AIDeskError)
    assert caught.value.text.count(".") == 1 and "sentiment" in caught.value.text
    assert "aidesk config set fallback" in caught.value.user_message
    for provider in ("anthropic", "openai", "gemini"):
        assert len(emulator.requests_for(provider)) == 2  # the chain, then once more


def test_json_that_breaks_the_schema_is_retried_without_the_cache(core: Core, ws: Workspace,
                                                                  emulator: Emulator) -> None:
    configure(core, ws, emulator, "gemini")
    emulator.reply("gemini", json.dumps({"labels": [
        {"id": i, "sentiment": "happy", "reason": "x"} for i in range(1, 6)]}), times=1)
    emulator.replier("gemini", labeller)
    assert [s.label for s in classify(core, ws)] == EXPECTED
    assert len(emulator.requests_for("gemini")) == 2


def test_wrong_ids_are_retried_once_and_the_good_answer_replaces_the_cached_one(
        core: Core, ws: Workspace, emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    emulator.reply("openai", wrong_ids(_batch_prompt()), times=1)
    emulator.replier("openai", labeller)
    assert [s.label for s in classify(core, ws)] == EXPECTED
    assert len(emulator.requests_for("openai")) == 2
    assert emulator.requests_for("anthropic") == []  # a valid-schema answer: no fallback
    emulator.reset()
    assert [s.label for s in classify(core, ws)] == EXPECTED  # from the cache, the good one
    assert emulator.requests == []


def test_wrong_ids_twice_is_answer_not_valid(core: Core, ws: Workspace,
                                             emulator: Emulator) -> None:
    configure(core, ws, emulator, "local")
    emulator.replier("local", wrong_ids)
    with pytest.raises(chat.AnswerNotValid):
        classify(core, ws)
    assert len(emulator.requests_for("local")) == 2


def test_a_duplicate_id_is_not_valid_either(core: Core, ws: Workspace,
                                            emulator: Emulator) -> None:
    configure(core, ws, emulator, "groq")

    def duplicate(prompt: str, schema: Any) -> str:
        items = prompt_items(prompt)
        labels = [{"id": 1, "sentiment": "positive", "reason": "x"}] * len(items)
        return json.dumps({"labels": labels})

    emulator.replier("groq", duplicate)
    with pytest.raises(chat.AnswerNotValid) as caught:
        classify(core, ws)
    assert "twice" in caught.value.detail


def test_a_failure_that_is_not_about_the_answer_is_raised_as_it_is(core: Core, ws: Workspace,
                                                                   emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    emulator.fault("openai", "rate_limit")
    emulator.reply("anthropic", "prosa")
    with pytest.raises(AllProvidersFailed) as caught:
        classify(core, ws)
    assert isinstance(caught.value.hops[0][1], RateLimited)
    assert len(emulator.requests_for("anthropic")) == 2  # a bad answer among them: retried once


def test_conversation_label_is_judged_from_the_last_40_peoples_messages(
        core: Core, ws: Workspace, emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic")
    prompts: list[str] = []

    def answer(prompt: str, schema: Any) -> str:
        prompts.append(prompt)
        return labeller(prompt, schema)

    emulator.replier("anthropic", answer)
    messages = [msg(f"mensagem {i}", minute=i) for i in range(60)]
    messages[30:30] = [ChatMessage("", START, "Maria saiu", kind="system")]
    messages.append(msg("Preciso disso urgente, hoje!", minute=70))
    result = run(core, lambda: chat.classify_conversation(core.router, ws, messages))
    assert result == chat.Sentiment("urgent", "última mensagem")
    items = prompt_items(prompts[0])
    assert len(items) == 40
    assert items[0]["text"] == "mensagem 21" and items[-1]["text"].startswith("Preciso")
    assert all(item["sender"] == "Cliente" for item in items)
    with pytest.raises(chat.NothingToAnalyse):
        run(core, lambda: chat.classify_conversation(core.router, ws, messages[30:31]))


def _batch_prompt() -> str:
    """The messages' prompt as classify_batch writes it (to script an answer for it)."""
    from aidesk.features.chat_messages import entry, transcript

    entries = [entry(m, id=i) for i, m in enumerate(MESSAGES, start=1)]
    return "Classify each message below. Messages (JSON array, oldest first):\n" + transcript(
        entries)
