"""OpenRouter: the OpenAI API plus its own cost in the usage, /key and in-stream errors."""

from __future__ import annotations

from typing import Any

from aidesk.errors import MalformedResponse
from aidesk.providers.base import ModelInfo, ProviderInfo, ProviderSettings, Usage
from aidesk.providers.openai_compat import OpenAICompatProvider, status_error


class OpenRouterProvider(OpenAICompatProvider):
    def extra_headers(self, settings: ProviderSettings) -> dict[str, str]:
        return {"HTTP-Referer": "https://aidesk.app", "X-Title": "AIDesk"}

    async def list_models(self) -> list[ModelInfo]:
        # /models answers without a key, so a connection test must also ask /key.
        try:
            await self.client.get("/key", cast_to=object)
        except Exception as exc:
            raise self.map_error(exc, "") from None
        return await super().list_models()

    def usage(self, raw: Any) -> Usage:
        base = super().usage(raw)
        cost = getattr(raw, "cost", None)
        if cost is None and raw is not None and raw.model_extra:
            cost = raw.model_extra.get("cost")
        if cost is None or not base.known:
            return base
        return Usage(base.prompt_tokens, base.completion_tokens, base.cached_tokens,
                     base.reasoning_tokens, cost_usd=float(cost))

    def check_chunk(self, chunk: Any) -> None:
        error = (chunk.model_extra or {}).get("error")
        if not error:
            return
        if isinstance(error, dict):
            code = error.get("code")
            status = code if isinstance(code, int) else 500
            raise status_error(self.id, status, {"error": error}, None, chunk.model or "")
        raise MalformedResponse(self.id, str(error))


def build(settings: ProviderSettings, meta: ProviderInfo) -> OpenRouterProvider:
    return OpenRouterProvider(settings, meta)
