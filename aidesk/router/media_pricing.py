"""What image and transcription calls cost (US$), and the estimate a limit reservation holds.

- OpenAI images bill tokens: the images response's `usage` {input_tokens,
  input_tokens_details{text_tokens, image_tokens}, output_tokens, output_tokens_details
  {image_tokens}} (openai/types/images_response.py), priced by genai-prices (each GPT image
  model's text and image token rates, e.g. gpt-image-1.5's output_image_mtok).
- OpenRouter reports its own `usage.cost` for every answer (https://openrouter.ai/docs/
  use-cases/usage-accounting): that figure is taken as it is.
- Stability bills credits per successful image, 1 credit = US$0.01 (https://platform.
  stability.ai/pricing; "1,000 credits for $10"): Core 3 credits and the SD 3.5 family
  (Large 6.5, Large Turbo 4, Medium 3.5, Flash 2.5) as its v2beta reference states for each
  endpoint ("Flat rate of 3 credits per successful generation"), Ultra 8 credits
  (platform.stability.ai/pricing, as summarised in developer.puter.com/tutorials/
  stability-ai-api-pricing, June 2026). Failed generations are not charged; a blurred
  (CONTENT_FILTERED) one is.
- Transcription bills the audio's duration (whisper-1 US$0.006/min, gpt-transcribe
  US$0.0045/min, Groq whisper-large-v3 US$0.111/h and -turbo US$0.04/h with a 10 s minimum)
  or tokens (gpt-4o-transcribe, gpt-4o-mini-transcribe: audio input and text output tokens):
  all of it is in genai-prices, which gets the `audio_seconds` or token counts the provider
  reported.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from aidesk.providers.base import Usage
from aidesk.router.pricing import PRICE_PROVIDER

log = logging.getLogger(__name__)

USD_PER_CREDIT = 0.01
STABILITY_CREDITS = {"core": 3.0, "ultra": 8.0, "sd3.5-large": 6.5, "sd3.5-large-turbo": 4.0,
                     "sd3.5-medium": 3.5, "sd3.5-flash": 2.5}
# Upper estimates for a reservation, before the provider says what it used:
OPENAI_IMAGE_TOKENS = 6240  # the most output tokens one GPT image takes (high, 1536x1024;
#   https://platform.openai.com/docs/guides/image-generation "Cost and latency")
OPENROUTER_IMAGE_TOKENS = 1290  # Gemini image output per image (1024x1024)
AUDIO_BYTES_PER_SECOND = 16_000  # 128 kbit/s compressed audio: an upper duration for mp3/m4a
# Per-minute figures OpenAI publishes for its token-billed transcription models, for the
# estimate only (https://platform.openai.com/docs/pricing, "Transcription": estimated cost).
TOKEN_MODEL_USD_PER_MINUTE = {"gpt-4o-transcribe": 0.006, "gpt-4o-mini-transcribe": 0.003}


def image_cost(provider: str, model: str, usage: Usage, billing: Mapping[str, float]
               ) -> float | None:
    """The real cost of an image call, or None when no price is known."""
    if usage.cost_usd is not None:
        return usage.cost_usd
    if provider == "stability":
        credits = STABILITY_CREDITS.get(model)
        return None if credits is None else credits * USD_PER_CREDIT * billing.get("images", 0)
    return _priced(provider, model, billing)


def transcription_cost(provider: str, model: str, usage: Usage,
                       billing: Mapping[str, float]) -> float | None:
    if usage.cost_usd is not None:
        return usage.cost_usd
    return _priced(provider, model, billing)


def image_estimate(provider: str, model: str, prompt: str, count: int) -> tuple[int, float]:
    """(tokens, US$) to reserve before an image call: an upper figure."""
    prompt_tokens = math.ceil(len(prompt) / 3) + 8
    if provider == "stability":
        return 0, STABILITY_CREDITS.get(model, 8.0) * USD_PER_CREDIT * count
    per_image = OPENAI_IMAGE_TOKENS if provider == "openai" else OPENROUTER_IMAGE_TOKENS
    output = per_image * count
    cost = _priced(provider, model, {"input_tokens": prompt_tokens,
                                     "input_text_tokens": prompt_tokens,
                                     "output_tokens": output, "output_image_tokens": output})
    return prompt_tokens + output, cost or 0.0


def transcription_estimate(provider: str, model: str, audio_bytes: int) -> tuple[int, float]:
    """(tokens, US$) to reserve before a transcription: tokens are only known afterwards (0
    here); the cost as if the file were 128 kbit/s audio, an upper bound for mp3/m4a/ogg."""
    seconds = max(audio_bytes / AUDIO_BYTES_PER_SECOND, 1.0)
    per_minute = TOKEN_MODEL_USD_PER_MINUTE.get(model)
    if per_minute is not None:
        return 0, per_minute * seconds / 60
    return 0, _priced(provider, model, {"audio_seconds": seconds}) or 0.0


def _priced(provider: str, model: str, billing: Mapping[str, float]) -> float | None:
    """genai-prices' figure for what the provider reported (its usage names), or None."""
    price_provider = PRICE_PROVIDER.get(provider)
    values = {k: v for k, v in billing.items() if k != "images" and v}
    if price_provider is None or not values:
        return None
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    try:
        price = calc_price(PriceUsage(**values), model_ref=model, provider_id=price_provider)
    except LookupError:
        log.warning("No price known for %s model %s: its cost is recorded as unknown (NULL).",
                    price_provider, model)
        return None
    return float(price.total_price)
