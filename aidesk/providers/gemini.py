"""Google Gemini through google-genai (the successor of the end-of-life google-generativeai).

Sources: https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse (finish
reasons, `promptFeedback.blockReason`, UsageMetadata: `promptTokenCount` includes
`cachedContentTokenCount`, `thoughtsTokenCount` is billed output); google-genai
google/genai/types.py `FinishReason`, `BlockedReason`; rate limits and quotas
https://ai.google.dev/gemini-api/docs/rate-limits; timeouts: google/genai/_api_client.py
`BaseApiClient._build_request` turns `HttpOptions.timeout` (ms) into one httpx timeout for every
phase, so a transport sets the connect and read timeouts apart (`HttpOptions.async_client_args`).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from aidesk.errors import (
    ContentFiltered,
    InvalidKey,
    MalformedResponse,
    OutOfCredits,
    ProviderError,
    RateLimited,
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
    is_out_of_credit,
    parse_structured,
    transport_error,
)
from aidesk.providers.openai_compat import status_error

if TYPE_CHECKING:
    import httpx2

API_VERSION = "v1beta"
_NO_QUOTA = re.compile(r"limit: 0\b")


def phase_timeouts(settings: ProviderSettings) -> httpx2.AsyncBaseTransport:
    """A transport that gives every request our connect and read timeouts.

    google-genai passes its single `HttpOptions.timeout` to each request, which httpx applies to
    connect, read, write and pool alike; the request's timeout extension is set here instead."""
    import httpx2

    class PhaseTimeouts(httpx2.AsyncHTTPTransport):
        timeouts = http_timeout(settings).as_dict()

        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            request.extensions = {**request.extensions, "timeout": self.timeouts}
            return await super().handle_async_request(request)

    return PhaseTimeouts()


class GeminiProvider:
    def __init__(self, settings: ProviderSettings, meta: ProviderInfo) -> None:
        from google import genai
        from google.genai import types

        self.id = settings.provider
        self._genai = genai
        self._types = types
        # The client must outlive every call: a collected client closes its connection pool.
        self.client = genai.Client(
            api_key=settings.api_key,
            http_options=types.HttpOptions(
                base_url=settings.base_url or meta.default_base_url,
                api_version=API_VERSION,
                timeout=int(settings.timeout_s * 1000),
                async_client_args={"transport": phase_timeouts(settings)},
            ),
        )

    async def aclose(self) -> None:
        await self.client.aio.aclose()
        self.client.close()

    async def list_models(self) -> list[ModelInfo]:
        try:
            pager = await self.client.aio.models.list(config={"page_size": 100})
            models = [
                ModelInfo((m.name or "").removeprefix("models/"), m.display_name or "")
                async for m in pager
                if "generateContent" in (m.supported_actions or ["generateContent"])
            ]
        except Exception as exc:
            raise self.map_error(exc, "") from None
        return sorted(models, key=lambda m: m.id)

    def request_args(self, request: ChatRequest) -> dict[str, Any]:
        types = self._types
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        contents = [
            types.Content(role="model" if m.role == "assistant" else "user",
                          parts=[types.Part(text=m.content)])
            for m in request.messages if m.role != "system"
        ]
        config = types.GenerateContentConfig(
            system_instruction=system or None,
            max_output_tokens=request.max_tokens,
            temperature=request.temperature,
        )
        if request.schema is not None:
            config.response_mime_type = "application/json"
            config.response_json_schema = request.schema.schema
        return {"model": request.model, "contents": contents, "config": config}

    async def generate(self, request: ChatRequest) -> Completion:
        try:
            response = await self.client.aio.models.generate_content(**self.request_args(request))
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        usage = self.usage(response.usage_metadata)
        self.check_blocked(response, usage)
        if not response.candidates:
            raise MalformedResponse(self.id, _("the answer has no candidates"), usage=usage)
        text = candidate_text(response)
        finish = finish_of(response)
        check_answer(self.id, text, finish, usage)
        data = None
        if request.schema is not None:
            data = parse_structured(self.id, text, request.schema, usage=usage)
        return Completion(text, response.model_version or request.model, usage, finish, data)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]:
        parts: list[str] = []
        usage_meta: Any = None
        finish: str | None = None
        model = request.model
        try:
            chunks = await self.client.aio.models.generate_content_stream(
                **self.request_args(request)
            )
            async for chunk in chunks:
                usage_meta = chunk.usage_metadata or usage_meta
                model = chunk.model_version or model
                self.check_blocked(chunk, self.usage(usage_meta))
                finish = finish_of(chunk) or finish
                text = candidate_text(chunk)
                if text:
                    parts.append(text)
                    yield TextDelta(text)
        except ProviderError:
            raise
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if finish is None or usage_meta is None:
            raise MalformedResponse(self.id, _("the stream ended before the answer was complete"))
        text = "".join(parts)
        usage = self.usage(usage_meta)
        check_answer(self.id, text, finish, usage)
        data = None
        if request.schema is not None:
            data = parse_structured(self.id, text, request.schema, usage=usage)
        yield StreamDone(Completion(text, model, usage, finish, data))

    def check_blocked(self, response: Any, usage: Usage) -> None:
        """A blocked prompt has no candidates, only `promptFeedback.blockReason`."""
        feedback = response.prompt_feedback
        reason = feedback.block_reason if feedback is not None else None
        if reason is not None:
            name = str(getattr(reason, "value", reason))
            raise ContentFiltered(self.id, _("prompt blocked: {reason}").format(reason=name),
                                  usage=usage)

    @staticmethod
    def usage(meta: Any) -> Usage:
        """promptTokenCount includes cachedContentTokenCount; thoughts are billed output."""
        if meta is None:
            return UNKNOWN_USAGE
        return Usage(
            prompt_tokens=meta.prompt_token_count or 0,
            completion_tokens=(meta.candidates_token_count or 0) + (meta.thoughts_token_count or 0),
            cached_tokens=meta.cached_content_token_count or 0,
            reasoning_tokens=meta.thoughts_token_count or 0,
        )

    def map_error(self, exc: BaseException, model: str) -> ProviderError:
        errors = self._genai.errors
        if isinstance(exc, ProviderError):
            return exc
        if isinstance(exc, errors.APIError):
            details = exc.details if isinstance(exc.details, dict) else {}
            if exc.code == 400 and "API_KEY_INVALID" in str(details):
                return InvalidKey(self.id, exc.message or "", status=400)
            if exc.code == 429:
                return _exhausted(self.id, exc.message or "", details)
            headers = getattr(exc.response, "headers", None)
            return status_error(self.id, exc.code or 500, details, headers, model)
        mapped = transport_error(self.id, exc)
        if mapped is not None:
            return mapped
        if isinstance(exc, ValueError):
            return MalformedResponse(self.id, str(exc)[:300])
        raise exc


def _exhausted(provider: str, message: str, details: dict[str, Any]) -> ProviderError:
    """Gemini says 429 "You exceeded your current quota" both for a per-minute rate and for a
    spent quota: a per-day quotaId, a tier without quota ("limit: 0") or depleted prepaid
    credits are out of credit; anything else is a rate limit."""
    if _NO_QUOTA.search(message) or is_out_of_credit(message):
        return OutOfCredits(provider, message, status=429)
    info = (details.get("error") or {}).get("details") or []
    delay: float | None = None
    for item in info:
        if not isinstance(item, dict):
            continue
        if "retryDelay" in item:
            with contextlib.suppress(ValueError):
                delay = float(str(item["retryDelay"]).rstrip("s"))
        for violation in item.get("violations") or []:
            if "PerDay" in str(violation.get("quotaId", "")):
                return OutOfCredits(provider, message, status=429)
    return RateLimited(provider, message, retry_after=delay, status=429)


def finish_of(response: Any) -> str | None:
    candidate = response.candidates[0] if response.candidates else None
    reason = candidate.finish_reason if candidate is not None else None
    return str(getattr(reason, "value", reason)) if reason is not None else None


def candidate_text(response: Any) -> str:
    candidate = response.candidates[0] if response.candidates else None
    if candidate is None or candidate.content is None or not candidate.content.parts:
        return ""
    return "".join(p.text for p in candidate.content.parts if p.text and not p.thought)


def build(settings: ProviderSettings, meta: ProviderInfo) -> GeminiProvider:
    return GeminiProvider(settings, meta)
