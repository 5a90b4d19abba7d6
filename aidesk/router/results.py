"""What a routed call returns and the events the router emits (limit warnings, failing keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aidesk.providers.base import TRUNCATED_REASONS, Usage
from aidesk.router.limits import LimitStatus


@dataclass(frozen=True, slots=True)
class Hop:
    """A provider passed over on the way to the answer (or to the final failure).

    Either tried and failed (`skipped` False: `error` is the error code, e.g. rate_limited)
    or never tried because it was unusable (`skipped` True: `error` is disabled, no_key or
    key_rejected), when it stands before the answering provider in the user's order.
    """

    provider: str
    model: str
    error: str
    message: str  # the user-facing sentence
    skipped: bool = False

    def as_dict(self) -> dict[str, str | bool]:
        out: dict[str, str | bool] = {"provider": self.provider, "model": self.model,
                                      "error": self.error, "message": self.message}
        if self.skipped:
            out["skipped"] = True
        return out


@dataclass(frozen=True, slots=True)
class RouterResult:
    request_id: str
    text: str
    provider: str
    model: str
    cached: bool
    hops: tuple[Hop, ...]
    usage: Usage
    cost_usd: float | None
    latency_ms: int
    data: Any = None
    finish_reason: str | None = None

    @property
    def truncated(self) -> bool:
        """The output limit cut the answer (shown as such, never cached)."""
        return self.finish_reason in TRUNCATED_REASONS

    @property
    def fallbacks(self) -> tuple[Hop, ...]:
        """The providers that were tried and failed before the answer."""
        return tuple(h for h in self.hops if not h.skipped)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "provider": self.provider,
            "model": self.model,
            "cached": self.cached,
            "hops": [{"provider": h.provider, "error": h.message, "code": h.error,
                      "skipped": h.skipped} for h in self.hops],
            "finish_reason": self.finish_reason,
            "truncated": self.truncated,
            "usage": self._usage_json(),
            "latency_ms": self.latency_ms,
            "request_id": self.request_id,
        }
        if self.data is not None:
            out["data"] = self.data
        return out

    def _usage_json(self) -> dict[str, Any]:
        u = self.usage
        if not u.known:
            return {"prompt_tokens": None, "completion_tokens": None, "total_tokens": None,
                    "cost_usd": self.cost_usd}
        return {"prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens,
                "total_tokens": u.total_tokens, "cached_tokens": u.cached_tokens,
                "cache_write_tokens": u.cache_write_tokens,
                "reasoning_tokens": u.reasoning_tokens, "cost_usd": self.cost_usd}


@dataclass(frozen=True, slots=True)
class LimitWarning:
    tenant_id: str
    status: LimitStatus


@dataclass(frozen=True, slots=True)
class KeyRejected:
    tenant_id: str
    provider: str
    message: str


RouterEvent = LimitWarning | KeyRejected
