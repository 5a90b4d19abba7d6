"""What a routed call returns and the events the router emits (limit warnings, failing keys)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aidesk.providers.base import Usage
from aidesk.router.limits import LimitStatus


@dataclass(frozen=True, slots=True)
class Hop:
    """A provider that was tried and failed before the answer (or the final failure)."""

    provider: str
    model: str
    error: str  # the error code, e.g. rate_limited
    message: str  # the user-facing sentence

    def as_dict(self) -> dict[str, str]:
        return {"provider": self.provider, "model": self.model, "error": self.error,
                "message": self.message}


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

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "provider": self.provider,
            "model": self.model,
            "cached": self.cached,
            "hops": [{"provider": h.provider, "error": h.message, "code": h.error}
                     for h in self.hops],
            "usage": {
                "prompt_tokens": self.usage.prompt_tokens,
                "completion_tokens": self.usage.completion_tokens,
                "total_tokens": self.usage.total_tokens,
                "cost_usd": self.cost_usd,
            },
            "latency_ms": self.latency_ms,
            "request_id": self.request_id,
        }
        if self.data is not None:
            out["data"] = self.data
        return out


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
