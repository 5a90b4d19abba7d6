"""Audio transcription through the openai SDK, for OpenAI and Groq
(`client.audio.transcriptions.create`).

Sources: https://platform.openai.com/docs/api-reference/audio/createTranscription and the SDK:
openai/types/audio/transcription_create_params.py (`file` with an extension-bearing filename,
`model`, `language` ISO-639-1, `prompt`, `response_format` json | text | verbose_json …; "For
gpt-4o-transcribe and gpt-4o-mini-transcribe, the only supported format is json"), the
answers transcription.py `Transcription` {text, usage: tokens {input_tokens,
input_token_details{audio_tokens, text_tokens}, output_tokens} | duration {seconds}},
transcription_verbose.py {duration, language (its English name, e.g. "english"), text,
segments[{start, end, text}]}; `response_format="text"` returns a plain string
(openai/resources/audio/transcriptions.py overloads). Groq: https://console.groq.com/docs/
speech-to-text (whisper-large-v3, whisper-large-v3-turbo; the same fields; verbose_json with
duration and segments; json is {text, x_groq{id}} without usage). 25 MB per upload on both.
"""

from __future__ import annotations

from typing import Any

from aidesk.errors import MalformedResponse
from aidesk.i18n import _
from aidesk.providers.base import UNKNOWN_USAGE, ProviderInfo, ProviderSettings, Usage
from aidesk.providers.media import Transcript, TranscriptionRequest, TranscriptSegment
from aidesk.providers.openai_compat import OpenAICompatProvider

# verbose_json's language names → ISO-639-1 (the languages AIDesk's users meet most).
LANGUAGE_CODES = {"portuguese": "pt", "english": "en", "spanish": "es", "french": "fr",
                  "italian": "it", "german": "de"}


class OpenAIAudio(OpenAICompatProvider):
    async def transcribe(self, request: TranscriptionRequest) -> Transcript:
        args: dict[str, Any] = {"file": (request.filename, request.audio),
                                "model": request.model,
                                "response_format": request.response_format}
        if request.language:
            args["language"] = request.language
        if request.prompt:
            args["prompt"] = request.prompt
        try:
            response = await self.client.audio.transcriptions.create(**args)
        except Exception as exc:
            raise self.map_error(exc, request.model) from None
        if isinstance(response, str):  # response_format="text"
            return Transcript(response.strip(), request.model, language=request.language)
        text = getattr(response, "text", None)
        if not isinstance(text, str):
            raise MalformedResponse(self.id, _("the answer has no text"))
        duration = _float(getattr(response, "duration", None))
        usage, billing = UNKNOWN_USAGE, {}
        raw_usage: Any = getattr(response, "usage", None)
        kind = getattr(raw_usage, "type", None)
        if kind == "tokens":
            details = getattr(raw_usage, "input_token_details", None)
            usage = Usage(prompt_tokens=int(raw_usage.input_tokens or 0),
                          completion_tokens=int(raw_usage.output_tokens or 0))
            billing = {"input_tokens": float(usage.prompt_tokens),
                       "output_tokens": float(usage.completion_tokens)}
            if details is not None:
                billing["input_audio_tokens"] = float(details.audio_tokens or 0)
                billing["input_text_tokens"] = float(details.text_tokens or 0)
        elif kind == "duration":
            duration = duration if duration is not None else _float(raw_usage.seconds)
        if duration is not None and kind != "tokens":
            billing = {"audio_seconds": duration}
        segments = tuple(TranscriptSegment(float(s.start), float(s.end), str(s.text).strip())
                         for s in getattr(response, "segments", None) or ())
        language = getattr(response, "language", None) or request.language
        return Transcript(text.strip(), request.model, duration, _code(language), segments,
                          usage, billing)


def _code(language: Any) -> str | None:
    if not isinstance(language, str) or not language:
        return None
    return LANGUAGE_CODES.get(language.lower(), language.lower())


def _float(value: Any) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def build(settings: ProviderSettings, meta: ProviderInfo) -> OpenAIAudio:
    return OpenAIAudio(settings, meta)
