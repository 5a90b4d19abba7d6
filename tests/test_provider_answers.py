"""How each provider module ends an answer, through the real SDKs over HTTP to the emulator:
errors inside a stream, empty and filtered answers, truncation, streams without usage."""

from __future__ import annotations

from typing import Any

import pytest

from aidesk import errors
from aidesk.providers.base import ChatRequest, Completion, StreamDone, TextDelta
from aidesk.router import pricing
from tests.emulator import reply_text
from tests.emulator.common import word_chunks
from tests.test_providers import ALL, model_of, run

PROMPT = "one two three four five six"


def stream_events(provider_id: str, emulator: Any, request: ChatRequest,
                  into: list[Any]) -> None:
    async def collect(client: Any) -> None:
        async for event in client.stream(request):
            into.append(event)

    run(provider_id, emulator, collect)


def answer(provider_id: str, emulator: Any, stream: bool) -> Completion:
    request = ChatRequest.of(PROMPT, model_of(provider_id))
    if not stream:
        completion: Completion = run(provider_id, emulator, lambda c: c.generate(request))
        return completion
    events: list[Any] = []
    stream_events(provider_id, emulator, request, events)
    assert isinstance(events[-1], StreamDone)
    return events[-1].completion


# ---- 1. Anthropic `event: error` inside the stream --------------------------------------------
@pytest.mark.parametrize(("reason", "expected"), [
    ("overloaded_error", errors.ProviderUnavailable),
    ("api_error", errors.ProviderUnavailable),
    ("rate_limit_error", errors.RateLimited),
])
def test_anthropic_error_event_before_any_text(emulator: Any, reason: str,
                                                expected: type[errors.ProviderError]) -> None:
    emulator.fault("anthropic", "stream_error", times=1, after_chunks=0, reason=reason)
    received: list[Any] = []
    with pytest.raises(expected) as caught:
        stream_events("anthropic", emulator, ChatRequest.of(PROMPT, model_of("anthropic")),
                      received)
    assert type(caught.value) is expected and caught.value.fallback
    assert received == []  # nothing reached the caller: the router may fall back


def test_anthropic_error_event_after_text(emulator: Any) -> None:
    emulator.fault("anthropic", "stream_error", times=1, after_chunks=2, reason="api_error")
    received: list[Any] = []
    with pytest.raises(errors.ProviderUnavailable):
        stream_events("anthropic", emulator, ChatRequest.of(PROMPT, model_of("anthropic")),
                      received)
    assert [type(e) for e in received] == [TextDelta, TextDelta]


# ---- 4. empty and filtered answers are never a success ----------------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
@pytest.mark.parametrize("provider_id", ALL)
def test_empty_answer_is_an_error(emulator: Any, provider_id: str, stream: bool) -> None:
    emulator.fault(provider_id, "empty", times=1)
    with pytest.raises(errors.EmptyAnswer) as caught:
        answer(provider_id, emulator, stream)
    usage = caught.value.usage
    assert usage is not None and usage.prompt_tokens == 6 and caught.value.fallback


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
@pytest.mark.parametrize("provider_id", ALL)
def test_filtered_answer_is_content_filtered(emulator: Any, provider_id: str,
                                             stream: bool) -> None:
    emulator.fault(provider_id, "filtered", times=1)
    with pytest.raises(errors.ContentFiltered) as caught:
        answer(provider_id, emulator, stream)
    finish = {"anthropic": "refusal", "gemini": "SAFETY"}.get(provider_id, "content_filter")
    assert finish in caught.value.detail
    assert caught.value.usage is not None and caught.value.usage.prompt_tokens == 6


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
@pytest.mark.parametrize("provider_id", ALL)
def test_output_limit_spent_before_any_text(emulator: Any, provider_id: str,
                                            stream: bool) -> None:
    emulator.fault(provider_id, "empty_truncated", times=1, thoughts=1024)
    with pytest.raises(errors.EmptyAnswer) as caught:
        answer(provider_id, emulator, stream)
    assert "output limit" in caught.value.detail
    assert "max tokens" in caught.value.user_message
    usage = caught.value.usage  # the thinking was billed: the router records it
    assert usage is not None and usage.completion_tokens == 1024 and usage.prompt_tokens == 6


@pytest.mark.parametrize("reason", ["RECITATION", "PROHIBITED_CONTENT", "SPII", "BLOCKLIST"])
def test_gemini_filter_reasons(emulator: Any, reason: str) -> None:
    emulator.fault("gemini", "filtered", times=1, reason=reason)
    with pytest.raises(errors.ContentFiltered, match=reason):
        answer("gemini", emulator, False)


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_gemini_blocked_prompt(emulator: Any, stream: bool) -> None:
    emulator.fault("gemini", "blocked_prompt", times=1, reason="PROHIBITED_CONTENT")
    with pytest.raises(errors.ContentFiltered) as caught:
        answer("gemini", emulator, stream)
    assert "prompt blocked: PROHIBITED_CONTENT" in caught.value.detail


@pytest.mark.parametrize("provider_id", ["gemini", "openai", "anthropic"])
def test_thinking_tokens_are_billed_output(emulator: Any, provider_id: str) -> None:
    emulator.fault(provider_id, "thinking", thoughts=40)
    model = "o4-mini" if provider_id == "openai" else model_of(provider_id)
    expected = reply_text(provider_id, model, PROMPT)
    request = ChatRequest.of(PROMPT, model)
    for completion in (run(provider_id, emulator, lambda c: c.generate(request)),):
        assert completion.text == expected
        assert completion.usage.reasoning_tokens == 40
        assert completion.usage.completion_tokens == len(expected.split()) + 40


# ---- 8. finish reasons: truncated answers are returned, marked ---------------------------------
@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
@pytest.mark.parametrize("provider_id", ALL)
def test_truncated_answer_is_returned_and_marked(emulator: Any, provider_id: str,
                                                 stream: bool) -> None:
    emulator.fault(provider_id, "truncated", times=1, after_chunks=3)
    completion = answer(provider_id, emulator, stream)
    full = reply_text(provider_id, model_of(provider_id), PROMPT)
    assert completion.text == "".join(word_chunks(full)[:3])
    assert completion.truncated
    assert completion.finish_reason == {"anthropic": "max_tokens",
                                        "gemini": "MAX_TOKENS"}.get(provider_id, "length")


@pytest.mark.parametrize("provider_id", ALL)
def test_normal_answer_is_not_truncated(emulator: Any, provider_id: str) -> None:
    completion = answer(provider_id, emulator, False)
    assert not completion.truncated
    assert completion.finish_reason in ("stop", "end_turn", "STOP")


# ---- 6. streams without a usage chunk ----------------------------------------------------------
@pytest.mark.parametrize("provider_id", ["local", "openai", "groq"])
def test_stream_without_usage_chunk_is_a_success_with_unknown_usage(emulator: Any,
                                                                     provider_id: str) -> None:
    emulator.fault(provider_id, "no_stream_usage", times=1)
    completion = answer(provider_id, emulator, True)
    assert completion.text == reply_text(provider_id, model_of(provider_id), PROMPT)
    assert not completion.usage.known
    assert pricing.cost_usd(provider_id, model_of(provider_id), completion.usage) is None
    body = emulator.requests_for(provider_id)[-1].body
    assert body["stream_options"] == {"include_usage": True}  # asked, and ignored


# ---- 7. OpenRouter moderation ------------------------------------------------------------------
def test_openrouter_403_is_moderation_not_a_bad_key(emulator: Any) -> None:
    emulator.fault("openrouter", "moderated", times=1)
    with pytest.raises(errors.Moderated) as caught:
        answer("openrouter", emulator, False)
    err = caught.value
    assert not isinstance(err, errors.InvalidKey) and err.fallback and err.status == 403
    assert err.detail == "harassment"
    assert "flagged by moderation (harassment)" in err.user_message
    with pytest.raises(errors.InvalidKey):  # 401 is the bad key
        run("openrouter", emulator, lambda c: c.generate(ChatRequest.of("x", "openai/gpt-4o")),
            key="test-wrong-key-123456")
