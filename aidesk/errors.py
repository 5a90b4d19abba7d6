"""Typed errors. Each carries a one-sentence `user_message` that says what to do.

Provider errors also say whether the router should try the next provider
(`fallback`) and, for rate limits, how long the provider asked us to wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aidesk.redact import redact

if TYPE_CHECKING:
    from aidesk.providers.base import Usage


class AIDeskError(Exception):
    """An expected failure: shown to the user as its message, never as a traceback."""

    code = "error"

    def __init__(self, user_message: str) -> None:
        self.user_message = redact(user_message)
        super().__init__(self.user_message)


class ConfigError(AIDeskError):
    code = "config"


class KeyringUnavailable(AIDeskError):
    code = "keyring_unavailable"

    def __init__(self, backend: str) -> None:
        super().__init__(
            f"No secure key store is available (keyring backend: {backend}), and AIDesk keeps "
            "API keys only in the OS keyring, never in plain text: on Linux install and unlock "
            "a Secret Service such as gnome-keyring or KWallet (Windows and macOS use their "
            "own store automatically)."
        )


class ProviderError(AIDeskError):
    """A call to a provider failed. `fallback` says whether the next provider may succeed."""

    code = "provider_error"
    fallback = True

    def __init__(
        self, provider: str, detail: str = "", *, status: int | None = None,
        usage: Usage | None = None,
    ) -> None:
        self.provider = provider
        self.detail = redact(detail)
        self.status = status
        self.usage = usage  # tokens the provider billed for this failed answer, if any
        super().__init__(self.describe())

    def describe(self) -> str:
        return f"{self.provider}: the call failed. {self.detail}".strip()

    @property
    def reason(self) -> str:
        """Short reason for fallback hops and audit rows."""
        return self.code if not self.detail else f"{self.code}: {self.detail}"


class InvalidKey(ProviderError):
    code = "invalid_key"

    def describe(self) -> str:
        return (
            f"{self.provider}: the API key was rejected (wrong, revoked or without permission). "
            f"Replace it with `aidesk keys set {self.provider}` or in Integrations."
        )


class ModelNotFound(ProviderError):
    code = "model_not_found"

    def __init__(self, provider: str, detail: str = "", *, model: str = "", **kw: object) -> None:
        self.model = model
        super().__init__(provider, detail, **kw)  # type: ignore[arg-type]

    def describe(self) -> str:
        return (
            f"{self.provider}: model {self.model or '(unknown)'} does not exist or this key cannot "
            f"use it. Pick another with `aidesk config set providers.{self.provider}.model NAME`."
        )


class RateLimited(ProviderError):
    code = "rate_limited"

    def __init__(
        self, provider: str, detail: str = "", *, retry_after: float | None = None, **kw: object
    ) -> None:
        self.retry_after = retry_after
        super().__init__(provider, detail, **kw)  # type: ignore[arg-type]

    def describe(self) -> str:
        wait = f" Try again in {self.retry_after:g} s." if self.retry_after else " Try again later."
        return f"{self.provider}: rate limit reached.{wait}"


class OutOfCredits(ProviderError):
    code = "out_of_credits"

    def describe(self) -> str:
        return (
            f"{self.provider}: the account has no credit or quota left. Add credit in the "
            "provider's billing page; retrying will not help."
        )


class ProviderUnavailable(ProviderError):
    code = "provider_unavailable"

    def describe(self) -> str:
        return f"{self.provider}: the service is overloaded or down. Try again in a few minutes."


class ProviderTimeout(ProviderError):
    code = "timeout"

    def describe(self) -> str:
        return f"{self.provider}: no answer in time. Check the connection or try again later."


class NetworkUnreachable(ProviderError):
    code = "offline"

    def describe(self) -> str:
        return (
            f"{self.provider}: cannot reach the service (offline, DNS or proxy). Check the "
            "internet connection or the provider's base URL."
        )


class MalformedResponse(ProviderError):
    code = "malformed_response"

    def describe(self) -> str:
        return f"{self.provider}: the answer could not be read. {self.detail}".strip()


class EmptyAnswer(ProviderError):
    """The provider ended the answer without any text (e.g. Gemini `MAX_TOKENS` spent on
    thinking). Billed tokens, if any, ride in `usage`; never a success, never cached."""

    code = "empty_answer"

    def describe(self) -> str:
        return (
            f"{self.provider}: the answer came back empty ({self.detail or 'no text'}). "
            "Raise the output limit (max tokens) or shorten the request, then try again."
        )


class ContentFiltered(ProviderError):
    """The provider's safety filter withheld the answer (Gemini SAFETY, RECITATION,
    PROHIBITED_CONTENT, …; OpenAI `content_filter`)."""

    code = "content_filtered"

    def describe(self) -> str:
        return (
            f"{self.provider}: the provider's content filter refused to answer "
            f"({self.detail or 'filtered'}). Rephrase the request or use another provider."
        )


class Moderated(ProviderError):
    """The input was flagged by the provider's moderation (OpenRouter 403): not a bad key."""

    code = "moderated"

    def describe(self) -> str:
        reasons = f" ({self.detail})" if self.detail else ""
        return (
            f"{self.provider}: the request was flagged by moderation{reasons}. "
            "Rephrase it or use another provider."
        )


class Unsupported(ProviderError):
    """This provider or model refuses a capability the request needs (a JSON schema,
    `response_format`, a parameter): another provider may support it."""

    code = "unsupported"

    def describe(self) -> str:
        return (
            f"{self.provider}: this model does not support what the request needs. "
            f"{self.detail}"
        ).strip()


class BadRequest(ProviderError):
    """The request itself was refused (too long, bad parameter): another provider won't help."""

    code = "bad_request"
    fallback = False

    def describe(self) -> str:
        return f"{self.provider}: the request was refused. {self.detail}".strip()


class NotConfigured(AIDeskError):
    code = "not_configured"

    def __init__(self, provider: str, why: str) -> None:
        self.provider = provider
        self.why = why
        super().__init__(f"{provider}: {why}")


class NoProviderAvailable(AIDeskError):
    """No provider can take the call. `reasons` names each configured one and why it is
    unusable; with none configured the message says how to add one."""

    code = "no_provider"

    def __init__(self, workspace: str, reasons: Sequence[tuple[str, str]] = ()) -> None:
        self.reasons = tuple(reasons)
        if self.reasons:
            listed = "; ".join(f"{provider}: {why}" for provider, why in self.reasons)
            super().__init__(
                f"No AI provider can take the call in workspace '{workspace}' ({listed}). "
                "Fix a key or enable a provider in Integrations (or with `aidesk keys set`)."
            )
        else:
            super().__init__(
                f"No AI provider is configured and enabled in workspace '{workspace}'. "
                "Add a key with `aidesk keys set openai` (or in Integrations)."
            )


class DeadlineExceeded(AIDeskError):
    """The whole call, fallbacks included, took longer than `calls.deadline_s`."""

    code = "deadline"

    def __init__(self, deadline_s: float, tried: Sequence[str] = ()) -> None:
        self.deadline_s = deadline_s
        where = f" (tried: {', '.join(tried)})" if tried else ""
        super().__init__(
            f"No answer within {deadline_s:g} s{where}. Try again later, or raise the "
            "deadline with `aidesk config set calls.deadline_s N`."
        )


class AllProvidersFailed(AIDeskError):
    code = "all_failed"

    def __init__(self, hops: list[tuple[str, ProviderError]]) -> None:
        self.hops = hops
        lines = "; ".join(f"{err.user_message}" for _, err in hops)
        super().__init__(f"Every provider failed. {lines}")


class LimitExceeded(AIDeskError):
    code = "limit_exceeded"

    def __init__(self, limit: str, value: float, used: float, resets_at: datetime) -> None:
        self.limit = limit
        self.value = value
        self.used = used
        self.resets_at = resets_at
        super().__init__(
            f"Workspace limit reached: {limit_label(limit)} is {value:g} (used {used:g}). "
            f"It resets at {resets_at:%Y-%m-%d %H:%M} UTC; raise it with "
            f"`aidesk config set limits.{limit} N`."
        )


class StorageError(AIDeskError):
    """Known disk problems (full, read-only, locked) kept apart from bugs."""

    code = "storage"


def limit_label(limit: str) -> str:
    return {
        "requests_per_hour": "requests per hour",
        "tokens_per_day": "tokens per day",
        "cost_per_month": "cost per month (USD)",
    }.get(limit, limit)
