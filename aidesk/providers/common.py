"""Helpers every provider module shares: retry-after parsing, transport errors, schema checks."""

from __future__ import annotations

import json
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

from aidesk.errors import (
    MalformedResponse,
    NetworkUnreachable,
    ProviderError,
    ProviderTimeout,
)
from aidesk.providers.base import JsonSchema


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
        return MalformedResponse(provider, "the connection closed in the middle of the answer")
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


def parse_structured(provider: str, text: str, schema: JsonSchema) -> Any:
    """Parse the answer of a structured request and validate it against the schema."""
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise MalformedResponse(provider, f"the answer is not valid JSON ({exc})") from None
    import jsonschema

    try:
        jsonschema.validate(data, schema.schema)
    except jsonschema.ValidationError as exc:
        raise MalformedResponse(
            provider, f"the answer does not match schema '{schema.name}': {exc.message}"
        ) from None
    return data
