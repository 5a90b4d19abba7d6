"""`POST /audio/transcriptions` of OpenAI and Groq: the multipart upload is checked, then a
json, text or verbose_json answer.

Sources:
- OpenAI: https://platform.openai.com/docs/api-reference/audio/createTranscription and the
  openai SDK: openai/types/audio/transcription_create_params.py (`file` and `model` required;
  `language`, `prompt`, `response_format` json | text | srt | verbose_json | vtt; "For
  gpt-4o-transcribe and gpt-4o-mini-transcribe, the only supported format is json"),
  transcription.py `Transcription` {text, usage: UsageTokens {type "tokens", input_tokens,
  input_token_details{audio_tokens, text_tokens}, output_tokens, total_tokens} | UsageDuration
  {type "duration", seconds}}, transcription_verbose.py {duration, language, text, segments,
  usage}, transcription_segment.py (id, seek, start, end, text, tokens, temperature,
  avg_logprob, compression_ratio, no_speech_prob). `language` in verbose_json is the language's
  English name ("english"). Uploads over 25 MB: 413 "Maximum content size limit (26214400)
  exceeded" (https://platform.openai.com/docs/guides/speech-to-text: "limited to 25 MB").
- Groq: https://console.groq.com/docs/speech-to-text and /api-reference#audio-transcription:
  the same fields and shapes, whisper-large-v3(-turbo); json {text, x_groq{id}}, verbose_json
  with duration and segments, "Max File Size 25 MB" (413 `request_too_large`).

The spoken words of a test's "audio": the bytes after an `EMU-SPEECH:` marker (UTF-8), else a
sentence naming the file. Its duration: one second per 16,000 bytes (128 kbit/s audio).
"""

from __future__ import annotations

from typing import Any

from .common import ERROR_KINDS, MEDIA_MODELS, Call, Response, count_tokens
from .multipart import parse
from .openai_errors import error

MAX_BYTES = 25 * 1024 * 1024
BYTES_PER_SECOND = 16_000
MARKER = b"EMU-SPEECH:"
_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
_JSON_ONLY = ("gpt-4o-transcribe", "gpt-4o-mini-transcribe")
_TOKEN_BILLED = _JSON_ONLY  # the others bill by duration (openai/types/audio/transcription.py)


def speech(filename: str, data: bytes) -> str:
    """What the emulated model hears in `data`."""
    at = data.find(MARKER)
    if at >= 0:
        return data[at + len(MARKER):].decode("utf-8", "replace").strip()
    return f"Audio {filename}: {len(data)} bytes."


def duration(data: bytes) -> float:
    return round(max(len(data) / BYTES_PER_SECOND, 0.5), 2)


def transcriptions(call: Call) -> Response:
    if len(call.raw) > MAX_BYTES:  # the whole request body, as the real front end counts it
        if call.provider == "groq":
            return Response.json(413, {"error": {"message": "Request Entity Too Large",
                                                 "type": "invalid_request_error",
                                                 "code": "request_too_large"}})
        return Response.json(413, {"error": {
            "message": f"Maximum content size limit ({MAX_BYTES}) exceeded ({len(call.raw)} "
                       "bytes read)", "type": "server_error", "param": None, "code": None}})
    form = parse(call.headers, call.raw)
    if form is None:
        return error(call, "invalid", message="Invalid Content-Type header (expected "
                                              "multipart/form-data).")
    model = form.fields.get("model", "")
    fault = call.take_fault("generate", False)
    if fault is not None and fault.kind == "slow":
        call.sleep(2.0 if fault.seconds is None else fault.seconds)
        fault = None
    if fault is not None and fault.kind in ERROR_KINDS:
        return error(call, fault.kind, fault=fault, model=model, key=call.bearer())
    upload = form.files.get("file")
    if upload is None:
        return error(call, "missing", param="file", code="missing_required_parameter",
                     message="Missing required parameter: 'file'.")
    if not upload.filename or "." not in upload.filename:
        return error(call, "invalid", param="file", code="invalid_value",
                     message="Unrecognized file format. Supported formats: ['flac', 'm4a', "
                             "'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']")
    if not model:
        return error(call, "missing", param="model", code="missing_required_parameter",
                     message="Missing required parameter: 'model'.")
    if model not in MEDIA_MODELS.get(call.provider, ()):
        return error(call, "model_not_found", model=model)
    fmt = form.fields.get("response_format", "json")
    if fmt not in _FORMATS or (model in _JSON_ONLY and fmt not in ("json", "text")):
        return error(call, "invalid", param="response_format", code="unsupported_value",
                     message=f"response_format '{fmt}' is not compatible with model "
                             f"'{model}'. Use 'json' or 'text'.")
    heard = call.heard(upload.filename, upload.data)  # a test's listener (server.listener)
    text, seconds = heard if heard is not None else (speech(upload.filename, upload.data),
                                                     duration(upload.data))
    if fmt == "text":
        return Response(200, (text + "\n").encode(), {"content-type": "text/plain; charset=utf-8"})
    if fmt == "verbose_json":
        return Response.json(200, _verbose(call, form.fields.get("language"), text, seconds))
    body: dict[str, Any] = {"text": text}
    if call.provider == "groq":
        body["x_groq"] = {"id": f"req_emu{call.next_id()}"}
    elif model in _TOKEN_BILLED:
        audio_tokens, out = int(seconds * 10) + 1, count_tokens(text)
        body["usage"] = {"type": "tokens", "input_tokens": audio_tokens,
                         "input_token_details": {"text_tokens": 0, "audio_tokens": audio_tokens},
                         "output_tokens": out, "total_tokens": audio_tokens + out}
    else:
        body["usage"] = {"type": "duration", "seconds": seconds}
    return Response.json(200, body)


_NAMES = {"pt": "portuguese", "en": "english", "es": "spanish", "fr": "french", "it": "italian"}


def _verbose(call: Call, language: str | None, text: str, seconds: float) -> dict[str, Any]:
    sentences = [s.strip() + "." for s in text.split(".") if s.strip()] or [text]
    step = seconds / len(sentences)
    segments = [{"id": i, "seek": 0, "start": round(i * step, 2),
                 "end": round((i + 1) * step, 2), "text": " " + sentence,
                 "tokens": list(range(50364, 50364 + count_tokens(sentence))),
                 "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.2,
                 "no_speech_prob": 0.01} for i, sentence in enumerate(sentences)]
    name = _NAMES.get(language or "pt", "portuguese")
    body: dict[str, Any] = {"task": "transcribe", "language": name, "duration": seconds,
                            "text": text, "segments": segments}
    if call.provider == "groq":
        body["language"] = name.capitalize()
        body["x_groq"] = {"id": f"req_emu{call.next_id()}"}
    else:
        body["usage"] = {"type": "duration", "seconds": seconds}
    return body
