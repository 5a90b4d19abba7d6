"""OpenAI and the servers that speak its API: Groq, local servers; the base of OpenRouter.

Sources: https://platform.openai.com/docs/api-reference/chat/create and the openai SDK
(openai/types/chat/completion_create_params.py: `max_tokens` is deprecated and "not compatible
with o-series models", `max_completion_tokens` bounds visible and reasoning tokens);
https://platform.openai.com/docs/guides/reasoning (o-series and gpt-5 refuse `max_tokens` and a
non-default `temperature`: 400 unsupported_parameter / unsupported_value);
https://console.groq.com/docs/api-reference#chat-create (Groq takes `max_completion_tokens`,
`max_tokens` deprecated); OpenRouter https://openrouter.ai/docs/api-reference/parameters and
Ollama https://github.com/ollama/ollama/blob/main/docs/openai.md document `max_tokens`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

from aidesk.errors import (
    BadRequest,
    InvalidKey,
    MalformedResponse,
    ModelNotFound,
    Moderated,
    OutOfCredits,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    Unsupported,
)
from aidesk.i18n import _
from aidesk.providers.base import (
    UNKNOWN_USAGE,
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
    is_capability_refusal,
    is_out_of_credit,
    parse_structured,
    retry_after,
    status_detail,
    transport_error,
)
from aidesk.providers.strict_schema import strict_schema

LOCAL_PLACEHOLDER_KEY = "local-no-key"
# Where the output limit goes: OpenAI proper and Groq document `max_completion_tokens`;
# OpenRouter and the local servers document `max_tokens`.
_MAX_TOKENS_PARAM = {"openai": "max_completion_tokens", "groq": "max_completion_tokens"}
_REASONING_MODEL = re.compile(r"^(o\d|gpt-5)")


def is_reasoning_model(model: str) -> bool:
    """OpenAI's o-series (o1, o3, o4-mini, ...) and gpt-5 family."""
    return bool(_REASONING_MODEL.match(model))


class OpenAICompatProvider:
    def __init__(self, settings: ProviderSettings, meta: ProviderInfo) -> None:
        import openai

        self.id = settings.provider
        self._openai = openai
        self.client = openai.AsyncOpenAI(
            api_key=settings.api_key or LOCAL_PLACEHOLDER_KEY,
            base_url=settings.base_url or meta.default_base_url,
            max_retries=0,
            timeout=http_timeout(settings),
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
            _MAX_TOKENS_PARAM.get(self.id, "max_tokens"): request.max_tokens,
        }
        if request.temperature is not None and not self.reasoning(request.model):
            args["temperature"] = request.temperature
        if request.schema is not None:
            spec: dict[str, Any] = {"name": request.schema.name, "schema": request.schema.schema}
            if self.strict:
                # Without strict the schema is only a hint the model may break.
                spec = {"name": request.schema.name, "strict": True,
                        "schema": strict_schema(request.schema.schema)}
            args["response_format"] = {"type": "json_schema", "json_schema": spec}
        return args

    @property
    def strict(self) -> bool:
        """OpenAI proper gets strict structured output."""
        return self.id == "openai"

    def reasoning(self, model: str) -> bool:
        return self.id == "openai" and is_reasoning_model(model)

    async def generate(self, request: ChatRequest) -> Completion:
        try:
            response = await self.client.chat.completions.create(**self.request_args(request))
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if not response.choices or response.choices[0].message is None:
            raise MalformedResponse(self.id, _("the answer has no choices"))
        choice = response.choices[0]
        text = choice.message.content or ""
        usage = self.usage(response.usage) if response.usage is not None else UNKNOWN_USAGE
        return self.finish(request, text, response.model, usage, choice.finish_reason)

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
        if finish is None:
            raise MalformedResponse(self.id, _("the stream ended before the answer was complete"))
        # A finished stream without a usage chunk: a server that ignores
        # stream_options.include_usage (Ollama before 0.5.2, some LM Studio builds).
        yield StreamDone(self.finish(request, "".join(parts), model, usage or UNKNOWN_USAGE,
                                     finish))

    def check_chunk(self, chunk: Any) -> None:
        """Hook for providers that report errors inside a 200 stream."""

    def finish(
        self, request: ChatRequest, text: str, model: str, usage: Usage, finish: str | None
    ) -> Completion:
        check_answer(self.id, text, finish, usage)
        data = None
        if request.schema is not None:
            data = parse_structured(self.id, text, request.schema, usage=usage,
                                    strict=self.strict)
        return Completion(text=text, model=model or request.model, usage=usage,
                          finish_reason=finish, data=data)

    def usage(self, raw: Any) -> Usage:
        """`prompt_tokens` already includes `prompt_tokens_details.cached_tokens` and
        `completion_tokens` the `reasoning_tokens` (openai/types/completion_usage.py)."""
        if raw is None:
            return UNKNOWN_USAGE
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
        return ProviderTimeout(provider, _("no answer in time"))
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
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "")
    kind = str(error.get("type") or "")
    if status == 403 and provider == "openrouter":
        # OpenRouter's 403 is a moderation refusal, never a bad key (401 is the bad key).
        metadata = error.get("metadata")
        reasons = metadata.get("reasons") if isinstance(metadata, dict) else None
        why = ", ".join(str(r) for r in reasons) if isinstance(reasons, list) else ""
        return Moderated(provider, why or detail, status=status)
    if status in (401, 403):
        return InvalidKey(provider, detail, status=status)
    if (status == 402 or "insufficient_quota" in (code, kind) or kind == "billing_error"
            or is_out_of_credit(detail)):
        return OutOfCredits(provider, detail, status=status)
    refused_param = code in ("unsupported_parameter", "unsupported_value")
    if status in (400, 404, 422) and (refused_param or is_capability_refusal(detail)):
        return Unsupported(provider, detail, status=status)
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
