"""Anthropic (Claude): Messages API, SSE events, structured output through a forced tool call.

Sources: https://docs.anthropic.com/en/api/messages; usage with prompt caching
https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
(`input_tokens` excludes cache reads and writes); stream events and `event: error`
https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events, raised by the SDK as
a status error on the 200 response (anthropic/_streaming.py `Stream.__stream__`,
anthropic/_error_classes.py `make_status_error`); error types https://docs.anthropic.com/en/api/errors.
"""

from __future__ import annotations

import json
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
from aidesk.i18n import _
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
from aidesk.providers.common import (
    check_answer,
    http_timeout,
    is_out_of_credit,
    parse_structured,
    status_detail,
    transport_error,
)
from aidesk.providers.openai_compat import status_error

# An error body's `type` (https://docs.anthropic.com/en/api/errors) -> our error, for errors
# that arrive inside a 200 stream, where the status says nothing.
_BY_TYPE: dict[str, type[ProviderError]] = {
    "overloaded_error": ProviderUnavailable,
    "api_error": ProviderUnavailable,
    "timeout_error": ProviderTimeout,
    "rate_limit_error": RateLimited,
    "billing_error": OutOfCredits,
    "authentication_error": InvalidKey,
    "permission_error": InvalidKey,
    "not_found_error": ModelNotFound,
    "invalid_request_error": BadRequest,
    "request_too_large": BadRequest,
}


def usage_of(raw: Any, base: Usage | None = None) -> Usage:
    """Our Usage from an Anthropic `Usage` / `MessageDeltaUsage` (fields it lacks keep `base`).

    The whole prompt is input_tokens + cache_read_input_tokens + cache_creation_input_tokens."""
    base = base or Usage()
    read = getattr(raw, "cache_read_input_tokens", None)
    write = getattr(raw, "cache_creation_input_tokens", None)
    uncached = getattr(raw, "input_tokens", None)
    read = base.cached_tokens if read is None else read
    write = base.cache_write_tokens if write is None else write
    if uncached is None:
        uncached = base.prompt_tokens - base.cached_tokens - base.cache_write_tokens
    output = getattr(raw, "output_tokens", None)
    details = getattr(raw, "output_tokens_details", None)
    thinking = getattr(details, "thinking_tokens", None)
    return Usage(
        prompt_tokens=uncached + read + write,
        completion_tokens=base.completion_tokens if output is None else output,
        cached_tokens=read,
        reasoning_tokens=base.reasoning_tokens if thinking is None else thinking,
        cache_write_tokens=write,
    )


class AnthropicProvider:
    def __init__(self, settings: ProviderSettings, meta: ProviderInfo) -> None:
        import anthropic

        self.id = settings.provider
        self._sdk = anthropic
        self.client = anthropic.AsyncAnthropic(
            api_key=settings.api_key,
            base_url=settings.base_url or meta.default_base_url,
            max_retries=0,
            timeout=http_timeout(settings),
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
        usage = usage_of(message.usage)
        text = "".join(text_parts)
        if request.schema is not None and tool_input is not None:
            text = json.dumps(tool_input, ensure_ascii=False)
        check_answer(self.id, text, message.stop_reason, usage)
        if request.schema is not None and tool_input is None:
            raise MalformedResponse(self.id, _("the model did not return the structured answer"),
                                    usage=usage)
        data = None
        if request.schema is not None:
            data = parse_structured(self.id, text, request.schema, usage=usage)
        return Completion(text, message.model or request.model, usage, message.stop_reason, data)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        if request.schema is not None:
            # Tool input arrives as partial JSON; the whole object is only useful at the end.
            completion = await self.generate(request)
            yield TextDelta(completion.text)
            yield StreamDone(completion)
            return
        parts: list[str] = []
        usage = Usage()
        model, stop_reason, finished = request.model, None, False
        try:
            stream = await self.client.messages.create(**self.request_args(request), stream=True)
            async with stream:
                async for event in stream:
                    if event.type == "message_start":
                        model = event.message.model or model
                        usage = usage_of(event.message.usage)
                    elif event.type == "content_block_delta" and event.delta.type == "text_delta":
                        parts.append(event.delta.text)
                        yield TextDelta(event.delta.text)
                    elif event.type == "message_delta":
                        stop_reason = event.delta.stop_reason or stop_reason
                        usage = usage_of(event.usage, usage)  # cumulative counts
                    elif event.type == "message_stop":
                        finished = True
        except ProviderError:
            raise
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if not finished:
            raise MalformedResponse(self.id, _("the stream ended before the answer was complete"))
        text = "".join(parts)
        check_answer(self.id, text, stop_reason, usage)
        yield StreamDone(Completion(text, model, usage, stop_reason))

    def map_error(self, exc: BaseException, model: str) -> ProviderError:
        sdk = self._sdk
        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderTimeout(self.id, _("no answer in time"))
        if isinstance(exc, sdk.APIConnectionError):
            cause = exc.__cause__ or exc
            return transport_error(self.id, cause) or MalformedResponse(self.id, str(exc))
        if isinstance(exc, sdk.APIStatusError) and exc.status_code >= 400:
            if exc.status_code == 529:
                return ProviderUnavailable(self.id, _("overloaded"), status=529)
            return status_error(self.id, exc.status_code, exc.body, exc.response.headers, model)
        if isinstance(exc, sdk.APIError):
            # `event: error` inside a stream: the SDK raises it with the 200 of the stream, so
            # only the error body's `type` says what happened.
            return self.error_by_type(exc.body, model)
        mapped = transport_error(self.id, exc)
        if mapped is not None:
            return mapped
        if isinstance(exc, ValueError):
            return MalformedResponse(self.id, str(exc)[:300])
        raise exc

    def error_by_type(self, body: object, model: str) -> ProviderError:
        error = body.get("error") if isinstance(body, dict) else None
        kind = str(error.get("type") or "") if isinstance(error, dict) else ""
        detail = status_detail(body) or kind or "error event in the stream"
        if is_out_of_credit(detail):
            return OutOfCredits(self.id, detail)
        cls = _BY_TYPE.get(kind, ProviderUnavailable)
        if cls is RateLimited:
            return RateLimited(self.id, detail)
        if cls is ModelNotFound:
            return ModelNotFound(self.id, detail, model=model)
        return cls(self.id, detail)


def build(settings: ProviderSettings, meta: ProviderInfo) -> AnthropicProvider:
    return AnthropicProvider(settings, meta)
