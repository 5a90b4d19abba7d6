"""What each provider module sends and how it reads refusals, through the real SDKs over HTTP:
out-of-credit answers, reasoning-model parameters, strict and refused structured output."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aidesk import errors, providers
from aidesk.providers.base import ChatRequest, JsonSchema, ProviderSettings
from aidesk.providers.strict_schema import drop_added_nulls, strict_schema
from tests.emulator.openai_chat import strict_schema_problem
from tests.test_providers import ALL, SENTIMENT, model_of, run


# ---- 2. out of credit, as each provider says it ------------------------------------------------
@pytest.mark.parametrize(("provider_id", "kind", "status"), [
    ("anthropic", "quota", 400),  # invalid_request_error "Your credit balance is too low..."
    ("anthropic", "billing", 402),  # billing_error
    ("openai", "quota", 429),  # insufficient_quota
    ("groq", "quota", 429),
    ("openrouter", "quota", 402),
    ("gemini", "quota", 429),  # QuotaFailure ...PerDay...
    ("gemini", "billing", 429),  # prepaid credits depleted
])
def test_out_of_credit_is_never_a_rate_limit(emulator: Any, provider_id: str, kind: str,
                                             status: int) -> None:
    emulator.fault(provider_id, kind, times=1)
    with pytest.raises(errors.OutOfCredits) as caught:
        run(provider_id, emulator,
            lambda c: c.generate(ChatRequest.of("hi", model_of(provider_id))))
    assert caught.value.status == status and caught.value.fallback
    assert "retrying will not help" in caught.value.user_message
    assert len(emulator.requests_for(provider_id)) == 1, "never retried"


def test_gemini_per_minute_quota_is_a_rate_limit(emulator: Any) -> None:
    """Gemini's per-minute 429 also says "You exceeded your current quota"."""
    emulator.fault("gemini", "rate_limit", times=1, retry_after=9)
    with pytest.raises(errors.RateLimited) as caught:
        run("gemini", emulator, lambda c: c.generate(ChatRequest.of("hi", model_of("gemini"))))
    assert "exceeded your current quota" in caught.value.detail
    assert caught.value.retry_after == pytest.approx(9)


# ---- 5. OpenAI reasoning models ------------------------------------------------------------------
@pytest.mark.parametrize(("provider_id", "model", "param", "temperature"), [
    ("openai", "o4-mini", "max_completion_tokens", False),
    ("openai", "gpt-5-mini", "max_completion_tokens", False),
    ("openai", "gpt-4o-mini", "max_completion_tokens", True),
    ("groq", "llama-3.1-8b-instant", "max_completion_tokens", True),
    ("openrouter", "openai/gpt-4o-mini", "max_tokens", True),
    ("local", "llama3.2", "max_tokens", True),
])
def test_output_limit_and_temperature_as_each_server_documents(
        emulator: Any, provider_id: str, model: str, param: str, temperature: bool) -> None:
    request = ChatRequest.of("hi there", model, max_tokens=77, temperature=0.3)
    completion = run(provider_id, emulator, lambda c: c.generate(request))
    assert completion.text
    body = emulator.requests_for(provider_id)[-1].body
    assert body[param] == 77
    other = ({"max_tokens", "max_completion_tokens"} - {param}).pop()
    assert other not in body
    assert ("temperature" in body) is temperature


def test_reasoning_model_refusal_is_unsupported(emulator: Any) -> None:
    """A server in front of OpenAI that still sends max_tokens gets OpenAI's 400, which falls
    back as Unsupported (here the `local` module pointed at the OpenAI endpoint)."""
    async def main() -> Any:
        client = providers.create(ProviderSettings(
            "local", emulator.key("openai"), emulator.base_url("openai"), timeout_s=10))
        try:
            return await client.generate(ChatRequest.of("hi", "o4-mini"))
        finally:
            await client.aclose()

    with pytest.raises(errors.Unsupported) as caught:
        asyncio.run(main())
    assert "max_completion_tokens" in caught.value.detail and caught.value.fallback


# ---- structured output ---------------------------------------------------------------------------
OPTIONAL = JsonSchema("lead", {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "email": {"type": "string", "format": "email"},
        "stage": {"enum": ["lead", "client"]},
        "address": {"type": "object", "properties": {"city": {"type": "string"}},
                    "required": ["city"]},
    },
    "required": ["name"],
})


def test_openai_gets_strict_schema(emulator: Any) -> None:
    request = ChatRequest.of("Cliente novo", "gpt-4o-mini", schema=OPTIONAL)
    completion = run("openai", emulator, lambda c: c.generate(request))
    assert completion.data["name"] == "text"
    sent = emulator.requests_for("openai")[-1].body["response_format"]["json_schema"]
    assert sent["strict"] is True
    assert strict_schema_problem(sent["schema"]) is None
    assert strict_schema_problem(OPTIONAL.schema) is not None  # the emulator would refuse it
    assert sent["schema"]["required"] == ["name", "email", "stage", "address"]
    assert sent["schema"]["properties"]["email"]["type"] == ["string", "null"]
    assert sent["schema"]["properties"]["stage"] == {"anyOf": [{"enum": ["lead", "client"]},
                                                               {"type": "null"}]}
    assert OPTIONAL.schema["required"] == ["name"]  # the caller's schema is untouched


@pytest.mark.parametrize("provider_id", ["groq", "openrouter", "local"])
def test_other_openai_compatible_servers_get_the_schema_as_is(emulator: Any,
                                                              provider_id: str) -> None:
    request = ChatRequest.of("x", model_of(provider_id), schema=SENTIMENT)
    run(provider_id, emulator, lambda c: c.generate(request))
    sent = emulator.requests_for(provider_id)[-1].body["response_format"]["json_schema"]
    assert sent == {"name": "sentiment", "schema": SENTIMENT.schema}


def test_strict_nulls_are_dropped_before_validation() -> None:
    strict = strict_schema(OPTIONAL.schema)
    answer = {"name": "Ana", "email": None, "stage": None, "address": {"city": "Recife"}}
    assert strict_schema_problem(strict) is None
    assert drop_added_nulls(answer, OPTIONAL.schema) == {"name": "Ana",
                                                         "address": {"city": "Recife"}}
    nullable = {"type": "object", "properties": {"n": {"type": ["string", "null"]}}}
    assert drop_added_nulls({"n": None}, nullable) == {"n": None}  # null was allowed already


@pytest.mark.parametrize("provider_id", ALL)
def test_refused_schema_is_unsupported_and_falls_back(emulator: Any, provider_id: str) -> None:
    emulator.fault(provider_id, "schema_unsupported", times=1)
    request = ChatRequest.of("x", model_of(provider_id), schema=SENTIMENT)
    with pytest.raises(errors.Unsupported) as caught:
        run(provider_id, emulator, lambda c: c.generate(request))
    assert caught.value.fallback and caught.value.status in (400, 404)


def test_a_prompt_too_long_is_still_a_bad_request(emulator: Any) -> None:
    emulator.fault("openai", "bad_request", times=1)
    with pytest.raises(errors.BadRequest) as caught:
        run("openai", emulator, lambda c: c.generate(ChatRequest.of("x", "gpt-4o-mini")))
    assert not caught.value.fallback
