"""Call cost in USD from genai-prices; the provider's own figure wins where it reports one."""

from __future__ import annotations

import logging
from functools import lru_cache

from aidesk.providers.base import Usage

log = logging.getLogger(__name__)

# Our provider ids → genai-prices provider ids. A local server costs nothing to call.
PRICE_PROVIDER = {"openai": "openai", "anthropic": "anthropic", "gemini": "google",
                  "groq": "groq", "openrouter": "openrouter"}


def cost_usd(provider: str, model: str, usage: Usage) -> float | None:
    """The call's cost, or None (with a warning, once per model) when the model has no price."""
    if usage.cost_usd is not None:
        return usage.cost_usd
    if provider == "local":
        return 0.0
    price_provider = PRICE_PROVIDER.get(provider)
    if price_provider is None:
        return None
    cached = min(usage.cached_tokens, usage.prompt_tokens)
    rates = _linear_rates(price_provider, model)
    if rates is not None:
        per_input, per_output, per_cached = rates
        return (usage.prompt_tokens - cached) * per_input + cached * per_cached + (
            usage.completion_tokens * per_output)
    return _calc(price_provider, model, usage.prompt_tokens, usage.completion_tokens, cached)


def estimate_usd(provider: str, model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """Upper estimate used to reserve budget before a call; 0 when the price is unknown."""
    return cost_usd(provider, model, Usage(prompt_tokens, completion_tokens)) or 0.0


def _calc(price_provider: str, model: str, prompt: int, completion: int,
          cached: int) -> float | None:
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    try:
        price = calc_price(
            PriceUsage(input_tokens=prompt, output_tokens=completion,
                       cache_read_tokens=cached or None),
            model_ref=model, provider_id=price_provider,
        )
    except LookupError:
        return None
    return float(price.total_price)


@lru_cache(maxsize=256)
def _linear_rates(price_provider: str, model: str) -> tuple[float, float, float] | None:
    """Per-token (input, output, cached input) rates when the model's price is linear.

    genai-prices is the source; asking it once per model at several sizes and finding
    the same per-token rate lets every later call skip its ~0.2 ms lookup. Tiered
    prices (e.g. a higher rate past 200k prompt tokens) fail the check and stay exact.
    """
    one = _calc(price_provider, model, 1000, 0, 0)
    if one is None:
        log.warning("No price known for %s model %s: its cost is recorded as unknown (NULL).",
                    price_provider, model)
        return None
    rates = (one / 1000, (_calc(price_provider, model, 0, 1000, 0) or 0) / 1000,
             (_calc(price_provider, model, 1000, 0, 1000) or 0) / 1000)
    for size in (50_000, 1_000_000):
        probe = _calc(price_provider, model, size, size, size // 2) or 0
        expected = (size - size // 2) * rates[0] + size * rates[1] + (size // 2) * rates[2]
        if abs(probe - expected) > 1e-9 + 1e-6 * expected:
            return None
    return rates
