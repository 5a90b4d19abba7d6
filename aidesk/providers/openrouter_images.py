"""OpenRouter's image models through chat completions (openai SDK).

Source: https://openrouter.ai/docs/guides/overview/multimodal/image-generation: a request to
`/chat/completions` with `modalities: ["image", "text"]` (and, for Gemini image models,
`image_config: {aspect_ratio}` among 1:1 2:3 3:2 3:4 4:3 4:5 5:4 9:16 16:9 21:9) answers an
assistant message whose `images` list holds `{type: "image_url", image_url: {url:
"data:image/png;base64,…"}}`; the openai SDK keeps that unknown field in
`message.model_extra["images"]`. One answer usually carries one image, so `count` images are
`count` requests. Usage carries OpenRouter's own `cost` (see openrouter.py).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from aidesk.errors import EmptyAnswer, MalformedResponse
from aidesk.i18n import _
from aidesk.providers.base import ProviderInfo, ProviderSettings, Usage
from aidesk.providers.media import (
    GeneratedImage,
    ImageRequest,
    ImageResult,
    image_mime,
    one_by_one,
)
from aidesk.providers.openrouter import OpenRouterProvider

# What OpenRouter's image_config takes (the page above): other aspects go unasked.
ASPECTS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")


class OpenRouterImages(OpenRouterProvider):
    async def generate_images(self, request: ImageRequest) -> ImageResult:
        async def make() -> tuple[GeneratedImage, Usage]:
            return await self._one(request)

        images, usages, _failures, note = await one_by_one(request.count, make)
        costs = [u.cost_usd for u in usages]
        total = Usage(prompt_tokens=sum(u.prompt_tokens for u in usages),
                      completion_tokens=sum(u.completion_tokens for u in usages),
                      cost_usd=(sum(c for c in costs if c is not None)
                                if all(c is not None for c in costs) else None),
                      known=all(u.known for u in usages))
        return ImageResult(tuple(images), request.model, total, note=note)

    async def _one(self, request: ImageRequest) -> tuple[GeneratedImage, Usage]:
        extra: dict[str, Any] = {"modalities": ["image", "text"]}
        if request.aspect_ratio in ASPECTS:
            extra["image_config"] = {"aspect_ratio": request.aspect_ratio}
        try:
            response = await self.client.chat.completions.create(
                model=request.model, messages=[{"role": "user", "content": request.prompt}],
                extra_body=extra)
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if not response.choices or response.choices[0].message is None:
            raise MalformedResponse(self.id, _("the answer has no choices"))
        message = response.choices[0].message
        usage = self.usage(response.usage)
        found = (message.model_extra or {}).get("images") or []
        urls = [item.get("image_url", {}).get("url") for item in found if isinstance(item, dict)]
        urls = [u for u in urls if isinstance(u, str)]
        if not urls:
            raise EmptyAnswer(self.id, _("no image in the answer, finish reason {reason}").format(
                reason=response.choices[0].finish_reason), usage=usage)
        return self._decode(urls[0]), usage

    def _decode(self, url: str) -> GeneratedImage:
        head, _comma, payload = url.partition(",")
        if not head.startswith("data:") or ";base64" not in head:
            raise MalformedResponse(self.id, _("the image is not a base64 data URL"))
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse(self.id, _("the image data is not valid base64")) from None
        mime = image_mime(data)
        if mime is None:
            raise MalformedResponse(self.id, _("the answer is not a PNG, JPEG or WebP image"))
        return GeneratedImage(data, mime, revised_prompt=None)


def build(settings: ProviderSettings, meta: ProviderInfo) -> OpenRouterImages:
    return OpenRouterImages(settings, meta)
