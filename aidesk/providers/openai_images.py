"""OpenAI image generation through the openai SDK (`client.images.generate`).

Sources: https://platform.openai.com/docs/api-reference/images/create and the installed SDK:
openai/types/image_generate_params.py (`model` one of the `ImageModel` literal, e.g.
gpt-image-1-mini, gpt-image-1.5, gpt-image-2, gpt-image-2.5-flare; "gpt-image-1 was shut down
on October 23, 2026", dall-e-2/3 retired May 12, 2026; `n` 1–10; `size` 1024x1024, 1536x1024,
1024x1536 or auto; `output_format` png | webp | jpeg; `response_format` is for the retired
models only: "GPT image models … always return base64-encoded images"),
openai/types/images_response.py (`data[].b64_json`, `revised_prompt`, and `usage` with
input/output tokens and their text/image split, which the price depends on).
A prompt the safety system refuses is 400 `moderation_blocked` (type
`image_generation_user_error`, reported verbatim in jeffstric/ZJT#480): a moderation refusal
another provider may not share, so it falls back.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aidesk.errors import MalformedResponse, Moderated, ProviderError
from aidesk.i18n import _
from aidesk.providers.base import UNKNOWN_USAGE, ProviderInfo, ProviderSettings, Usage
from aidesk.providers.media import GeneratedImage, ImageRequest, ImageResult, image_mime
from aidesk.providers.openai_compat import OpenAICompatProvider, map_openai_error

_MODERATION_CODES = ("moderation_blocked", "content_policy_violation")


class OpenAIImages(OpenAICompatProvider):
    async def generate_images(self, request: ImageRequest) -> ImageResult:
        try:
            response = await self.client.images.generate(
                model=request.model, prompt=request.prompt, n=request.count, size=request.size,
                output_format=request.output_format)
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        images = tuple(self._image(item) for item in response.data or ())
        if not images:
            raise MalformedResponse(self.id, _("the answer has no images"))
        usage, billing = token_usage(response.usage)
        return ImageResult(images, request.model, usage, billing)

    def _image(self, item: Any) -> GeneratedImage:
        if not item.b64_json:  # a URL answer belongs to the retired DALL·E models
            raise MalformedResponse(self.id, _("the answer has no image data"))
        try:
            data = base64.b64decode(item.b64_json, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse(self.id, _("the image data is not valid base64")) from None
        mime = image_mime(data)
        if mime is None:
            raise MalformedResponse(self.id, _("the answer is not a PNG, JPEG or WebP image"))
        return GeneratedImage(data, mime, revised_prompt=item.revised_prompt or None)

    def map_error(self, exc: BaseException, model: str) -> ProviderError:
        import openai

        if isinstance(exc, openai.APIStatusError):
            body = exc.body if isinstance(exc.body, dict) else {}
            error = body.get("error", body)
            code = str(error.get("code") or "") if isinstance(error, dict) else ""
            if code in _MODERATION_CODES:
                message = str(error.get("message") or "") if isinstance(error, dict) else ""
                return Moderated(self.id, message, status=exc.status_code)
        return map_openai_error(self.id, exc, model)


def token_usage(raw: Any) -> tuple[Usage, dict[str, float]]:
    """The tokens of an images response, and the same under genai-prices' names (text input,
    image output: what the GPT image models price apart)."""
    if raw is None:
        return UNKNOWN_USAGE, {}
    input_tokens, output_tokens = int(raw.input_tokens or 0), int(raw.output_tokens or 0)
    details_in = getattr(raw, "input_tokens_details", None)
    details_out = getattr(raw, "output_tokens_details", None)
    billing: dict[str, float] = {"input_tokens": input_tokens, "output_tokens": output_tokens}
    if details_in is not None:
        billing["input_text_tokens"] = int(details_in.text_tokens or 0)
        billing["input_image_tokens"] = int(details_in.image_tokens or 0)
    # Without the output split, every output token of a text-to-image call is an image token.
    image_out = getattr(details_out, "image_tokens", None) if details_out is not None else None
    billing["output_image_tokens"] = int(image_out if image_out is not None else output_tokens)
    return Usage(prompt_tokens=input_tokens, completion_tokens=output_tokens), billing


def build(settings: ProviderSettings, meta: ProviderInfo) -> OpenAIImages:
    return OpenAIImages(settings, meta)
