"""OpenAI and the servers that speak its API: Groq, local servers; the base of OpenRouter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aidesk.errors import (
    BadRequest,
    InvalidKey,
    MalformedResponse,
    ModelNotFound,
    OutOfCredits,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from aidesk.providers.base import (
    ChatRequest,
    Completion,
    ModelInfo,
    ProviderInfo,
    ProviderSettings,
    StreamDone,
    StreamEvent,
    TextDelta,
    Usage,
)
from aidesk.providers.common import parse_structured, retry_after, status_detail, transport_error

LOCAL_PLACEHOLDER_KEY = "local-no-key"


class OpenAICompatProvider:
    def __init__(self, settings: ProviderSettings, meta: ProviderInfo) -> None:
        import openai

        self.id = settings.provider
        self._openai = openai
        self.client = openai.AsyncOpenAI(
            api_key=settings.api_key or LOCAL_PLACEHOLDER_KEY,
            base_url=settings.base_url or meta.default_base_url,
            max_retries=0,
            timeout=settings.timeout_s,
            default_headers=self.extra_headers(settings),
        )

    def extra_headers(self, settings: ProviderSettings) -> dict[str, str]:
        return {}

    async def aclose(self) -> None:
        await self.client.close()

    async def list_models(self) -> list[ModelInfo]:
        try:
            page = await self.client.models.list()
            return sorted((ModelInfo(m.id, m.id) for m in page.data), key=lambda m: m.id)
        except Exception as exc:
            raise self.map_error(exc, "") from None

    def request_args(self, request: ChatRequest) -> dict[str, Any]:
        args: dict[str, Any] = {
            "model": request.model,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "max_tokens": request.max_tokens,
        }
        if request.temperature is not None:
            args["temperature"] = request.temperature
        if request.schema is not None:
            args["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": request.schema.name, "schema": request.schema.schema},
            }
        return args

    async def generate(self, request: ChatRequest) -> Completion:
        try:
            response = await self.client.chat.completions.create(**self.request_args(request))
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if not response.choices or response.choices[0].message is None:
            raise MalformedResponse(self.id, "the answer has no choices")
        choice = response.choices[0]
        text = choice.message.content or ""
        return self.finish(request, text, response.model, self.usage(response.usage),
                           choice.finish_reason)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        args = self.request_args(request) | {
            "stream": True, "stream_options": {"include_usage": True},
        }
        parts: list[str] = []
        usage: Usage | None = None
        model = request.model
        finish: str | None = None
        try:
            stream = await self.client.chat.completions.create(**args)
            async with stream:
                async for chunk in stream:
                    self.check_chunk(chunk)
                    model = chunk.model or model
                    if chunk.usage is not None:
                        usage = self.usage(chunk.usage)
                    for choice in chunk.choices:
                        finish = choice.finish_reason or finish
                        if choice.delta and choice.delta.content:
                            parts.append(choice.delta.content)
                            yield TextDelta(choice.delta.content)
        except ProviderError:
            raise
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if finish is None or usage is None:
            raise MalformedResponse(self.id, "the stream ended before the answer was complete")
        yield StreamDone(self.finish(request, "".join(parts), model, usage, finish))

    def check_chunk(self, chunk: Any) -> None:
        """Hook for providers that report errors inside a 200 stream."""

    def finish(
        self, request: ChatRequest, text: str, model: str, usage: Usage, finish: str | None
    ) -> Completion:
        data = parse_structured(self.id, text, request.schema) if request.schema else None
        return Completion(text=text, model=model or request.model, usage=usage,
                          finish_reason=finish, data=data)

    def usage(self, raw: Any) -> Usage:
        if raw is None:
            return Usage()
        cached = getattr(getattr(raw, "prompt_tokens_details", None), "cached_tokens", 0)
        reasoning = getattr(getattr(raw, "completion_tokens_details", None), "reasoning_tokens", 0)
        return Usage(
            prompt_tokens=raw.prompt_tokens or 0,
            completion_tokens=raw.completion_tokens or 0,
            cached_tokens=cached or 0,
            reasoning_tokens=reasoning or 0,
        )

    def map_error(self, exc: BaseException, model: str) -> ProviderError:
        return map_openai_error(self.id, exc, model)


def map_openai_error(provider: str, exc: BaseException, model: str) -> ProviderError:
    import openai

    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return ProviderTimeout(provider, "no answer in time")
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc
        return transport_error(provider, cause) or transport_error(provider, exc) or (
            MalformedResponse(provider, str(exc))
        )
    if isinstance(exc, openai.APIStatusError):
        return status_error(provider, exc.status_code, exc.body, exc.response.headers, model)
    if isinstance(exc, openai.APIResponseValidationError | ValueError):
        return MalformedResponse(provider, str(exc)[:300])
    if isinstance(exc, openai.APIError):
        # An error object inside a 200 stream (OpenRouter): its code is the HTTP status.
        body = exc.body if isinstance(exc.body, dict) else {}
        code = body.get("code")
        return status_error(provider, code if isinstance(code, int) else 500, body, None, model)
    mapped = transport_error(provider, exc)
    if mapped is not None:
        return mapped
    raise exc


def status_error(
    provider: str, status: int, body: object, headers: Any, model: str
) -> ProviderError:
    detail = status_detail(body)
    error = body.get("error", body) if isinstance(body, dict) else None
    code = str(error.get("code") or error.get("type") or "") if isinstance(error, dict) else ""
    if status in (401, 403):
        return InvalidKey(provider, detail, status=status)
    if status == 402 or code == "insufficient_quota":
        return OutOfCredits(provider, detail, status=status)
    if status == 404:
        return ModelNotFound(provider, detail, model=model, status=status)
    if status == 429:
        return RateLimited(provider, detail, retry_after=retry_after(headers), status=status)
    if status in (408, 504):
        return ProviderTimeout(provider, detail, status=status)
    if status >= 500 or status == 498:
        return ProviderUnavailable(provider, detail, status=status)
    return BadRequest(provider, detail, status=status)


def build(settings: ProviderSettings, meta: ProviderInfo) -> OpenAICompatProvider:
    return OpenAICompatProvider(settings, meta)
