"""The emulator's new behaviours as the raw SDKs see them (what the provider modules rely on)."""

from __future__ import annotations

from typing import Any

import anthropic
import openai
import pytest
from google import genai
from google.genai import types as genai_types

from tests.emulator import Emulator

MSGS: list[Any] = [{"role": "user", "content": "hello there"}]


def test_anthropic_error_event_is_a_status_error_with_status_200(emulator: Emulator) -> None:
    emulator.fault("anthropic", "stream_error", times=1, after_chunks=0, reason="api_error")
    with anthropic.Anthropic(base_url=emulator.base_url("anthropic"), max_retries=0,
                             api_key=emulator.key("anthropic")) as client:
        events = client.messages.create(model="claude-haiku-4-5", max_tokens=5, messages=MSGS,
                                        stream=True)
        seen: list[str] = []
        with pytest.raises(anthropic.APIStatusError) as info:
            for event in events:
                seen.append(event.type)
    assert seen == ["message_start"]
    assert info.value.status_code == 200
    assert isinstance(info.value.body, dict) and info.value.body["error"]["type"] == "api_error"


def test_anthropic_input_tokens_exclude_the_cache(emulator: Emulator) -> None:
    emulator.fault("anthropic", "prompt_cache", cache_read=1, cache_write=1)
    with anthropic.Anthropic(base_url=emulator.base_url("anthropic"), max_retries=0,
                             api_key=emulator.key("anthropic")) as client:
        res = client.messages.create(model="claude-haiku-4-5", max_tokens=5,
                                     messages=[{"role": "user", "content": "a b c d"}])
    usage = res.usage
    assert (usage.input_tokens, usage.cache_read_input_tokens,
            usage.cache_creation_input_tokens) == (2, 1, 1)


def test_openai_reasoning_model_refuses_max_tokens_and_temperature(emulator: Emulator) -> None:
    with openai.OpenAI(base_url=emulator.base_url("openai"), max_retries=0,
                       api_key=emulator.key("openai")) as client:
        with pytest.raises(openai.BadRequestError) as info:
            client.chat.completions.create(model="o4-mini", messages=MSGS, max_tokens=5)
        assert (info.value.code, info.value.param) == ("unsupported_parameter", "max_tokens")
        with pytest.raises(openai.BadRequestError) as info:
            client.chat.completions.create(model="gpt-5-mini", messages=MSGS, temperature=0.2)
        assert (info.value.code, info.value.param) == ("unsupported_value", "temperature")
        res = client.chat.completions.create(model="o4-mini", messages=MSGS,
                                             max_completion_tokens=5, temperature=1)
        assert res.choices[0].message.content
        # Not a reasoning model: both are fine.
        client.chat.completions.create(model="gpt-4o-mini", messages=MSGS, max_tokens=5,
                                       temperature=0.2)
    with openai.OpenAI(base_url=emulator.base_url("groq"), max_retries=0,
                       api_key=emulator.key("groq")) as client:
        client.chat.completions.create(model="openai/gpt-oss-20b", messages=MSGS, max_tokens=5)


def test_gemini_thinking_spent_the_limit(emulator: Emulator) -> None:
    emulator.fault("gemini", "empty_truncated", times=1, thoughts=64)
    client = genai.Client(api_key=emulator.key("gemini"), http_options=genai_types.HttpOptions(
        base_url=emulator.base_url("gemini"), api_version="v1beta"))
    try:
        res = client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    finally:
        client.close()
    assert res.candidates and res.candidates[0].finish_reason == "MAX_TOKENS"
    content = res.candidates[0].content
    assert content is not None and not content.parts
    assert res.text is None
    meta = res.usage_metadata
    assert meta is not None and meta.thoughts_token_count == 64
    assert meta.candidates_token_count is None and meta.total_token_count == 1 + 64


def test_openrouter_moderation_body(emulator: Emulator) -> None:
    emulator.fault("openrouter", "moderated", times=1)
    with (openai.OpenAI(base_url=emulator.base_url("openrouter"), max_retries=0,
                        api_key=emulator.key("openrouter")) as client,
          pytest.raises(openai.PermissionDeniedError) as info):
        client.chat.completions.create(model="openai/gpt-4o-mini", messages=MSGS)
    body: Any = info.value.body
    assert body["code"] == 403
    assert body["metadata"]["reasons"] == ["harassment"]
    assert {"flagged_input", "provider_name", "model_slug"} <= set(body["metadata"])
