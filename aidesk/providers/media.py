"""Images and audio beside chat: the small interfaces and the plain data they speak.

SDK-free like `base.py`: the router, storage, features and UI use these without importing a
provider SDK. A provider says what it can do in `ProviderInfo.capabilities` ("chat",
"images", "transcription"); its image or audio object is built by `providers.create_media`.

`billing` carries what the provider reported that its price depends on, under genai-prices'
usage names (`input_tokens`, `output_image_tokens`, `input_audio_tokens`, `audio_seconds`…;
genai_prices/types.py `Usage`), plus `images` (how many were made) for per-image prices:
the router prices a call from it (aidesk.router.media_pricing).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

from aidesk.i18n import N_, ngettext
from aidesk.providers.base import CHAT, IMAGES, TRANSCRIPTION, UNKNOWN_USAGE, ModelInfo, Usage

CAPABILITIES = (CHAT, IMAGES, TRANSCRIPTION)
CAPABILITY_LABELS = {CHAT: N_("text (chat) calls"), IMAGES: N_("image generation"),
                     TRANSCRIPTION: N_("audio transcription")}  # translated where shown

# Sizes the GPT image models all take (openai/types/image_generate_params.py `size`: "The
# standard sizes 1024x1024, 1536x1024, and 1024x1536 are supported by the GPT image models;
# auto is supported for models that allow automatic sizing"), with their aspect ratio.
SIZES: dict[str, str | None] = {"1024x1024": "1:1", "1536x1024": "3:2", "1024x1536": "2:3",
                                "auto": None}
# Aspect ratios offered for social and banner formats. Stability takes these as
# `aspect_ratio` (16:9 1:1 21:9 2:3 3:2 4:5 5:4 9:16 9:21, its v2beta reference for
# /v2beta/stable-image/generate/core), OpenRouter as `image_config.aspect_ratio`
# (https://openrouter.ai/docs/guides/overview/multimodal/image-generation); OpenAI gets the
# standard size of the same orientation.
ASPECTS = ("1:1", "3:2", "2:3", "16:9", "9:16", "4:5", "5:4", "21:9")
MAX_IMAGES = 4  # per generation, as the Images tab offers them (OpenAI takes n up to 10)

# Uploads are capped at 25 MB on both transcription endpoints
# (https://platform.openai.com/docs/guides/speech-to-text "File uploads are currently limited
# to 25 MB"; https://console.groq.com/docs/speech-to-text "Max File Size 25 MB" on the free
# tier). Longer audio must be split by the caller (the meetings feature).
MAX_AUDIO_BYTES = 25 * 1024 * 1024
ResponseFormat = Literal["json", "text", "verbose_json"]

_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


def image_mime(data: bytes) -> str | None:
    """The image type by its first bytes (PNG, JPEG, WebP), or None: never by a header
    alone, as the bytes are what is saved and shown."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def orientation_size(aspect: str | None) -> str:
    """The GPT image size for an aspect ratio: square, landscape (3:2) or portrait (2:3)."""
    if aspect is None:
        return "auto"
    width, height = (float(p) for p in aspect.split(":"))
    if width == height:
        return "1024x1024"
    return "1536x1024" if width > height else "1024x1536"


@dataclass(frozen=True, slots=True)
class ImageRequest:
    """`size` is one of SIZES (what OpenAI is sent); `aspect_ratio` one of ASPECTS or None
    for "auto" (what Stability and OpenRouter are sent)."""

    prompt: str
    model: str
    size: str = "1024x1024"
    aspect_ratio: str | None = "1:1"
    count: int = 1
    output_format: Literal["png", "jpeg", "webp"] = "png"

    @classmethod
    def of(cls, prompt: str, model: str, size: str, count: int = 1) -> ImageRequest:
        """`size` either a SIZES key or an aspect ratio from ASPECTS (checked by the caller)."""
        if size in SIZES:
            return cls(prompt, model, size, SIZES[size], count)
        return cls(prompt, model, orientation_size(size), size, count)


@dataclass(frozen=True, slots=True)
class GeneratedImage:
    data: bytes  # PNG, JPEG or WebP bytes as the provider sent them
    mime: str
    revised_prompt: str | None = None  # the prompt the model actually drew, when it says
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class ImageResult:
    images: tuple[GeneratedImage, ...]
    model: str
    usage: Usage = UNKNOWN_USAGE  # tokens the provider reported (OpenAI), else unknown
    billing: Mapping[str, float] = field(default_factory=dict)
    note: str | None = None  # e.g. fewer images than asked, with the reason


@dataclass(frozen=True, slots=True)
class TranscriptionRequest:
    audio: bytes
    filename: str  # with its extension: the provider tells the format by it
    model: str
    language: str | None = None  # ISO-639-1, e.g. "pt"
    prompt: str | None = None
    response_format: ResponseFormat = "json"

    def options(self) -> dict[str, str | None]:
        """What changes the transcript besides the audio and the model (part of the cache key)."""
        return {"language": self.language, "prompt": self.prompt,
                "response_format": self.response_format}


@dataclass(frozen=True, slots=True)
class TranscriptSegment:
    start: float  # seconds from the start of the audio
    end: float
    text: str


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    model: str
    duration_s: float | None = None  # None when the answer did not say (json/text formats)
    language: str | None = None
    segments: tuple[TranscriptSegment, ...] = ()
    usage: Usage = UNKNOWN_USAGE
    billing: Mapping[str, float] = field(default_factory=dict)


class ImageProvider(Protocol):
    id: str

    async def generate_images(self, request: ImageRequest) -> ImageResult: ...

    async def aclose(self) -> None: ...


class AudioProvider(Protocol):
    id: str

    async def transcribe(self, request: TranscriptionRequest) -> Transcript: ...

    async def aclose(self) -> None: ...


class KeyTester(Protocol):
    """What a connection test needs from a provider that does not chat (e.g. Stability)."""

    id: str

    async def list_models(self) -> list[ModelInfo]: ...

    async def aclose(self) -> None: ...


async def one_by_one(count: int, make: Callable[[], Awaitable[tuple[GeneratedImage, Usage]]],
                     ) -> tuple[list[GeneratedImage], list[Usage], list[BaseException], str | None]:
    """For providers that make one image per request (Stability, OpenRouter): `count`
    requests run together. Returns the images that came, their usage, the failures, and a
    note on the shortfall; raises the first failure when no image came. A failure that is not
    a provider error (a bug) is raised as it is."""
    import asyncio  # here: importing the catalogue (aidesk.providers) stays free of asyncio

    from aidesk.errors import ProviderError

    outcomes = await asyncio.gather(*(make() for _ in range(count)), return_exceptions=True)
    images = [o[0] for o in outcomes if isinstance(o, tuple)]
    usages = [o[1] for o in outcomes if isinstance(o, tuple)]
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    for failure in failures:
        if not isinstance(failure, ProviderError):
            raise failure
    if not images:
        raise failures[0]
    note = None
    if failures:
        note = ngettext("{count} image could not be made: {reason}",
                        "{count} images could not be made: {reason}", len(failures)).format(
            count=len(failures), reason=failures[0])
    return images, usages, failures, note
