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
    """The call's cost, or None (with a warning, once per model) when the model has no price.

    Unknown usage (the provider reported none) has no cost either: None, never 0."""
    if usage.cost_usd is not None:
        return usage.cost_usd
    if not usage.known:
        return None
    if provider == "local":
        return 0.0
    price_provider = PRICE_PROVIDER.get(provider)
    if price_provider is None:
        return None
    read = min(usage.cached_tokens, usage.prompt_tokens)
    write = min(usage.cache_write_tokens, usage.prompt_tokens - read)
    rates = _linear_rates(price_provider, model)
    if rates is not None:
        per_input, per_output, per_read, per_write = rates
        return ((usage.prompt_tokens - read - write) * per_input + read * per_read
                + write * per_write + usage.completion_tokens * per_output)
    return _calc(price_provider, model, usage.prompt_tokens, usage.completion_tokens, read, write)


def estimate_usd(provider: str, model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """Upper estimate used to reserve budget before a call; 0 when the price is unknown."""
    return cost_usd(provider, model, Usage(prompt_tokens, completion_tokens)) or 0.0


def _calc(price_provider: str, model: str, prompt: int, completion: int,
          read: int = 0, write: int = 0) -> float | None:
    """genai-prices' figure. Its `input_tokens` is the whole prompt, cache reads and writes
    included (genai_prices/types.py `Usage`; it refuses cache_read_tokens > input_tokens), and
    it prices `cache_read_tokens` and `cache_write_tokens` at the model's own cache rates (the
    input rate where the model has none)."""
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    try:
        price = calc_price(
            PriceUsage(input_tokens=prompt, output_tokens=completion,
                       cache_read_tokens=read or None, cache_write_tokens=write or None),
            model_ref=model, provider_id=price_provider,
        )
    except LookupError:
        return None
    return float(price.total_price)


@lru_cache(maxsize=256)
def _linear_rates(price_provider: str, model: str) -> tuple[float, float, float, float] | None:
    """Per-token (input, output, cache read, cache write) rates when the price is linear.

    genai-prices is the source; asking it once per model at several sizes and finding
    the same per-token rates lets every later call skip its ~0.2 ms lookup. Tiered
    prices (e.g. a higher rate past 200k prompt tokens) fail the check and stay exact.
    """
    one = _calc(price_provider, model, 1000, 0)
    if one is None:
        log.warning("No price known for %s model %s: its cost is recorded as unknown (NULL).",
                    price_provider, model)
        return None
    rates = (one / 1000, (_calc(price_provider, model, 0, 1000) or 0) / 1000,
             (_calc(price_provider, model, 1000, 0, read=1000) or 0) / 1000,
             (_calc(price_provider, model, 1000, 0, write=1000) or 0) / 1000)
    for size in (50_000, 1_000_000):
        read, write = size // 2, size // 4
        probe = _calc(price_provider, model, size, size, read, write) or 0
        expected = ((size - read - write) * rates[0] + size * rates[1] + read * rates[2]
                    + write * rates[3])
        if abs(probe - expected) > 1e-9 + 1e-6 * expected:
            return None
    return rates
