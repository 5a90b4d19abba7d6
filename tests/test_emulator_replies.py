"""Scripted answers in the emulator (`reply`, `replier`), driven by the real SDKs."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import anthropic
import openai
from google import genai
from google.genai import types as genai_types

from tests.emulator import Emulator, fixtures, reply_text
from tests.emulator.remote import RemoteEmulator

emulator = fixtures.emulator
emulator_server = fixtures.emulator_server

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"label": {"type": "string", "enum": ["positive", "negative"]}},
    "required": ["label"],
    "additionalProperties": False,
}
PROSE = "Claro! A mensagem parece positiva."


def oa(emu: Emulator | RemoteEmulator, provider: str = "openai") -> openai.OpenAI:
    return openai.OpenAI(base_url=emu.base_url(provider), api_key=emu.key(provider) or "local",
                         max_retries=0)


def ac(emu: Emulator) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=emu.base_url("anthropic"), api_key=emu.key("anthropic"),
                               max_retries=0)


def gc(emu: Emulator) -> genai.Client:
    return genai.Client(api_key=emu.key("gemini"), http_options=genai_types.HttpOptions(
        base_url=emu.base_url("gemini"), api_version="v1beta"))


def openai_structured(client: openai.OpenAI, prompt: str, *, stream: bool = False) -> str:
    fmt: Any = {"type": "json_schema", "json_schema": {"name": "label", "strict": True,
                                                       "schema": SCHEMA}}
    messages: Any = [{"role": "user", "content": prompt}]
    if not stream:
        answer = client.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                                response_format=fmt)
        return answer.choices[0].message.content or ""
    chunks = client.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                            response_format=fmt, stream=True)
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def blocks(message: Any) -> list[tuple[str, Any]]:
    """(type, input or text) of each content block of an Anthropic message."""
    return [(b.type, b.input if b.type == "tool_use" else getattr(b, "text", None))
            for b in message.content]


def anthropic_tool(client: anthropic.Anthropic, prompt: str) -> anthropic.types.Message:
    return client.messages.create(
        model="claude-haiku-4-5", max_tokens=100,
        messages=[{"role": "user", "content": prompt}],
        tools=[{"name": "label", "input_schema": SCHEMA}],
        tool_choice={"type": "tool", "name": "label"})


def test_openai_structured_request_gets_the_scripted_text_plain_and_streamed(
        emulator: Emulator) -> None:
    emulator.reply("openai", PROSE, times=2)
    with oa(emulator) as client:
        assert openai_structured(client, "a") == PROSE
        assert openai_structured(client, "b", stream=True) == PROSE
        assert json.loads(openai_structured(client, "c")) == {"label": "positive"}  # default


def test_plain_requests_get_the_scripted_text_on_every_wire(emulator: Emulator) -> None:
    for provider in ("groq", "anthropic", "gemini"):
        emulator.reply(provider, "scripted answer", times=1)
    with oa(emulator, "groq") as client:
        answer = client.chat.completions.create(
            model="llama-3.1-8b-instant", messages=[{"role": "user", "content": "hi"}])
        assert answer.choices[0].message.content == "scripted answer"
    with ac(emulator) as claude:
        message = claude.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                         messages=[{"role": "user", "content": "hi"}])
        assert blocks(message) == [("text", "scripted answer")]
    client_g = gc(emulator)
    try:
        answer_g = client_g.models.generate_content(model="gemini-2.5-flash", contents="hi")
        assert answer_g.text == "scripted answer"
        again = client_g.models.generate_content(model="gemini-2.5-flash", contents="hi")
        assert again.text == reply_text("gemini", "gemini-2.5-flash", "hi")  # times=1 used up
    finally:
        client_g.close()


def test_anthropic_forced_tool_gets_json_as_input_and_prose_as_a_text_block(
        emulator: Emulator) -> None:
    emulator.reply("anthropic", '{"label": "sideways", "extra": 1}', times=1)
    emulator.reply("anthropic", PROSE, times=1)
    with ac(emulator) as claude:
        first = anthropic_tool(claude, "a")
        assert first.stop_reason == "tool_use"
        # sent as is, schema or not
        assert blocks(first) == [("tool_use", {"label": "sideways", "extra": 1})]
        second = anthropic_tool(claude, "b")
        assert second.stop_reason == "end_turn"
        assert blocks(second) == [("text", PROSE)]
        assert blocks(anthropic_tool(claude, "c")) == [("tool_use", {"label": "positive"})]


def test_anthropic_streamed_tool_input_carries_the_scripted_object(emulator: Emulator) -> None:
    emulator.reply("anthropic", '{"label": "negative"}', times=1)
    with ac(emulator) as claude, claude.messages.stream(
            model="claude-haiku-4-5", max_tokens=100,
            messages=[{"role": "user", "content": "x"}],
            tools=[{"name": "label", "input_schema": SCHEMA}],
            tool_choice={"type": "tool", "name": "label"}) as stream:
        message = stream.get_final_message()
    assert blocks(message) == [("tool_use", {"label": "negative"})]


def test_gemini_json_mode_gets_the_scripted_text(emulator: Emulator) -> None:
    emulator.reply("gemini", "not json at all", times=1)
    client = gc(emulator)
    try:
        config = genai_types.GenerateContentConfig(response_mime_type="application/json",
                                                   response_json_schema=SCHEMA)
        answer = client.models.generate_content(model="gemini-2.5-flash", contents="x",
                                                config=config)
        assert answer.text == "not json at all"
        chunks = client.models.generate_content_stream(model="gemini-2.5-flash", contents="y",
                                                       config=config)
        assert json.loads("".join(c.text or "" for c in chunks)) == {"label": "positive"}
    finally:
        client.close()


def test_match_scripts_two_kinds_of_request_apart(emulator: Emulator) -> None:
    emulator.reply("openai", "for batches", match="BATCH")
    emulator.reply("openai", "for the rest")
    with oa(emulator) as client:
        assert openai_structured(client, "the whole conversation") == "for the rest"
        assert openai_structured(client, "BATCH 1") == "for batches"
        assert openai_structured(client, "BATCH 2") == "for batches"
        assert openai_structured(client, "again") == "for the rest"
    emulator.reset()
    with oa(emulator) as client:
        assert json.loads(openai_structured(client, "BATCH 3")) == {"label": "positive"}


def test_replier_sees_prompt_and_schema_and_scripted_replies_come_first(
        emulator: Emulator) -> None:
    seen: list[tuple[str, Any]] = []

    def label(prompt: str, schema: Any) -> str:
        seen.append((prompt, schema))
        return json.dumps({"label": "negative" if "ruim" in prompt else "positive"})

    emulator.replier("anthropic", label)
    emulator.reply("anthropic", PROSE, times=1)
    with ac(emulator) as claude:
        assert blocks(anthropic_tool(claude, "ruim")) == [("text", PROSE)]  # the reply, first
        assert blocks(anthropic_tool(claude, "ruim")) == [("tool_use", {"label": "negative"})]
        assert blocks(anthropic_tool(claude, "bom")) == [("tool_use", {"label": "positive"})]
        plain = claude.messages.create(model="claude-haiku-4-5", max_tokens=50,
                                       messages=[{"role": "user", "content": "ruim"}])
    assert blocks(plain) == [("text", '{"label": "negative"}')]
    assert [p for p, _s in seen] == ["ruim", "bom", "ruim"]
    assert seen[0][1] == SCHEMA and seen[2][1] is None
    emulator.replier("anthropic", None)
    with ac(emulator) as claude:
        assert blocks(anthropic_tool(claude, "ruim")) == [("tool_use", {"label": "positive"})]
    assert len(seen) == 3


def test_reply_over_the_control_api(emulator: Emulator) -> None:
    def post(body: dict[str, Any]) -> int:
        request = urllib.request.Request(emulator.url + "/_emulator/reply", method="POST",
                                         data=json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return int(response.status)
        except urllib.error.HTTPError as err:
            return int(err.code)

    assert post({"provider": "openai", "text": "via control", "times": 1}) == 200
    assert post({"provider": "openai", "text": 3}) == 400
    assert post({"provider": "nope", "text": "x"}) == 400
    with oa(emulator) as client:
        assert openai_structured(client, "a") == "via control"
        assert openai_structured(client, "b") != "via control"


def test_remote_emulator_scripts_replies_and_latency() -> None:
    with RemoteEmulator() as remote:
        remote.reply("openai", "remote scripted", times=1)
        with oa(remote) as client:
            assert openai_structured(client, "a") == "remote scripted"
            assert openai_structured(client, "b") != "remote scripted"
        remote.latency("openai", 0.3)
        import time

        with oa(remote) as client:
            start = time.perf_counter()
            openai_structured(client, "c")
            assert time.perf_counter() - start >= 0.3
