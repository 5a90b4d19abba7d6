"""Provider emulator: a local HTTP server speaking the OpenAI, Groq, OpenRouter, local
(OpenAI-compatible), Anthropic and Gemini wire formats, for tests and benchmarks."""

from .common import DEFAULT_KEYS, DEFAULT_MODELS, FAULT_KINDS, PROVIDERS, count_tokens, reply_text
from .openai_chat import OPENROUTER_PRICE
from .schema_fill import fill as fill_schema
from .server import Emulator, RecordedRequest

__all__ = [
    "DEFAULT_KEYS",
    "DEFAULT_MODELS",
    "FAULT_KINDS",
    "OPENROUTER_PRICE",
    "PROVIDERS",
    "Emulator",
    "RecordedRequest",
    "count_tokens",
    "fill_schema",
    "reply_text",
]
