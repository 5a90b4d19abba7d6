"""The one interface every provider implements, and the plain data it speaks.

Everything here is SDK-free so the router, storage and UI can use it without
importing any provider SDK. Provider modules import their SDK lazily.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class JsonSchema:
    """A structured-output request: the answer must be a JSON object valid against `schema`."""

    name: str
    schema: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: tuple[Message, ...]
    model: str
    max_tokens: int = 1024
    temperature: float | None = None
    schema: JsonSchema | None = None

    @classmethod
    def of(cls, prompt: str, model: str, *, system: str | None = None, **kw: Any) -> ChatRequest:
        messages = ((Message("system", system),) if system else ()) + (Message("user", prompt),)
        return cls(messages=messages, model=model, **kw)

    def options(self) -> dict[str, Any]:
        """The request options that change the answer (part of the cache key)."""
        out: dict[str, Any] = {"max_tokens": self.max_tokens}
        if self.temperature is not None:
            out["temperature"] = self.temperature
        if self.schema is not None:
            out["schema"] = {"name": self.schema.name, "schema": self.schema.schema}
        return out


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float | None = None  # set only when the provider reports its own cost

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    usage: Usage
    finish_reason: str | None = None
    data: Any = None  # the parsed and validated object of a structured request


@dataclass(frozen=True, slots=True)
class ModelInfo:
    id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class StreamDone:
    completion: Completion


StreamEvent = TextDelta | StreamDone


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """What a provider object needs: never stored with its key, which comes from the keyring."""

    provider: str
    api_key: str | None
    base_url: str | None = None
    timeout_s: float = 60.0


class Provider(Protocol):
    id: str

    async def list_models(self) -> list[ModelInfo]: ...

    async def generate(self, request: ChatRequest) -> Completion: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamEvent]: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ProviderInfo:
    id: str
    label: str
    default_model: str
    default_base_url: str
    needs_key: bool = True
    key_hint: str = ""
    module: str = ""  # aidesk.providers.<module>, imported on first use


def monotonic_ms(start: float) -> int:
    """Whole milliseconds since `start`, a `time.perf_counter()` reading."""
    return int((time.perf_counter() - start) * 1000)
