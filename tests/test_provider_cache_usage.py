"""Prompt caching in usage and in cost, through the real SDKs over HTTP to the emulator.

Published prices used below (USD per million tokens), independent of genai-prices:
- Anthropic Claude Haiku 4.5: input 1.00, 5-minute cache write 1.25, cache read 0.10, output 5.00
  (https://docs.anthropic.com/en/docs/about-claude/pricing).
- OpenAI gpt-4o-mini: input 0.15, cached input 0.075, output 0.60
  (https://platform.openai.com/docs/pricing).
"""

from __future__ import annotations

from typing import Any

import pytest

from aidesk.providers.base import ChatRequest, StreamDone, Usage
from aidesk.router import pricing
from tests.test_providers import model_of, run

PROMPT = " ".join(f"w{i}" for i in range(1000))  # 1000 prompt tokens in the emulator
M = 1e-6


def ask(provider_id: str, emulator: Any, model: str, stream: bool) -> Usage:
    request = ChatRequest.of(PROMPT, model)

    async def collect(client: Any) -> Usage:
        events = [e async for e in client.stream(request)]
        assert isinstance(events[-1], StreamDone)
        return events[-1].completion.usage

    if stream:
        usage: Usage = run(provider_id, emulator, collect)
    else:
        usage = run(provider_id, emulator, lambda c: c.generate(request)).usage
    return usage


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
@pytest.mark.parametrize("provider_id", ["anthropic", "openai", "gemini", "groq", "openrouter"])
def test_prompt_tokens_are_the_whole_prompt(emulator: Any, provider_id: str,
                                            stream: bool) -> None:
    emulator.fault(provider_id, "prompt_cache", cache_read=900)
    usage = ask(provider_id, emulator, model_of(provider_id), stream)
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (1000, 900, 0)


@pytest.mark.parametrize("stream", [False, True], ids=["generate", "stream"])
def test_anthropic_cache_writes_count_in_the_prompt(emulator: Any, stream: bool) -> None:
    emulator.fault("anthropic", "prompt_cache", cache_read=600, cache_write=300)
    usage = ask("anthropic", emulator, "claude-haiku-4-5", stream)
    assert (usage.prompt_tokens, usage.cached_tokens, usage.cache_write_tokens) == (1000, 600, 300)


def test_cost_of_cache_reads_anthropic(emulator: Any) -> None:
    emulator.fault("anthropic", "prompt_cache", cache_read=900)
    usage = ask("anthropic", emulator, "claude-haiku-4-5", False)
    out = usage.completion_tokens
    expected = 100 * 1.00 * M + 900 * 0.10 * M + out * 5.00 * M
    assert pricing.cost_usd("anthropic", "claude-haiku-4-5", usage) == pytest.approx(
        expected, rel=1e-9)
    uncached = Usage(1000, out)  # the same prompt without the cache costs more
    assert pricing.cost_usd("anthropic", "claude-haiku-4-5", uncached) == pytest.approx(
        1000 * 1.00 * M + out * 5.00 * M, rel=1e-9)


def test_cost_of_cache_writes_anthropic(emulator: Any) -> None:
    emulator.fault("anthropic", "prompt_cache", cache_write=900)
    usage = ask("anthropic", emulator, "claude-haiku-4-5", True)
    out = usage.completion_tokens
    expected = 100 * 1.00 * M + 900 * 1.25 * M + out * 5.00 * M
    assert pricing.cost_usd("anthropic", "claude-haiku-4-5", usage) == pytest.approx(
        expected, rel=1e-9)


def test_cost_of_cache_reads_openai(emulator: Any) -> None:
    emulator.fault("openai", "prompt_cache", cache_read=900)
    usage = ask("openai", emulator, "gpt-4o-mini", False)
    out = usage.completion_tokens
    expected = 100 * 0.15 * M + 900 * 0.075 * M + out * 0.60 * M
    assert pricing.cost_usd("openai", "gpt-4o-mini", usage) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize(("provider", "model"), [
    ("anthropic", "claude-haiku-4-5"), ("openai", "gpt-4o-mini"), ("gemini", "gemini-2.5-pro"),
])
def test_fast_path_equals_genai_prices(provider: str, model: str) -> None:
    """The cached linear rates give genai-prices' own figure for every usage field."""
    price_provider = pricing.PRICE_PROVIDER[provider]
    for prompt, out, read, write in [(1000, 50, 900, 0), (1000, 50, 0, 900),
                                     (250_000, 10, 100_000, 50_000), (1, 0, 0, 0)]:
        usage = Usage(prompt, out, cached_tokens=read, cache_write_tokens=write)
        exact = pricing._calc(price_provider, model, prompt, out, read, write)
        assert pricing.cost_usd(provider, model, usage) == pytest.approx(exact, rel=1e-9)


def test_unknown_usage_has_no_cost() -> None:
    assert pricing.cost_usd("openai", "gpt-4o-mini", Usage(known=False)) is None
