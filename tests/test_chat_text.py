"""Summary, suggested replies and translation through the router and the emulator."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aidesk import i18n
from aidesk.core import Core
from aidesk.features import chat
from aidesk.features.structured import UnsupportedLanguage
from aidesk.imports.model import ChatMessage
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.support import configure
from tests.test_chat import msg, prompt_items, run

CONVERSATION = [
    msg("Hi, do you ship to Portugal?", sender="John", minute=0, language="en"),
    msg("Sim! Enviamos sim.", sender="Loja", minute=1, language="pt"),
    msg("Great, how much is shipping for two boxes?", sender="John", minute=2, language="en"),
    msg("And can it arrive before Friday?", sender="John", minute=3, language="en"),
]
SUMMARY = {"executive_summary": "John quer enviar duas caixas a Portugal.",
           "open_questions": ["Valor do frete", " "], "next_steps": ["Informar o frete"]}
REPLIES = {"language": "en", "replies": ["Shipping is [price].", "It can arrive by Friday.",
                                         "Let me check and get back to you."]}


def recording(seen: list[str], answer: dict[str, Any]) -> Any:
    """A replier that keeps each prompt and answers `answer`."""
    def reply(prompt: str, schema: Any) -> str:
        seen.append(prompt)
        return json.dumps(answer)

    return reply


def last_system(emulator: Emulator, provider: str) -> str:
    body = emulator.requests_for(provider)[-1].body
    if provider == "anthropic":
        return str(body["system"])
    if provider == "gemini":
        return str(body["systemInstruction"]["parts"][0]["text"])
    return str(body["messages"][0]["content"])


@pytest.mark.parametrize("provider", ["anthropic", "openrouter"])
def test_summary_in_portuguese_for_the_staff(core: Core, ws: Workspace, emulator: Emulator,
                                             provider: str) -> None:
    configure(core, ws, emulator, provider)
    seen: list[str] = []
    emulator.replier(provider, recording(seen, SUMMARY))
    summary = run(core, lambda: chat.summarize(core.router, ws, CONVERSATION))
    assert summary == chat.Summary("John quer enviar duas caixas a Portugal.",
                                   ["Valor do frete"], ["Informar o frete"])
    assert "Brazilian Portuguese" in last_system(emulator, provider)
    assert [item["text"] for item in prompt_items(seen[0])] == [m.text for m in CONVERSATION]


def test_the_ui_language_never_changes_the_prompt(core: Core, ws: Workspace,
                                                  emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", lambda p, s: json.dumps(SUMMARY))
    run(core, lambda: chat.summarize(core.router, ws, CONVERSATION))
    i18n.activate("pt_BR")
    run(core, lambda: chat.summarize(core.router, ws, CONVERSATION[:3]))
    english, portuguese = (r.body for r in emulator.requests_for("openai")[-2:])
    assert english["messages"][0] == portuguese["messages"][0]
    assert english["response_format"] == portuguese["response_format"]


def test_replies_come_in_the_customers_detected_language(core: Core, ws: Workspace,
                                                         emulator: Emulator) -> None:
    configure(core, ws, emulator, "gemini")
    emulator.replier("gemini", lambda p, s: json.dumps(REPLIES))
    replies = run(core, lambda: chat.suggest_replies(core.router, ws, CONVERSATION,
                                                     agent="Loja"))
    assert replies == chat.Replies("en", tuple(REPLIES["replies"]))  # type: ignore[arg-type]
    system = last_system(emulator, "gemini")
    assert "in English" in system and '"Loja"' in system


def test_mixed_languages_let_the_model_name_the_customers(core: Core, ws: Workspace,
                                                          emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", lambda p, s: json.dumps({**REPLIES, "language": "es"}))
    mixed = [*CONVERSATION, msg("Hola?", sender="John", minute=4, language="es"),
             msg("¿Cuánto cuesta?", sender="John", minute=5, language="es")]
    assert chat.customer_language(mixed, "Loja") is None
    replies = run(core, lambda: chat.suggest_replies(core.router, ws, mixed))
    assert replies.language == "es"
    assert "set language to its code" in last_system(emulator, "openai")
    forced = run(core, lambda: chat.suggest_replies(core.router, ws, mixed, language="fr"))
    assert forced.language == "fr" and "in French" in last_system(emulator, "openai")


def test_two_replies_instead_of_three_is_retried_then_not_valid(core: Core, ws: Workspace,
                                                                emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic")
    two = {"language": "en", "replies": ["Yes.", "   ", "No."]}
    emulator.replier("anthropic", lambda p, s: json.dumps(two))
    with pytest.raises(chat.AnswerNotValid) as caught:
        run(core, lambda: chat.suggest_replies(core.router, ws, CONVERSATION))
    assert "suggested replies" in caught.value.text
    assert len(emulator.requests_for("anthropic")) == 2


def test_translation_to_portuguese_by_default(core: Core, ws: Workspace,
                                              emulator: Emulator) -> None:
    configure(core, ws, emulator, "groq", "anthropic")
    seen: list[str] = []
    emulator.replier("groq", recording(
        seen, {"source_language": "en", "translation": "Vocês entregam em Portugal?"}))
    result = run(core, lambda: chat.translate(core.router, ws, "Do you ship to Portugal?"))
    assert result == chat.Translation("Vocês entregam em Portugal?", "en", "pt")
    assert seen == ['Translate this text:\n"Do you ship to Portugal?"']
    assert "into Brazilian Portuguese" in last_system(emulator, "groq")


def test_a_reply_in_portuguese_goes_to_the_customers_language(core: Core, ws: Workspace,
                                                              emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic")
    emulator.replier("anthropic", lambda p, s: json.dumps(
        {"source_language": "pt", "translation": "Yes, we ship there."}))
    result = run(core, lambda: chat.translate(core.router, ws, "Sim, enviamos.", to="en",
                                              source="pt"))
    assert result == chat.Translation("Yes, we ship there.", "pt", "en")
    system = last_system(emulator, "anthropic")
    assert "into English" in system and "is in Brazilian Portuguese" in system


def test_translation_refuses_languages_it_does_not_handle(core: Core, ws: Workspace,
                                                          emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    with pytest.raises(UnsupportedLanguage) as caught:
        run(core, lambda: chat.translate(core.router, ws, "Hallo", to="de"))
    assert "de is not one of them" in caught.value.text
    assert run(core, lambda: chat.translate(core.router, ws, " Olá ", source="pt")) == \
        chat.Translation("Olá", "pt", "pt")
    assert emulator.requests_for("openai") == []  # neither needed a call
    emulator.replier("openai", lambda p, s: json.dumps(
        {"source_language": "other", "translation": "Olá"}))
    with pytest.raises(UnsupportedLanguage) as detected:
        run(core, lambda: chat.translate(core.router, ws, "Guten Tag"))
    assert detected.value.language is None and "does not translate" in detected.value.text


def test_nothing_to_summarise_needs_no_call(core: Core, ws: Workspace,
                                            emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    only_system = [ChatMessage("", None, "Mensagens criptografadas", kind="system")]
    with pytest.raises(chat.NothingToAnalyse):
        run(core, lambda: chat.summarize(core.router, ws, only_system))
    assert emulator.requests == []
