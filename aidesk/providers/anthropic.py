"""Anthropic (Claude): Messages API, SSE events, structured output through a forced tool call."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from aidesk.errors import (
    MalformedResponse,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
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
from aidesk.providers.common import parse_structured, transport_error
from aidesk.providers.openai_compat import status_error


class AnthropicProvider:
    def __init__(self, settings: ProviderSettings, meta: ProviderInfo) -> None:
        import anthropic

        self.id = settings.provider
        self._sdk = anthropic
        self.client = anthropic.AsyncAnthropic(
            api_key=settings.api_key,
            base_url=settings.base_url or meta.default_base_url,
            max_retries=0,
            timeout=settings.timeout_s,
        )

    async def aclose(self) -> None:
        await self.client.close()

    async def list_models(self) -> list[ModelInfo]:
        try:
            page = await self.client.models.list(limit=100)
            return sorted((ModelInfo(m.id, m.display_name or m.id) for m in page.data),
                          key=lambda m: m.id)
        except Exception as exc:
            raise self.map_error(exc, "") from None

    def request_args(self, request: ChatRequest) -> dict[str, Any]:
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        args: dict[str, Any] = {
            "model": request.model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": m.role, "content": m.content}
                for m in request.messages if m.role != "system"
            ],
        }
        if system:
            args["system"] = system
        if request.temperature is not None:
            args["temperature"] = request.temperature
        if request.schema is not None:
            args["tools"] = [{
                "name": request.schema.name,
                "description": f"Return the answer as a {request.schema.name} object.",
                "input_schema": request.schema.schema,
            }]
            args["tool_choice"] = {"type": "tool", "name": request.schema.name}
        return args

    async def generate(self, request: ChatRequest) -> Completion:
        try:
            message = await self.client.messages.create(**self.request_args(request))
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        text_parts: list[str] = []
        tool_input: Any = None
        for block in message.content or []:
            if block.type == "text":
                text_parts.append(block.text)
            elif block.type == "tool_use":
                tool_input = block.input
        if request.schema is not None:
            if tool_input is None:
                raise MalformedResponse(self.id, "the model did not return the structured answer")
            text = json.dumps(tool_input, ensure_ascii=False)
        else:
            text = "".join(text_parts)
        usage = Usage(
            prompt_tokens=message.usage.input_tokens or 0,
            completion_tokens=message.usage.output_tokens or 0,
            cached_tokens=message.usage.cache_read_input_tokens or 0,
        )
        data = parse_structured(self.id, text, request.schema) if request.schema else None
        return Completion(text, message.model or request.model, usage, message.stop_reason, data)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        if request.schema is not None:
            # Tool input arrives as partial JSON; the whole object is only useful at the end.
            completion = await self.generate(request)
            yield TextDelta(completion.text)
            yield StreamDone(completion)
            return
        parts: list[str] = []
        prompt_tokens = completion_tokens = cached = 0
        model, stop_reason, finished = request.model, None, False
        try:
            stream = await self.client.messages.create(**self.request_args(request), stream=True)
            async with stream:
                async for event in stream:
                    if event.type == "message_start":
                        model = event.message.model or model
                        prompt_tokens = event.message.usage.input_tokens or 0
                        cached = event.message.usage.cache_read_input_tokens or 0
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        parts.append(event.delta.text)
                        yield TextDelta(event.delta.text)
                    elif event.type == "message_delta":
                        stop_reason = event.delta.stop_reason or stop_reason
                        completion_tokens = event.usage.output_tokens or completion_tokens
                    elif event.type == "message_stop":
                        finished = True
        except ProviderError:
            raise
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if not finished:
            raise MalformedResponse(self.id, "the stream ended before the answer was complete")
        usage = Usage(prompt_tokens, completion_tokens, cached_tokens=cached)
        yield StreamDone(Completion("".join(parts), model, usage, stop_reason))

    def map_error(self, exc: BaseException, model: str) -> ProviderError:
        sdk = self._sdk
        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderTimeout(self.id, "no answer in time")
        if isinstance(exc, sdk.APIConnectionError):
            cause = exc.__cause__ or exc
            return transport_error(self.id, cause) or MalformedResponse(self.id, str(exc))
        if isinstance(exc, sdk.APIStatusError):
            if exc.status_code == 529:
                return ProviderUnavailable(self.id, "overloaded", status=529)
            return status_error(self.id, exc.status_code, exc.body, exc.response.headers, model)
        if isinstance(exc, sdk.APIError):
            # An `event: error` inside a stream: the body says which kind.
            body = getattr(exc, "body", None)
            kind = body.get("error", {}).get("type") if isinstance(body, dict) else None
            status = {"overloaded_error": 529, "rate_limit_error": 429, "api_error": 500}
            if kind == "overloaded_error":
                return ProviderUnavailable(self.id, "overloaded", status=529)
            return status_error(self.id, status.get(kind or "", 500), body, None, model)
        mapped = transport_error(self.id, exc)
        if mapped is not None:
            return mapped
        if isinstance(exc, ValueError):
            return MalformedResponse(self.id, str(exc)[:300])
        raise exc


def build(settings: ProviderSettings, meta: ProviderInfo) -> AnthropicProvider:
    return AnthropicProvider(settings, meta)
