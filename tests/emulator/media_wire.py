"""Image and audio endpoints in front of the OpenAI-compatible wire: OpenAI's images and
transcriptions, Groq's transcriptions, OpenRouter's image answers (images_wire.py,
audio_wire.py); every other request goes on to openai_wire.route."""

from __future__ import annotations

from collections.abc import Callable

from .audio_wire import transcriptions
from .common import Call, Response
from .images_wire import is_image_chat, openai_images, openrouter_images
from .openai_errors import error


def wrap(route: Callable[[Call], Response]) -> Callable[[Call], Response]:
    def media_first(call: Call) -> Response:
        path = call.path.rstrip("/")
        if call.method != "POST" or path not in ("/images/generations", "/audio/transcriptions",
                                                 "/chat/completions"):
            return route(call)
        key = call.bearer()
        if key is None or key not in call.valid_keys:
            return error(call, "invalid_key" if key else "missing_key", key=key)
        if path == "/images/generations" and call.provider == "openai":
            return openai_images(call)
        if path == "/audio/transcriptions" and call.provider in ("openai", "groq"):
            return transcriptions(call)
        if path == "/chat/completions" and is_image_chat(call):
            return openrouter_images(call)
        return route(call)

    return media_first
