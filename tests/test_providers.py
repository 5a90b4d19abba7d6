"""Every provider module against the emulator, through the real SDKs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest

from aidesk import errors, providers
from aidesk.providers.base import (
    ChatRequest,
    JsonSchema,
    ProviderSettings,
    StreamDone,
    TextDelta,
)
from aidesk.router import pricing
from tests.emulator import OPENROUTER_PRICE, count_tokens, reply_text

ALL = list(providers.CHAT_PROVIDER_IDS)  # chat providers (Stability: tests/test_media_providers.py)

SENTIMENT = JsonSchema("sentiment", {
    "type": "object",
    "properties": {
        "label": {"type": "string", "enum": ["Positive", "Neutral", "Negative", "Urgent"]},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "reasons": {"type": "array", "items": {"type": "string"}, "minItems": 1},
    },
    "required": ["label", "score", "reasons"],
    "additionalProperties": False,
})


def run(provider_id: str, emulator: Any, action: Callable[[Any], Awaitable[Any]],
        *, key: str | None = None, timeout_s: float = 10.0) -> Any:
    async def main() -> Any:
        client = providers.create(ProviderSettings(
            provider_id, key if key is not None else emulator.key(provider_id) or None,
            emulator.base_url(provider_id), timeout_s=timeout_s))
        try:
            return await action(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def model_of(provider_id: str) -> str:
    return providers.PROVIDERS[provider_id].default_model


@pytest.mark.parametrize("provider_id", ALL)
def test_list_models(provider_id: str, emulator: Any) -> None:
    models = run(provider_id, emulator, lambda c: c.list_models())
    ids = [m.id for m in models]
    assert model_of(provider_id) in ids
    assert ids == sorted(ids)


@pytest.mark.parametrize("provider_id", ALL)
def test_generate(provider_id: str, emulator: Any) -> None:
    request = ChatRequest.of("Escreva um slogan para café", model_of(provider_id),
                             system="Você é um redator.")
    completion = run(provider_id, emulator, lambda c: c.generate(request))
    expected = reply_text(provider_id, model_of(provider_id), "Escreva um slogan para café")
    assert completion.text == expected
    assert completion.usage.prompt_tokens == count_tokens("Você é um redator.") + 5
    assert completion.usage.completion_tokens == count_tokens(expected)
    if provider_id == "openrouter":
        # The provider's own figure, which differs from genai-prices' price for the model.
        reported = (completion.usage.prompt_tokens * OPENROUTER_PRICE[0]
                    + completion.usage.completion_tokens * OPENROUTER_PRICE[1])
        assert completion.usage.cost_usd == pytest.approx(reported)
        computed = pricing.cost_usd(provider_id, model_of(provider_id), replace(
            completion.usage, cost_usd=None))
        assert computed is not None and computed != pytest.approx(reported)
        assert pricing.cost_usd(provider_id, model_of(provider_id),
                                completion.usage) == pytest.approx(reported)
    else:
        assert completion.usage.cost_usd is None
    sent = emulator.requests_for(provider_id)[-1]
    assert sent.method == "POST"


@pytest.mark.parametrize("provider_id", ALL)
def test_stream_arrives_in_pieces_then_usage(provider_id: str, emulator: Any) -> None:
    request = ChatRequest.of("one two three four", model_of(provider_id))

    async def collect(client: Any) -> list[Any]:
        return [event async for event in client.stream(request)]

    events = run(provider_id, emulator, collect)
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    done = events[-1]
    assert isinstance(done, StreamDone)
    expected = reply_text(provider_id, model_of(provider_id), "one two three four")
    assert len(deltas) > 3
    assert "".join(deltas) == expected == done.completion.text
    assert done.completion.usage.prompt_tokens == 4
    assert done.completion.usage.completion_tokens == count_tokens(expected)


@pytest.mark.parametrize("provider_id", ALL)
def test_structured_output_is_validated(provider_id: str, emulator: Any) -> None:
    request = ChatRequest.of("Cliente: preciso disso HOJE!", model_of(provider_id),
                             schema=SENTIMENT)
    completion = run(provider_id, emulator, lambda c: c.generate(request))
    assert completion.data["label"] in {"Positive", "Neutral", "Negative", "Urgent"}
    assert 0 <= completion.data["score"] <= 1
    body = emulator.requests_for(provider_id)[-1].body
    if provider_id == "anthropic":
        assert body["tool_choice"] == {"type": "tool", "name": "sentiment"}
    elif provider_id == "gemini":
        assert body["generationConfig"]["responseMimeType"] == "application/json"
    else:
        assert body["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize("provider_id", ALL)
def test_structured_output_that_breaks_schema_is_malformed(provider_id: str,
                                                           emulator: Any) -> None:
    emulator.fault(provider_id, "malformed", times=1)
    request = ChatRequest.of("x", model_of(provider_id), schema=SENTIMENT)
    with pytest.raises(errors.MalformedResponse):
        run(provider_id, emulator, lambda c: c.generate(request))


KEYED = [p for p in ALL if p != "local"]


@pytest.mark.parametrize("provider_id", KEYED)
def test_wrong_key_is_invalid_key(provider_id: str, emulator: Any) -> None:
    with pytest.raises(errors.InvalidKey) as caught:
        run(provider_id, emulator, lambda c: c.list_models(), key="test-wrong-key-123456")
    assert "keys set" in caught.value.user_message
    assert "test-wrong-key-123456" not in str(caught.value)
    with pytest.raises(errors.InvalidKey):
        run(provider_id, emulator,
            lambda c: c.generate(ChatRequest.of("hi", model_of(provider_id))),
            key="test-wrong-key-123456")


FAULTS: list[tuple[str, type[errors.ProviderError]]] = [
    ("model_not_found", errors.ModelNotFound),
    ("rate_limit", errors.RateLimited),
    ("quota", errors.OutOfCredits),
    ("billing", errors.OutOfCredits),
    ("overloaded", errors.ProviderUnavailable),
    ("server_error", errors.ProviderUnavailable),
    ("permission", errors.InvalidKey),
    ("malformed", errors.MalformedResponse),
    ("bad_request", errors.BadRequest),
]


@pytest.mark.parametrize("provider_id", ALL)
@pytest.mark.parametrize(("kind", "expected"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_failure_is_typed(provider_id: str, kind: str,
                               expected: type[errors.ProviderError], emulator: Any) -> None:
    if provider_id == "openrouter" and kind == "permission":
        expected = errors.Moderated  # OpenRouter's 403 is moderation, not a bad key
    emulator.fault(provider_id, kind, times=1, retry_after=7)
    with pytest.raises(expected) as caught:
        run(provider_id, emulator,
            lambda c: c.generate(ChatRequest.of("hi", model_of(provider_id))))
    err = caught.value
    assert type(err) is expected
    assert err.provider == provider_id
    assert err.user_message
    if isinstance(err, errors.RateLimited):
        assert err.retry_after == pytest.approx(7)
    assert len(emulator.requests_for(provider_id)) == 1, "the SDK must not retry by itself"


@pytest.mark.parametrize("provider_id", ALL)
def test_unknown_model_is_model_not_found(provider_id: str, emulator: Any) -> None:
    with pytest.raises(errors.ModelNotFound) as caught:
        run(provider_id, emulator, lambda c: c.generate(ChatRequest.of("hi", "no-such-model")))
    assert "no-such-model" in caught.value.user_message


@pytest.mark.parametrize("provider_id", ALL)
def test_timeout(provider_id: str, emulator: Any) -> None:
    emulator.latency(provider_id, 2.0)
    with pytest.raises(errors.ProviderTimeout):
        run(provider_id, emulator,
            lambda c: c.generate(ChatRequest.of("hi", model_of(provider_id))), timeout_s=0.3)


@pytest.mark.parametrize("provider_id", ALL)
def test_offline(provider_id: str, emulator: Any) -> None:
    async def main() -> Any:
        client = providers.create(ProviderSettings(
            provider_id, "test-key", "http://127.0.0.1:9/v1", timeout_s=5))
        try:
            return await client.generate(ChatRequest.of("hi", model_of(provider_id)))
        finally:
            await client.aclose()

    with pytest.raises(errors.NetworkUnreachable) as caught:
        asyncio.run(main())
    assert "connection" in caught.value.user_message


@pytest.mark.parametrize("provider_id", ALL)
def test_cut_stream_is_an_error_not_an_answer(provider_id: str, emulator: Any) -> None:
    emulator.fault(provider_id, "cut_stream", times=1, after_chunks=2)
    request = ChatRequest.of("one two three four five six", model_of(provider_id))
    received: list[Any] = []

    async def collect(client: Any) -> None:
        async for event in client.stream(request):
            received.append(event)

    with pytest.raises(errors.MalformedResponse):
        run(provider_id, emulator, collect)
    assert not any(isinstance(e, StreamDone) for e in received)


@pytest.mark.parametrize("provider_id", ["anthropic", "openrouter"])
def test_error_inside_a_stream(provider_id: str, emulator: Any) -> None:
    emulator.fault(provider_id, "stream_error", times=1)
    request = ChatRequest.of("one two three", model_of(provider_id))

    async def collect(client: Any) -> None:
        async for _ in client.stream(request):
            pass

    with pytest.raises(errors.ProviderError):
        run(provider_id, emulator, collect)


def test_sdks_are_imported_lazily() -> None:
    import subprocess
    import sys

    code = ("import sys, aidesk.providers, aidesk.router, aidesk.cli; "
            "print([m for m in ('openai', 'anthropic', 'google.genai') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
