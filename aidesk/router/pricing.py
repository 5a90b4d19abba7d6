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
    if price_provider is None or not _known(price_provider, model):
        return None
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    cached = min(usage.cached_tokens, usage.prompt_tokens)
    price = calc_price(
        PriceUsage(input_tokens=usage.prompt_tokens, output_tokens=usage.completion_tokens,
                   cache_read_tokens=cached or None),
        model_ref=model, provider_id=price_provider,
    )
    return float(price.total_price)


def estimate_usd(provider: str, model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """Upper estimate used to reserve budget before a call; 0 when the price is unknown."""
    return cost_usd(provider, model, Usage(prompt_tokens, completion_tokens)) or 0.0


@lru_cache(maxsize=256)
def _known(price_provider: str, model: str) -> bool:
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    try:
        calc_price(PriceUsage(input_tokens=1), model_ref=model, provider_id=price_provider)
    except LookupError:
        log.warning("No price known for %s model %s: its cost is recorded as unknown (NULL).",
                    price_provider, model)
        return False
    return True
