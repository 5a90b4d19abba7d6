"""The provider emulator, driven by the real openai, anthropic and google-genai SDKs."""

from __future__ import annotations

import asyncio
import http.client
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anthropic
import httpx2
import jsonschema
import openai
import pydantic
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types as genai_types

from tests.emulator import (
    DEFAULT_KEYS,
    OPENROUTER_PRICE,
    Emulator,
    count_tokens,
    fill_schema,
    fixtures,
    reply_text,
)
from tests.emulator.common import word_chunks

# The fixtures, bound as plain names (an import would trip ruff's F811 on every test argument).
emulator = fixtures.emulator
emulator_server = fixtures.emulator_server

OPENAI_LIKE = ["openai", "groq", "openrouter", "local"]
MODEL = {"openai": "gpt-4o-mini", "groq": "llama-3.1-8b-instant",
         "openrouter": "openai/gpt-4o-mini", "local": "llama3.2",
         "anthropic": "claude-haiku-4-5", "gemini": "gemini-2.5-flash"}
# claude-sonnet-4-5 is listed but the anthropic SDK emits a DeprecationWarning when it is used.
MSGS: list[Any] = [{"role": "system", "content": "be brief"},
                   {"role": "user", "content": "hello there"}]
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 8},
        "score": {"type": "integer", "minimum": 3, "maximum": 5},
        "ratio": {"type": "number", "exclusiveMaximum": 1},
        "tags": {"type": "array", "items": {"$ref": "#/$defs/tag"}, "minItems": 2},
        "kind": {"enum": ["lead", "client"]},
        "owner": {"anyOf": [{"$ref": "#/$defs/person"}, {"type": "null"}]},
        "done": {"type": "boolean"},
    },
    "required": ["title", "score", "tags"],
    "additionalProperties": False,
    "$defs": {
        "tag": {"type": "string", "format": "email"},
        "person": {"type": "object", "properties": {"name": {"type": "string"}},
                   "required": ["name"], "additionalProperties": False},
    },
}


class Lead(pydantic.BaseModel):
    name: str
    score: int
    tags: list[str]


# ---- helpers ---------------------------------------------------------------------------------
@contextmanager
def oa(emu: Emulator, provider: str, **kw: Any) -> Iterator[openai.OpenAI]:
    client = openai.OpenAI(base_url=emu.base_url(provider), api_key=kw.pop("api_key", None)
                           or emu.key(provider) or "local", max_retries=0, **kw)
    with client:
        yield client


@contextmanager
def ac(emu: Emulator, **kw: Any) -> Iterator[anthropic.Anthropic]:
    client = anthropic.Anthropic(base_url=emu.base_url("anthropic"),
                                 api_key=kw.pop("api_key", emu.key("anthropic")),
                                 max_retries=0, **kw)
    with client:
        yield client


@contextmanager
def gc(emu: Emulator, key: str | None = None, version: str = "v1beta") -> Iterator[genai.Client]:
    client = genai.Client(api_key=key or emu.key("gemini"), http_options=genai_types.HttpOptions(
        base_url=emu.base_url("gemini"), api_version=version))
    try:
        yield client
    finally:
        client.close()


def raw(emu: Emulator, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    req = urllib.request.Request(emu.url + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            status, hdrs, data = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        with err:
            status, hdrs, data = err.code, dict(err.headers), err.read()
    return status, {k.lower(): v for k, v in hdrs.items()}, json.loads(data) if data else None


def prompt_tokens(msgs: list[Any]) -> int:
    return sum(count_tokens(m["content"]) for m in msgs)


# ---- pure helpers ----------------------------------------------------------------------------
def test_count_tokens_reply_text_and_chunks() -> None:
    assert count_tokens("") == 0
    assert count_tokens("   ") == 1
    assert count_tokens("one two  three\nfour") == 4
    assert reply_text("openai", "gpt-4o", "hi") == "openai:gpt-4o answers: hi"
    for text in ("a b  c\n d ", "  lead", "x"):
        assert "".join(word_chunks(text)) == text
    assert word_chunks("a b") == ["a ", "b"]
    assert DEFAULT_KEYS["local"] == ""


@pytest.mark.parametrize("schema", [
    SCHEMA,
    {"type": "OBJECT", "properties": {"n": {"type": "INTEGER"}, "l": {
        "type": "ARRAY", "items": {"type": "STRING", "enum": ["x", "y"]}, "minItems": "2"}}},
    {"type": ["string", "null"], "maxLength": 2},
    {"allOf": [{"type": "object", "properties": {"a": {"const": 3}}}]},
    {"type": "number", "exclusiveMinimum": 2, "exclusiveMaximum": 3},
    {"type": "integer", "multipleOf": 5},
    {"type": "object", "properties": {"child": {"$ref": "#"}}},
])
def test_schema_fill_is_valid(schema: dict[str, Any]) -> None:
    value = fill_schema(schema)
    lowered = json.loads(json.dumps(schema).replace('"OBJECT"', '"object"').replace(
        '"INTEGER"', '"integer"').replace('"ARRAY"', '"array"').replace('"STRING"', '"string"')
        .replace('"minItems": "2"', '"minItems": 2'))
    jsonschema.validate(value, lowered)
    assert fill_schema(schema) == value


# ---- OpenAI-compatible -----------------------------------------------------------------------
@pytest.mark.parametrize("provider", OPENAI_LIKE)
def test_openai_like_models_generate_stream(emulator: Emulator, provider: str) -> None:
    model = MODEL[provider]
    expected = reply_text(provider, model, "hello there")
    with oa(emulator, provider) as client:
        ids = [m.id for m in client.models.list()]
        assert model in ids and set(emulator.models(provider)) == set(ids)
        res = client.chat.completions.create(model=model, messages=MSGS, max_tokens=5)
        assert res.choices[0].message.content == expected
        assert res.choices[0].finish_reason == "stop"
        assert res.usage is not None
        assert res.usage.prompt_tokens == prompt_tokens(MSGS) == 4
        assert res.usage.completion_tokens == count_tokens(expected)
        extra = res.usage.model_extra or {}
        if provider == "groq":
            assert {"queue_time", "prompt_time", "completion_time", "total_time"} <= set(extra)
        if provider == "openrouter":
            assert extra["cost"] == pytest.approx(4 * OPENROUTER_PRICE[0] + 4 * OPENROUTER_PRICE[1])
        stream = client.chat.completions.create(
            model=model, messages=MSGS, stream=True, stream_options={"include_usage": True})
        chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == expected
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) == 4
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 8
    if provider == "groq":
        final = next(c for c in chunks if c.choices and c.choices[0].finish_reason)
        assert (final.model_extra or {})["x_groq"]["usage"]["completion_tokens"] == 4


def test_openrouter_usage_without_include_usage_and_key_endpoint(emulator: Emulator) -> None:
    with oa(emulator, "openrouter") as client:
        chunks = list(client.chat.completions.create(
            model="anthropic/claude-3.5-haiku", messages=MSGS, stream=True))
    assert chunks[-1].usage is not None
    assert (chunks[-1].usage.model_extra or {})["cost"] > 0
    auth = {"Authorization": f"Bearer {emulator.key('openrouter')}"}
    status, _, body = raw(emulator, "GET", "/openrouter/api/v1/key", headers=auth)
    assert status == 200
    assert {"label", "limit", "limit_remaining", "usage", "usage_daily", "usage_weekly",
            "usage_monthly", "is_free_tier"} <= set(body["data"])
    status, _, body = raw(emulator, "GET", "/openrouter/api/v1/key",
                          headers={"Authorization": "Bearer nope"})
    assert status == 401 and body["error"]["code"] == 401
    status, _, body = raw(emulator, "GET", "/openrouter/api/v1/models")  # no key needed
    assert status == 200 and "openai/gpt-4o-mini" in [m["id"] for m in body["data"]]


@pytest.mark.parametrize("provider", OPENAI_LIKE)
def test_openai_like_structured_output(emulator: Emulator, provider: str) -> None:
    with oa(emulator, provider) as client:
        res = client.chat.completions.create(
            model=MODEL[provider], messages=MSGS,
            response_format={"type": "json_schema",
                             "json_schema": {"name": "x", "schema": SCHEMA, "strict": False}})
        jsonschema.validate(json.loads(res.choices[0].message.content or ""), SCHEMA)
        strict: Any = {"type": "json_schema",
                       "json_schema": {"name": "x", "schema": SCHEMA, "strict": True}}
        if provider == "openai":  # strict mode needs every property required
            with pytest.raises(openai.BadRequestError, match="Missing 'ratio'") as info:
                client.chat.completions.create(model=MODEL[provider], messages=MSGS,
                                               response_format=strict)
            assert info.value.param == "response_format"
        else:
            client.chat.completions.create(model=MODEL[provider], messages=MSGS,
                                           response_format=strict)
        parsed = client.chat.completions.parse(model=MODEL[provider], messages=MSGS,
                                               response_format=Lead)
        assert parsed.choices[0].message.parsed == Lead(name="text", score=1, tags=["text"])
        tool: Any = {"type": "function", "function": {"name": "save", "parameters": SCHEMA}}
        res = client.chat.completions.create(
            model=MODEL[provider], messages=MSGS, tools=[tool],
            tool_choice={"type": "function", "function": {"name": "save"}})
        calls: list[Any] = list(res.choices[0].message.tool_calls or [])
        jsonschema.validate(json.loads(calls[0].function.arguments), SCHEMA)


def test_openai_async_and_tool_stream(emulator: Emulator) -> None:
    async def main() -> tuple[str, str, str]:
        async with openai.AsyncOpenAI(base_url=emulator.base_url("openai"),
                                      api_key=emulator.key("openai"), max_retries=0) as client:
            res = await client.chat.completions.create(model="gpt-4.1-mini", messages=MSGS)
            stream = await client.chat.completions.create(model="gpt-4.1-mini", messages=MSGS,
                                                          stream=True)
            text = "".join([c.choices[0].delta.content or "" async for c in stream])
            tool: Any = {"type": "function", "function": {"name": "save", "parameters": SCHEMA}}
            stream = await client.chat.completions.create(
                model="gpt-4.1-mini", messages=MSGS, stream=True, tools=[tool],
                tool_choice={"type": "function", "function": {"name": "save"}})
            calls: list[Any] = [c.choices[0].delta.tool_calls[0] async for c in stream
                                if c.choices and c.choices[0].delta.tool_calls]
            args = "".join(call.function.arguments or "" for call in calls)
            return res.choices[0].message.content or "", text, args

    content, text, args = asyncio.run(main())
    assert content == text == reply_text("openai", "gpt-4.1-mini", "hello there")
    jsonschema.validate(json.loads(args), SCHEMA)


FAULTS_OPENAI = [
    ("invalid_key", openai.AuthenticationError, 401),
    ("permission", openai.PermissionDeniedError, 403),
    ("model_not_found", openai.NotFoundError, 404),
    ("rate_limit", openai.RateLimitError, 429),
    ("quota", openai.RateLimitError, 429),
    ("overloaded", openai.InternalServerError, 503),
    ("server_error", openai.InternalServerError, 500),
]


@pytest.mark.parametrize("provider", OPENAI_LIKE)
@pytest.mark.parametrize(("kind", "exc", "status"), FAULTS_OPENAI)
def test_openai_like_faults(emulator: Emulator, provider: str, kind: str,
                            exc: type[openai.APIStatusError], status: int) -> None:
    if provider == "openrouter" and kind == "quota":
        exc, status = openai.APIStatusError, 402
    emulator.fault(provider, kind, times=1, retry_after=7)
    with oa(emulator, provider) as client:
        with pytest.raises(exc) as info:
            client.chat.completions.create(model=MODEL[provider], messages=MSGS)
        assert info.value.status_code == status
        if kind == "rate_limit":
            assert info.value.response.headers["retry-after"] == "7"
        if kind == "quota" and provider == "openai":
            assert info.value.code == "insufficient_quota"
        if provider != "openrouter" and kind == "invalid_key":
            assert info.value.code == "invalid_api_key"
        # times=1: the next request succeeds
        assert client.chat.completions.create(model=MODEL[provider], messages=MSGS).choices


def test_openai_bad_key_masked_and_list_faults(emulator: Emulator) -> None:
    with (oa(emulator, "openai", api_key="sk-wrong-key-1234") as client,
          pytest.raises(openai.AuthenticationError, match=r"sk-w\*+1234")):
        client.models.list()
    with oa(emulator, "local", api_key="anything") as client:
        assert client.models.list().data
    emulator.fault("openai", "permission", times=1)  # generation-only: list still works
    emulator.fault("openai", "server_error", times=1)
    with oa(emulator, "openai") as client:
        with pytest.raises(openai.InternalServerError):
            client.models.list()
        assert client.models.list().data
        with pytest.raises(openai.PermissionDeniedError):
            client.chat.completions.create(model="gpt-4o", messages=MSGS)
    with oa(emulator, "openai") as client, pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(model="gpt-9000", messages=MSGS)
    assert info.value.code == "model_not_found"


@pytest.mark.parametrize("provider", OPENAI_LIKE)
def test_openai_like_stream_faults(emulator: Emulator, provider: str) -> None:
    emulator.fault(provider, "cut_stream", times=1, after_chunks=2)
    got: list[str] = []
    with oa(emulator, provider) as client:
        with pytest.raises(openai.APIConnectionError):
            for chunk in client.chat.completions.create(
                    model=MODEL[provider], messages=MSGS, stream=True,
                    stream_options={"include_usage": True}):
                assert chunk.usage is None
                got += [chunk.choices[0].delta.content or ""] if chunk.choices else []
        assert "".join(got) == "".join(word_chunks(reply_text(provider, MODEL[provider],
                                                              "hello there"))[:2])
        emulator.fault(provider, "stream_error", times=1)
        with pytest.raises(openai.APIError, match="Provider disconnected"):
            list(client.chat.completions.create(model=MODEL[provider], messages=MSGS,
                                                stream=True))
        emulator.fault(provider, "malformed", times=1)
        with pytest.raises(json.JSONDecodeError):
            client.chat.completions.create(model=MODEL[provider], messages=MSGS)


def test_latency_and_timeout(emulator: Emulator) -> None:
    emulator.latency("openai", 0.3)
    with oa(emulator, "openai", timeout=0.1) as client, pytest.raises(openai.APITimeoutError):
        client.models.list()
    with oa(emulator, "openai") as client:
        start = time.perf_counter()
        client.models.list()
        assert time.perf_counter() - start >= 0.3
    emulator.latency("openai", 0.0, per_chunk=0.02)
    with oa(emulator, "openai") as client:
        start = time.perf_counter()
        list(client.chat.completions.create(model="gpt-4o", messages=MSGS, stream=True))
        assert time.perf_counter() - start >= 0.1
    emulator.reset()
    with oa(emulator, "groq") as client:
        start = time.perf_counter()
        client.models.list()
        assert time.perf_counter() - start < 0.25


# ---- Anthropic -------------------------------------------------------------------------------
def test_anthropic_models_generate_stream(emulator: Emulator) -> None:
    model = MODEL["anthropic"]
    expected = reply_text("anthropic", model, "hello there")
    with ac(emulator) as client:
        ids = [m.id for m in client.models.list()]
        assert {"claude-3-5-haiku-latest", "claude-sonnet-4-5"} <= set(ids)
        res = client.messages.create(model=model, max_tokens=50, system="be brief",
                                     messages=MSGS[1:])
        assert res.content[0].type == "text" and res.content[0].text == expected
        assert res.stop_reason == "end_turn"
        assert (res.usage.input_tokens, res.usage.output_tokens) == (4, 4)
        events = list(client.messages.create(model=model, max_tokens=50, messages=MSGS[1:],
                                             stream=True))
        with client.messages.stream(model=model, max_tokens=50, messages=MSGS[1:]) as stream:
            text = "".join(stream.text_stream)
            final = stream.get_final_message()
    assert [e.type for e in events] == (
        ["message_start", "content_block_start"] + ["content_block_delta"] * 4
        + ["content_block_stop", "message_delta", "message_stop"])
    assert text == expected
    assert (final.usage.input_tokens, final.usage.output_tokens) == (2, 4)
    assert final.stop_reason == "end_turn"


def test_anthropic_wire_details(emulator: Emulator) -> None:
    key = emulator.key("anthropic")
    hdrs = {"x-api-key": key, "anthropic-version": "2023-06-01",
            "content-type": "application/json"}
    body = {"model": MODEL["anthropic"], "max_tokens": 5, "messages": MSGS[1:]}
    status, _, res = raw(emulator, "POST", "/anthropic/v1/messages", json.dumps(body).encode(),
                         hdrs)
    assert status == 200 and res["type"] == "message"
    for missing in ("model", "max_tokens", "messages"):
        partial = {k: v for k, v in body.items() if k != missing}
        status, _, res = raw(emulator, "POST", "/anthropic/v1/messages",
                             json.dumps(partial).encode(), hdrs)
        assert status == 400 and res["error"]["type"] == "invalid_request_error"
        assert missing in res["error"]["message"]
    status, _, res = raw(emulator, "POST", "/anthropic/v1/messages", b"{nope", hdrs)
    assert status == 400 and res["type"] == "error"
    no_version = {k: v for k, v in hdrs.items() if k != "anthropic-version"}
    status, _, res = raw(emulator, "POST", "/anthropic/v1/messages", json.dumps(body).encode(),
                         no_version)
    assert status == 400 and "anthropic-version" in res["error"]["message"]
    status, _, res = raw(emulator, "GET", "/anthropic/v1/nothing", headers=hdrs)
    assert status == 404 and res["error"]["type"] == "not_found_error"
    status, _, res = raw(emulator, "POST", "/anthropic/v1/messages/count_tokens",
                         json.dumps(body).encode(), hdrs)
    assert (status, res) == (200, {"input_tokens": 2})


def test_anthropic_structured_output(emulator: Emulator) -> None:
    tool: Any = {"name": "save", "description": "save it", "input_schema": SCHEMA}
    with ac(emulator) as client:
        res = client.messages.create(model=MODEL["anthropic"], max_tokens=100, messages=MSGS[1:],
                                     tools=[tool],
                                     tool_choice={"type": "tool", "name": "save"})
        assert res.stop_reason == "tool_use"
        block = res.content[0]
        assert block.type == "tool_use" and block.name == "save"
        jsonschema.validate(block.input, SCHEMA)
        with client.messages.stream(model=MODEL["anthropic"], max_tokens=100, messages=MSGS[1:],
                                    tools=[tool],
                                    tool_choice={"type": "tool", "name": "save"}) as stream:
            final = stream.get_final_message()
        assert final.content[0].type == "tool_use"
        assert final.content[0].input == block.input
        parsed = client.messages.parse(model=MODEL["anthropic"], max_tokens=100,
                                       messages=MSGS[1:], output_format=Lead)
        assert parsed.parsed_output == Lead(name="text", score=1, tags=["text"])


FAULTS_ANTHROPIC = [
    ("invalid_key", anthropic.AuthenticationError, 401),
    ("permission", anthropic.PermissionDeniedError, 403),
    ("model_not_found", anthropic.NotFoundError, 404),
    ("rate_limit", anthropic.RateLimitError, 429),
    ("quota", anthropic.BadRequestError, 400),  # "Your credit balance is too low..."
    ("billing", anthropic.PaymentRequiredError, 402),
    ("overloaded", anthropic.OverloadedError, 529),
    ("server_error", anthropic.InternalServerError, 500),
]


@pytest.mark.parametrize(("kind", "exc", "status"), FAULTS_ANTHROPIC)
def test_anthropic_faults(emulator: Emulator, kind: str, exc: type[anthropic.APIStatusError],
                          status: int) -> None:
    emulator.fault("anthropic", kind, times=1)
    with ac(emulator) as client:
        with pytest.raises(exc) as info:
            client.messages.create(model=MODEL["anthropic"], max_tokens=5, messages=MSGS[1:])
        assert info.value.status_code == status
        if kind == "rate_limit":
            assert info.value.response.headers["retry-after"] == "1"
        assert client.messages.create(model=MODEL["anthropic"], max_tokens=5,
                                      messages=MSGS[1:]).content


def test_anthropic_stream_faults_and_async(emulator: Emulator) -> None:
    with ac(emulator, api_key="wrong") as client, pytest.raises(anthropic.AuthenticationError):
        client.models.list()
    emulator.fault("anthropic", "overloaded", times=1)
    with ac(emulator) as client:
        with pytest.raises(anthropic.InternalServerError) as info:
            client.models.list()
        assert info.value.status_code == 529
        emulator.fault("anthropic", "stream_error", times=1)
        with pytest.raises(anthropic.APIStatusError, match="overloaded_error"):
            list(client.messages.create(model=MODEL["anthropic"], max_tokens=5,
                                        messages=MSGS[1:], stream=True))
        emulator.fault("anthropic", "cut_stream", times=1, after_chunks=1)
        seen: list[str] = []
        with pytest.raises(httpx2.RemoteProtocolError):
            for event in client.messages.create(model=MODEL["anthropic"], max_tokens=5,
                                                messages=MSGS[1:], stream=True):
                seen.append(event.type)
        assert "message_delta" not in seen and seen.count("content_block_delta") == 1

    async def main() -> tuple[str, str]:
        async with anthropic.AsyncAnthropic(base_url=emulator.base_url("anthropic"),
                                            api_key=emulator.key("anthropic"),
                                            max_retries=0) as client:
            res = await client.messages.create(model="claude-3-5-haiku-latest", max_tokens=5,
                                               messages=MSGS[1:])
            async with client.messages.stream(model="claude-3-5-haiku-latest", max_tokens=5,
                                              messages=MSGS[1:]) as stream:
                text = "".join([t async for t in stream.text_stream])
            assert res.content[0].type == "text"
            return res.content[0].text, text

    text1, text2 = asyncio.run(main())
    assert text1 == text2 == reply_text("anthropic", "claude-3-5-haiku-latest", "hello there")


# ---- Gemini ----------------------------------------------------------------------------------
def test_gemini_models_generate_stream(emulator: Emulator) -> None:
    model = MODEL["gemini"]
    expected = reply_text("gemini", model, "hello there")
    config = genai_types.GenerateContentConfig(system_instruction="be brief", max_output_tokens=9)
    with gc(emulator) as client:
        names = [m.name for m in client.models.list()]
        assert {"models/gemini-2.5-flash", "models/gemini-2.5-pro"} <= set(names)
        res = client.models.generate_content(model=model, contents="hello there", config=config)
        assert res.text == expected
        assert res.usage_metadata is not None
        assert res.usage_metadata.prompt_token_count == 4
        assert res.usage_metadata.candidates_token_count == 4
        chunks = list(client.models.generate_content_stream(model=model, contents="hello there",
                                                             config=config))
        assert client.models.count_tokens(model=model, contents="a b c").total_tokens == 3
    assert "".join(c.text or "" for c in chunks) == expected
    assert len(chunks) == 4
    assert chunks[-1].usage_metadata is not None
    assert chunks[-1].usage_metadata.total_token_count == 8
    assert chunks[-1].candidates and chunks[-1].candidates[0].finish_reason == "STOP"
    body = emulator.requests_for("gemini")[1].body
    assert body["systemInstruction"]["parts"][0]["text"] == "be brief"
    assert body["generationConfig"]["maxOutputTokens"] == 9
    with gc(emulator, version="v1") as client:
        assert client.models.generate_content(model=model, contents="hello there").text == expected
    assert emulator.requests_for("gemini")[-1].path.startswith("/gemini/v1/models/")


def test_gemini_structured_output(emulator: Emulator) -> None:
    with gc(emulator) as client:
        res = client.models.generate_content(
            model="gemini-2.5-pro", contents="x", config=genai_types.GenerateContentConfig(
                response_mime_type="application/json", response_json_schema=SCHEMA))
        jsonschema.validate(json.loads(res.text or ""), SCHEMA)
        res = client.models.generate_content(
            model="gemini-2.5-pro", contents="x", config=genai_types.GenerateContentConfig(
                response_mime_type="application/json", response_schema=Lead))
        assert res.parsed == Lead(name="text", score=1, tags=["text"])
    sent = emulator.requests_for("gemini")[-1].body["generationConfig"]["responseSchema"]
    assert sent["type"] == "OBJECT"


FAULTS_GEMINI = [
    ("invalid_key", genai_errors.ClientError, 400),
    ("permission", genai_errors.ClientError, 403),
    ("model_not_found", genai_errors.ClientError, 404),
    ("rate_limit", genai_errors.ClientError, 429),
    ("quota", genai_errors.ClientError, 429),
    ("overloaded", genai_errors.ServerError, 503),
    ("server_error", genai_errors.ServerError, 500),
]


@pytest.mark.parametrize(("kind", "exc", "status"), FAULTS_GEMINI)
def test_gemini_faults(emulator: Emulator, kind: str, exc: type[genai_errors.APIError],
                       status: int) -> None:
    emulator.fault("gemini", kind, times=1, retry_after=3)
    with gc(emulator) as client:
        with pytest.raises(exc) as info:
            client.models.generate_content(model=MODEL["gemini"], contents="hi")
        assert info.value.code == status
        details = json.dumps(info.value.details)
        if kind == "invalid_key":
            assert "API_KEY_INVALID" in details and info.value.status == "INVALID_ARGUMENT"
        if kind == "rate_limit":
            assert '"retryDelay": "3s"' in details
            assert info.value.response.headers["retry-after"] == "3"
        if kind == "quota":
            assert "quota" in (info.value.message or "")
        assert client.models.generate_content(model=MODEL["gemini"], contents="hi").text


def test_gemini_stream_faults_and_async(emulator: Emulator) -> None:
    with gc(emulator, key="wrong") as client, pytest.raises(genai_errors.ClientError) as info:
        list(client.models.list())
    assert info.value.code == 400 and "API_KEY_INVALID" in json.dumps(info.value.details)
    with gc(emulator) as client:
        emulator.fault("gemini", "stream_error", times=1)
        with pytest.raises(genai_errors.ServerError):
            list(client.models.generate_content_stream(model=MODEL["gemini"], contents="a b c"))
        emulator.fault("gemini", "cut_stream", times=1)
        got: list[Any] = []
        with pytest.raises(httpx2.RemoteProtocolError):
            for chunk in client.models.generate_content_stream(model=MODEL["gemini"],
                                                               contents="a b c"):
                got.append(chunk)
        assert len(got) == 2 and got[-1].usage_metadata.candidates_token_count is None
        emulator.fault("gemini", "malformed", times=1)
        with pytest.raises(genai_errors.UnknownApiResponseError):
            list(client.models.generate_content_stream(model=MODEL["gemini"], contents="a"))

        async def main() -> tuple[str, str]:
            res = await client.aio.models.generate_content(model="gemini-2.5-pro",
                                                           contents="hello there")
            stream = await client.aio.models.generate_content_stream(model="gemini-2.5-pro",
                                                                     contents="hello there")
            text = "".join([c.text or "" async for c in stream])
            await client.aio.aclose()
            return res.text or "", text

        text1, text2 = asyncio.run(main())
    assert text1 == text2 == reply_text("gemini", "gemini-2.5-pro", "hello there")


# ---- server-level behaviour ------------------------------------------------------------------
def test_unknown_paths_and_bad_json(emulator: Emulator) -> None:
    bearer = {"Authorization": f"Bearer {emulator.key('openai')}"}
    status, _, body = raw(emulator, "GET", "/openai/v1/nothing", headers=bearer)
    assert status == 404 and "Invalid URL" in body["error"]["message"]
    status, _, body = raw(emulator, "POST", "/openai/v1/chat/completions", b"{bad", bearer)
    assert status == 400 and body["error"]["type"] == "invalid_request_error"
    gen = "/gemini/v1beta/models/gemini-2.5-flash:generateContent"
    status, _, body = raw(emulator, "POST", gen, b"{bad",
                          {"x-goog-api-key": emulator.key("gemini")})
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"
    status, _, body = raw(emulator, "GET", "/gemini/v1beta/models?key=" + emulator.key("gemini"))
    assert status == 200 and body["models"][0]["supportedGenerationMethods"]
    status, _, body = raw(emulator, "GET", "/gemini/v1beta/nothing?key=" + emulator.key("gemini"))
    assert status == 404 and body["error"]["status"] == "NOT_FOUND"
    status, _, body = raw(emulator, "GET", "/elsewhere")
    assert status == 404


def test_http_control_and_request_log(emulator: Emulator) -> None:
    def post(path: str, payload: dict[str, Any]) -> Any:
        return raw(emulator, "POST", path, json.dumps(payload).encode(),
                   {"content-type": "application/json"})

    assert post("/_emulator/fault", {"provider": "groq", "kind": "rate_limit", "times": 1,
                                     "retry_after": 2})[0] == 200
    assert post("/_emulator/fault", {"provider": "nope", "kind": "rate_limit"})[0] == 400
    with oa(emulator, "groq") as client:
        with pytest.raises(openai.RateLimitError) as info:
            client.chat.completions.create(model="llama-3.3-70b-versatile", messages=MSGS)
        assert info.value.response.headers["retry-after"] == "2"
        assert post("/_emulator/latency", {"provider": "groq", "seconds": 0.2})[0] == 200
        start = time.perf_counter()
        client.models.list()
        assert time.perf_counter() - start >= 0.2
    status, _, log = raw(emulator, "GET", "/_emulator/requests")
    assert status == 200 and [r["provider"] for r in log] == ["groq", "groq"]
    assert log[0]["path"] == "/groq/openai/v1/chat/completions"
    assert log[0]["body"]["model"] == "llama-3.3-70b-versatile"
    assert log[0]["headers"]["authorization"] == "Bearer test-key-groq"
    rec = emulator.requests_for("groq")[0]
    provider, method, path, headers, body = rec
    assert (provider, method, path) == ("groq", "POST", "/groq/openai/v1/chat/completions")
    assert headers["content-type"] == "application/json" and body["messages"] == MSGS
    assert post("/_emulator/reset", {})[0] == 200
    assert emulator.requests == []
    with oa(emulator, "groq") as client:
        start = time.perf_counter()
        client.models.list()
        assert time.perf_counter() - start < 0.2
    with pytest.raises(ValueError, match="unknown fault kind"):
        emulator.fault("openai", "explode")


def test_concurrent_connections_and_clean_stop() -> None:
    before = threading.active_count()
    emu = Emulator(keys={"openai": ["k1", "k2"]}).start()
    assert emu.key("openai") == "k1"
    barrier = threading.Barrier(200)
    results: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=10)
        try:
            conn.connect()
            barrier.wait(timeout=10)
            conn.request("GET", "/openai/v1/models", headers={"Authorization": "Bearer k2"})
            resp = conn.getresponse()
            resp.read()
            with lock:
                results.append(resp.status)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(200)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert results == [200] * 200
    # a keep-alive connection left open must not block stop()
    idle = http.client.HTTPConnection("127.0.0.1", emu.port, timeout=5)
    idle.request("GET", "/openai/v1/models", headers={"Authorization": "Bearer k1"})
    idle.getresponse().read()
    start = time.perf_counter()
    emu.stop()
    idle.close()
    assert time.perf_counter() - start < 2
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() <= before


def test_runs_as_a_process() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "tests.emulator", "--stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    try:
        assert proc.stdout is not None and proc.stdin is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("EMULATOR_URL=http://127.0.0.1:")
        with urllib.request.urlopen(line.split("=", 1)[1] + "/_emulator/health", timeout=5) as r:
            assert json.loads(r.read()) == {"ok": True}
        proc.stdin.close()
        assert proc.wait(5) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def test_tiny_request_is_fast(emulator: Emulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=5)
    body = json.dumps({"model": "gpt-4o-mini", "messages": MSGS})
    hdrs = {"Authorization": "Bearer test-key-openai", "content-type": "application/json"}
    try:
        start = time.perf_counter()
        for _ in range(200):
            conn.request("POST", "/openai/v1/chat/completions", body, hdrs)
            resp = conn.getresponse()
            resp.read()
            assert resp.status == 200
        per_request = (time.perf_counter() - start) / 200
    finally:
        conn.close()
    assert per_request < 0.005  # round trip incl. the client; server time is a fraction of it
