"""Shared pieces of the provider emulator: deterministic text, models, faults, calls, responses.

Sources: SSE framing (`event:` / `data:` lines, blank-line separated) per
https://html.spec.whatwg.org/multipage/server-sent-events.html as the SDKs decode it
(openai/_streaming.py and anthropic/_streaming.py `SSEDecoder`); the Bearer header the openai
SDK sends (openai/_client.py `OpenAI.auth_headers`); OpenAI's masked key in its 401 message
(https://platform.openai.com/docs/guides/error-codes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PROVIDERS: tuple[str, ...] = ("openai", "anthropic", "gemini", "groq", "openrouter", "local",
                              "stability")

DEFAULT_KEYS: dict[str, str] = {
    "openai": "test-key-openai",
    "anthropic": "test-key-anthropic",
    "gemini": "test-key-gemini",
    "groq": "test-key-groq",
    "openrouter": "test-key-openrouter",
    "local": "",
    "stability": "sk-test-stability-0123456789",
}

DEFAULT_MODELS: dict[str, tuple[str, ...]] = {
    "openai": ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1", "gpt-5-mini", "o4-mini"),
    "anthropic": (
        "claude-3-5-haiku-latest",
        "claude-sonnet-4-5",
        "claude-haiku-4-5",
        "claude-sonnet-4-6",
        "claude-opus-4-7",
    ),
    "gemini": ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-2.0-flash"),
    "groq": (
        "llama-3.1-8b-instant",
        "llama-3.3-70b-versatile",
        "openai/gpt-oss-20b",
        "qwen/qwen3-32b",
    ),
    "openrouter": (
        "openai/gpt-4o-mini",
        "anthropic/claude-3.5-haiku",
        "google/gemini-2.5-flash",
        "meta-llama/llama-3.3-70b-instruct",
    ),
    "local": ("llama3.2", "qwen2.5"),
    "stability": ("core", "ultra", "sd3.5-large", "sd3.5-large-turbo", "sd3.5-medium",
                  "sd3.5-flash"),
}

# Image and transcription models each account can also use (media_wire.py). Kept apart from
# the listed chat models so the key tests' model counts stay those of the chat models.
MEDIA_MODELS: dict[str, tuple[str, ...]] = {
    "openai": ("gpt-image-2.5-flare", "gpt-image-1.5", "gpt-image-1-mini", "gpt-transcribe",
               "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "whisper-1"),
    "groq": ("whisper-large-v3", "whisper-large-v3-turbo"),
    "openrouter": ("google/gemini-2.5-flash-image", "openai/gpt-5-image-mini"),
}

# Fault and scenario kinds. Errors answer with the provider's own status and body; scenarios
# answer 200 with what the real API sends in that situation (see each wire module):
#   billing          Anthropic 402 billing_error (elsewhere the same as `quota`)
#   moderated        OpenRouter 403 moderation refusal (elsewhere the same as `permission`)
#   schema_unsupported  400 refusing the structured-output request (response_format/schema)
#   truncated        the output limit cut the answer: some text, finish length/max_tokens/MAX_TOKENS
#   empty_truncated  the output limit was spent (e.g. on thinking) before any text
#   filtered         the provider's safety filter withheld the answer (no text)
#   blocked_prompt   Gemini promptFeedback.blockReason, no candidates (elsewhere: `filtered`)
#   empty            a normal finish with empty text
#   no_stream_usage  an OpenAI-compatible server that ignores stream_options.include_usage
#   prompt_cache     usage reports `cache_read`/`cache_write` tokens of the same prompt
#   thinking         usage reports `thoughts` reasoning/thinking tokens
FAULT_KINDS: frozenset[str] = frozenset(
    {
        "invalid_key",
        "permission",
        "model_not_found",
        "rate_limit",
        "quota",
        "billing",
        "moderated",
        "overloaded",
        "server_error",
        "bad_request",
        "schema_unsupported",
        "malformed",
        "cut_stream",
        "stream_error",
        "slow",
        "truncated",
        "empty_truncated",
        "filtered",
        "blocked_prompt",
        "empty",
        "no_stream_usage",
        "prompt_cache",
        "thinking",
    }
)
# Kinds that answer with an HTTP error status before any generation.
ERROR_KINDS: frozenset[str] = frozenset(
    {"invalid_key", "permission", "model_not_found", "rate_limit", "quota", "billing",
     "moderated", "overloaded", "server_error", "bad_request", "schema_unsupported"}
)
# Faults that also hit list/key endpoints (the rest only hit generation).
LIST_FAULT_KINDS: frozenset[str] = frozenset(
    {"invalid_key", "rate_limit", "overloaded", "server_error", "slow"}
)
STREAM_ONLY_KINDS: frozenset[str] = frozenset({"cut_stream", "stream_error", "no_stream_usage"})

_WORD_RE = re.compile(r"\S+\s*")


def count_tokens(text: str) -> int:
    """Deterministic token count: whitespace-separated words (min 1 for non-empty text)."""
    n = len(text.split())
    return max(n, 1) if text else 0


def reply_text(provider: str, model: str, prompt: str) -> str:
    """The emulator's answer to `prompt` (the text of the last user message)."""
    return f"{provider}:{model} answers: {prompt}"


def word_chunks(text: str) -> list[str]:
    """Split into words with their following whitespace; the chunks concatenate to `text`."""
    chunks = _WORD_RE.findall(text)
    if not chunks:
        return [text] if text else []
    lead = len(text) - len(text.lstrip())
    if lead:
        chunks[0] = text[:lead] + chunks[0]
    return chunks


def mask_key(key: str) -> str:
    """Mask a key the way OpenAI does in its 401 message (first and last 4 characters kept)."""
    if len(key) <= 8:
        return "*" * len(key)
    return key[:4] + "*" * (len(key) - 8) + key[-4:]


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass
class Fault:
    kind: str
    remaining: int | None = None
    retry_after: float | None = None
    after_chunks: int | None = None
    seconds: float | None = None
    reason: str | None = None  # stream_error: Anthropic error type; filtered: finish reason
    cache_read: int = 0  # prompt_cache: prompt tokens read from the provider's cache
    cache_write: int = 0  # prompt_cache: prompt tokens written to the cache
    thoughts: int = 0  # thinking / empty_truncated: reasoning tokens billed as output

    @property
    def chunks(self) -> int:
        return 2 if self.after_chunks is None else self.after_chunks

    @property
    def retry_after_header(self) -> str:
        value = 1 if self.retry_after is None else self.retry_after
        return str(int(value)) if float(value).is_integer() else str(value)


def chunk_limit(fault: Fault | None) -> int | None:
    """How many content chunks a cut/erroring stream sends (None: a normal stream)."""
    if fault is not None and fault.kind in ("cut_stream", "stream_error"):
        return fault.chunks
    return None


def shaped_text(fault: Fault | None, text: str) -> tuple[str, str]:
    """The answer text a scenario leaves, and how the answer ends: stop, length or filtered."""
    kind = fault.kind if fault is not None else None
    if kind == "truncated" and fault is not None:
        return "".join(word_chunks(text)[: fault.chunks]), "length"
    if kind == "empty_truncated":
        return "", "length"
    if kind in ("filtered", "blocked_prompt"):
        return "", "filtered"
    if kind == "empty":
        return "", "stop"
    return text, "stop"


@dataclass
class Reply:
    """A scripted answer text (`Emulator.reply`): used `remaining` more times (None: until
    reset), for prompts that contain `match` (None: every prompt)."""

    text: str
    remaining: int | None = None
    match: str | None = None


def json_object(text: str) -> dict[str, Any] | None:
    """`text` parsed, when it is a JSON object (what a tool call's input can carry)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@dataclass
class Response:
    """What a wire module answers. `events` set = SSE stream (chunked, then connection closed)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    events: list[bytes] | None = None
    cut: bool = False  # close the stream without the terminating chunk

    @classmethod
    def json(cls, status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
        hdrs = {"content-type": "application/json"}
        if headers:
            hdrs.update(headers)
        return cls(status=status, body=dumps(obj), headers=hdrs)

    @classmethod
    def sse(
        cls, events: list[bytes], headers: dict[str, str] | None = None, *, cut: bool = False
    ) -> Response:
        hdrs = {"content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
        if headers:
            hdrs.update(headers)
        return cls(status=200, headers=hdrs, events=events, cut=cut)


def sse_data(obj: Any, event: str | None = None) -> bytes:
    prefix = f"event: {event}\n".encode() if event else b""
    payload = obj if isinstance(obj, bytes) else dumps(obj)
    return prefix + b"data: " + payload + b"\n\n"


@dataclass
class Call:
    """One request as seen by a wire module."""

    provider: str
    method: str
    path: str  # relative to the provider's base URL, without the query string
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    body_error: bool
    valid_keys: frozenset[str]
    models: tuple[str, ...]
    take_fault: Callable[[str, bool], Fault | None]  # (endpoint "list"|"generate", stream)
    sleep: Callable[[float], None]
    next_id: Callable[[], str]
    # (prompt, schema or None) -> the test's scripted answer text, or None for the default one
    scripted: Callable[[str, Any], str | None] = lambda prompt, schema: None
    raw: bytes = b""  # the request body as received (multipart uploads: media_wire.py)
    # (file name, audio bytes) -> a test's (transcript, seconds) for an upload, or None
    heard: Callable[[str, bytes], tuple[str, float] | None] = lambda name, data: None

    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            return auth[7:].strip()
        return None


def content_text(content: Any) -> str:
    """Text of an OpenAI/Anthropic message content (string or list of parts/blocks)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for part in content:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict):
                if isinstance(part.get("text"), str):
                    parts.append(part["text"])
                elif "content" in part:  # e.g. Anthropic tool_result
                    parts.append(content_text(part["content"]))
        return "\n".join(p for p in parts if p)
    return ""


def sleep_then(call: Call, fault: Fault | None) -> Fault | None:
    """Apply a `slow` fault (sleep) and return None for it; other faults pass through."""
    if fault is not None and fault.kind == "slow":
        call.sleep(2.0 if fault.seconds is None else fault.seconds)
        return None
    return fault
