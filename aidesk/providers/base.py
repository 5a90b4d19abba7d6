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
# What a provider can do (ProviderInfo.capabilities); images and audio: aidesk.providers.media.
CHAT, IMAGES, TRANSCRIPTION = "chat", "images", "transcription"


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
    """Tokens of one call, normalised across providers.

    `prompt_tokens` is the whole prompt: uncached input plus cache reads (`cached_tokens`)
    plus cache writes (`cache_write_tokens`), whatever the provider's own split (Anthropic's
    `input_tokens` excludes both; OpenAI's `prompt_tokens` includes its cached part).
    `completion_tokens` is all billed output, reasoning/thinking tokens included.
    `known` is False when the provider reported no usage at all (e.g. an old local server
    that ignores `stream_options.include_usage`): the counts are then unknown, not zero.
    """

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0  # cache reads, part of prompt_tokens
    reasoning_tokens: int = 0  # part of completion_tokens
    cost_usd: float | None = None  # set only when the provider reports its own cost
    cache_write_tokens: int = 0  # cache writes, part of prompt_tokens
    known: bool = True

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


UNKNOWN_USAGE = Usage(known=False)

# Finish reasons that mean "the output limit cut the answer" (OpenAI `length`,
# Anthropic `max_tokens`, Gemini `MAX_TOKENS`).
TRUNCATED_REASONS = frozenset({"length", "max_tokens", "MAX_TOKENS"})


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    usage: Usage
    finish_reason: str | None = None
    data: Any = None  # the parsed and validated object of a structured request

    @property
    def truncated(self) -> bool:
        """The output limit cut the answer: returned, but marked and never cached."""
        return self.finish_reason in TRUNCATED_REASONS


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
    timeout_s: float = 60.0  # read timeout: the longest silence between two bytes
    connect_timeout_s: float = 10.0


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
    # What the provider can do ("chat", "images", "transcription"; aidesk.providers.media):
    # the router offers a call only to providers that have its capability.
    capabilities: frozenset[str] = frozenset({"chat"})
    media_modules: tuple[tuple[str, str], ...] = ()  # (capability, module) for images/audio
    image_model: str = ""  # default image model, when "images" is a capability
    transcription_model: str = ""  # default transcription model, when "transcription" is one

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


def monotonic_ms(start: float) -> int:
    """Whole milliseconds since `start`, a `time.perf_counter()` reading."""
    return int((time.perf_counter() - start) * 1000)
