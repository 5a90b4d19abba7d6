"""Helpers every provider module shares: timeouts, retry-after parsing, transport errors,
refusal wording, the empty/filtered answer check and schema checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from aidesk.errors import (
    ContentFiltered,
    EmptyAnswer,
    MalformedResponse,
    NetworkUnreachable,
    ProviderError,
    ProviderTimeout,
)
from aidesk.i18n import _
from aidesk.providers.base import TRUNCATED_REASONS, JsonSchema, ProviderSettings, Usage

if TYPE_CHECKING:
    import httpx2

# Finish reasons that mean the provider's filter withheld (part of) the answer: OpenAI
# `content_filter` (openai/types/chat/chat_completion.py `Choice.finish_reason`), Anthropic
# `refusal` (https://docs.anthropic.com/en/api/handling-stop-reasons), Gemini's safety family
# (google/genai/types.py `FinishReason`).
FILTERED_REASONS = frozenset({
    "content_filter", "refusal", "SAFETY", "RECITATION", "PROHIBITED_CONTENT", "BLOCKLIST",
    "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "MODEL_ARMOR",
})
# Wording of a refused structured-output request (a capability the model lacks): OpenAI/local
# "'response_format' of type 'json_schema' is not supported", Groq "does not support response
# format `json_schema`", OpenRouter "No endpoints found that can handle the requested
# parameters", Anthropic "tools.0.custom.input_schema: JSON schema is invalid", Gemini
# "Unknown name \"responseJsonSchema\"" / "response_schema".
_CAPABILITY_WORDS = ("response_format", "json_schema", "response format", "input_schema",
                     "responsejsonschema", "response_schema", "responseschema",
                     "can handle the requested parameters", "json schema is invalid")
# Out-of-credit wording where the status alone does not say it: Anthropic's 400 "Your credit
# balance is too low to access the Anthropic API", OpenRouter "Insufficient credits", Gemini
# prepaid "Your prepayment credits are depleted".
_CREDIT_WORDS = ("credit balance is too low", "insufficient credits", "credits are depleted",
                 "prepayment credits")


def http_timeout(settings: ProviderSettings) -> httpx2.Timeout:
    """Read timeout = the longest silence allowed between two bytes; connect apart (10 s)."""
    import httpx2

    return httpx2.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)


def is_capability_refusal(detail: str) -> bool:
    low = detail.lower()
    return any(word in low for word in _CAPABILITY_WORDS)


def is_out_of_credit(detail: str) -> bool:
    low = detail.lower()
    return any(word in low for word in _CREDIT_WORDS)


def check_answer(provider: str, text: str, finish: str | None, usage: Usage) -> None:
    """An answer withheld by a filter, or with no text (a structured answer is its JSON
    text), is never a success: the error carries the billed usage."""
    if finish in FILTERED_REASONS:
        raise ContentFiltered(provider, _("finish reason {reason}").format(reason=finish),
                              usage=usage)
    if text.strip():
        return
    if finish in TRUNCATED_REASONS:
        raise EmptyAnswer(provider, _("the output limit ({reason}) was used up, e.g. by "
                                      "reasoning, before any text").format(reason=finish),
                          usage=usage)
    raise EmptyAnswer(provider, _("no text, finish reason {reason}").format(reason=finish),
                      usage=usage)


def retry_after(headers: Mapping[str, str] | None) -> float | None:
    """Seconds the provider asked us to wait (`retry-after-ms`, then `retry-after`)."""
    if not headers:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return float(raw_ms) / 1000
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        from datetime import UTC, datetime

        return max(0.0, (parsedate_to_datetime(raw) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def transport_error(provider: str, exc: BaseException) -> ProviderError | None:
    """Map an httpx2 transport failure (the SDKs' HTTP layer) to a typed error."""
    import httpx2

    if isinstance(exc, httpx2.TimeoutException):
        return ProviderTimeout(provider, type(exc).__name__)
    if isinstance(exc, httpx2.RemoteProtocolError):
        return MalformedResponse(provider, _("the connection closed in the middle of the answer"))
    if isinstance(exc, httpx2.TransportError | OSError):
        return NetworkUnreachable(provider, type(exc).__name__)
    return None


def status_detail(body: object) -> str:
    """The provider's own error message from any of the known error body shapes."""
    if isinstance(body, Mapping):
        error = body.get("error", body)
        if isinstance(error, Mapping):
            message = error.get("message")
            if message:
                return str(message)
        elif isinstance(error, str):
            return error
        message = body.get("message")
        if message:
            return str(message)
    return "" if body is None else str(body)[:300]


def parse_structured(provider: str, text: str, schema: JsonSchema, *,
                     usage: Usage | None = None, strict: bool = False) -> Any:
    """Parse the answer of a structured request and validate it against the schema.

    `strict`: the request went out in OpenAI strict mode, so optional properties the model
    left out came back as null and are removed first (see strict_schema.py)."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise MalformedResponse(provider, _("the answer is not valid JSON ({error})").format(
            error=exc), usage=usage) from None
    if strict:
        from aidesk.providers.strict_schema import drop_added_nulls

        data = drop_added_nulls(data, schema.schema)
    import jsonschema

    try:
        jsonschema.validate(data, schema.schema)
    except jsonschema.ValidationError as exc:
        raise MalformedResponse(
            provider, _("the answer does not match schema '{schema}': {error}").format(
                schema=schema.name, error=exc.message),
            usage=usage,
        ) from None
    return data
