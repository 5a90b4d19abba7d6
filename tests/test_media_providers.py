"""Each image and audio provider module against the emulator, through the openai SDK and httpx2:
what goes on the wire, what comes back, and every failure typed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from aidesk import errors, providers
from aidesk.providers.base import ProviderSettings
from aidesk.providers.media import (
    MAX_AUDIO_BYTES,
    ImageRequest,
    TranscriptionRequest,
)
from tests.emulator.images_wire import IMAGE_TOKENS, OPENROUTER_IMAGE_COST
from tests.media_support import SPEECH, WORDS, png_size

IMAGE_PROVIDERS = ("openai", "openrouter", "stability")
AUDIO_PROVIDERS = ("openai", "groq")


def run(provider_id: str, capability: str, emulator: Any,
        action: Callable[[Any], Awaitable[Any]], *, key: str | None = None) -> Any:
    async def main() -> Any:
        client = providers.create_media(ProviderSettings(
            provider_id, key if key is not None else emulator.key(provider_id),
            emulator.base_url(provider_id), timeout_s=10), capability)
        try:
            return await action(client)
        finally:
            await client.aclose()

    return asyncio.run(main())


def image_request(provider_id: str, size: str = "1024x1024", count: int = 1,
                  model: str | None = None) -> ImageRequest:
    return ImageRequest.of("Café artesanal", model or providers.PROVIDERS[provider_id].image_model,
                           size, count)


@pytest.mark.parametrize("provider_id", IMAGE_PROVIDERS)
def test_each_image_provider_returns_real_pngs(provider_id: str, emulator: Any) -> None:
    result = run(provider_id, "images", emulator,
                 lambda c: c.generate_images(image_request(provider_id, "16:9", 2)))
    assert len(result.images) == 2 and result.note is None
    for image in result.images:
        assert image.mime == "image/png" and png_size(image.data) == (8, 8)
    assert result.model == providers.PROVIDERS[provider_id].image_model


def test_openai_images_wire(emulator: Any) -> None:
    result = run("openai", "images", emulator,
                 lambda c: c.generate_images(image_request("openai", "16:9", 2)))
    request = emulator.requests_for("openai")[-1]
    assert request.path == "/openai/v1/images/generations"
    assert request.body == {"model": providers.PROVIDERS["openai"].image_model,
                            "prompt": "Café artesanal", "n": 2, "size": "1536x1024",
                            "output_format": "png"}
    assert request.headers["authorization"] == f"Bearer {emulator.key('openai')}"
    assert result.usage.completion_tokens == 2 * IMAGE_TOKENS
    assert result.billing["output_image_tokens"] == 2 * IMAGE_TOKENS
    assert result.billing["input_text_tokens"] == 2


def test_openrouter_images_wire(emulator: Any) -> None:
    result = run("openrouter", "images", emulator,
                 lambda c: c.generate_images(image_request("openrouter", "4:5", 2)))
    sent = emulator.requests_for("openrouter")
    assert len(sent) == 2  # one image per answer: one request per image
    assert sent[0].body["modalities"] == ["image", "text"]
    assert sent[0].body["image_config"] == {"aspect_ratio": "4:5"}
    assert sent[0].body["messages"] == [{"role": "user", "content": "Café artesanal"}]
    assert result.usage.cost_usd == pytest.approx(2 * OPENROUTER_IMAGE_COST)


@pytest.mark.parametrize(("model", "path", "form_model"), [
    ("core", "/stability/v2beta/stable-image/generate/core", None),
    ("ultra", "/stability/v2beta/stable-image/generate/ultra", None),
    ("sd3.5-large-turbo", "/stability/v2beta/stable-image/generate/sd3", "sd3.5-large-turbo"),
])
def test_stability_wire(emulator: Any, model: str, path: str, form_model: str | None) -> None:
    result = run("stability", "images", emulator,
                 lambda c: c.generate_images(image_request("stability", "9:16", model=model)))
    assert result.billing == {"images": 1.0}
    (request,) = emulator.requests_for("stability")
    assert request.path == path and request.headers["accept"] == "image/*"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    expected = {"prompt": "Café artesanal", "output_format": "png", "aspect_ratio": "9:16"}
    if form_model:
        expected["model"] = form_model
    assert request.body == expected
    assert result.images[0].seed is not None


def test_stability_auto_size_sends_no_aspect(emulator: Any) -> None:
    run("stability", "images", emulator,
        lambda c: c.generate_images(image_request("stability", "auto")))
    assert "aspect_ratio" not in emulator.requests_for("stability")[-1].body


def test_stability_json_answers_and_multipart_only(emulator: Any) -> None:
    """The emulator honours `Accept: application/json` and refuses a non-multipart body, as
    Stability's reference says."""
    import base64

    import httpx2

    url = emulator.base_url("stability") + "/v2beta/stable-image/generate/core"
    auth = {"Authorization": f"Bearer {emulator.key('stability')}"}
    answer = httpx2.post(url, headers=auth | {"Accept": "application/json"},
                         files={"prompt": (None, "x")})
    body = answer.json()
    assert answer.status_code == 200 and body["finish_reason"] == "SUCCESS"
    assert png_size(base64.b64decode(body["image"])) == (8, 8)
    refused = httpx2.post(url, headers=auth, json={"prompt": "x"})
    assert refused.status_code == 400 and refused.json()["name"] == "bad_request"


def test_stability_keeps_the_images_that_came(emulator: Any) -> None:
    emulator.fault("stability", "server_error", times=1)
    result = run("stability", "images", emulator,
                 lambda c: c.generate_images(image_request("stability", count=3)))
    assert len(result.images) == 2 and result.billing == {"images": 2.0}
    assert result.note is not None and result.note.startswith("1 image could not be made")


IMAGE_FAULTS = {
    "invalid_key": errors.InvalidKey, "rate_limit": errors.RateLimited,
    "quota": errors.OutOfCredits, "overloaded": errors.ProviderUnavailable,
    "server_error": errors.ProviderUnavailable, "moderated": errors.Moderated,
}


@pytest.mark.parametrize("kind", sorted(IMAGE_FAULTS))
@pytest.mark.parametrize("provider_id", IMAGE_PROVIDERS)
def test_each_image_failure_is_typed(provider_id: str, kind: str, emulator: Any) -> None:
    emulator.fault(provider_id, kind, retry_after=3)
    with pytest.raises(IMAGE_FAULTS[kind]) as caught:
        run(provider_id, "images", emulator,
            lambda c: c.generate_images(image_request(provider_id)))
    if isinstance(caught.value, errors.RateLimited):
        assert caught.value.retry_after == 3
    assert emulator.key(provider_id) not in caught.value.user_message


@pytest.mark.parametrize("provider_id", IMAGE_PROVIDERS)
def test_wrong_key_and_unknown_model(provider_id: str, emulator: Any) -> None:
    with pytest.raises(errors.InvalidKey):
        run(provider_id, "images", emulator,
            lambda c: c.generate_images(image_request(provider_id)), key="sk-nope-0123456789abc")
    with pytest.raises(errors.ModelNotFound):
        run(provider_id, "images", emulator,
            lambda c: c.generate_images(image_request(provider_id, model="no-such-model")))


# -- transcription -----------------------------------------------------------------------------
def audio_request(provider_id: str, fmt: str, model: str | None = None,
                  audio: bytes = SPEECH) -> TranscriptionRequest:
    return TranscriptionRequest(audio, "reuniao.m4a",
                                model or providers.PROVIDERS[provider_id].transcription_model,
                                "pt", None, fmt)  # type: ignore[arg-type]


@pytest.mark.parametrize("provider_id", AUDIO_PROVIDERS)
@pytest.mark.parametrize("fmt", ["json", "text", "verbose_json"])
def test_transcription_formats(provider_id: str, fmt: str, emulator: Any) -> None:
    model = "whisper-1" if provider_id == "openai" else None
    transcript = run(provider_id, "transcription", emulator,
                     lambda c: c.transcribe(audio_request(provider_id, fmt, model)))
    assert transcript.text == WORDS and transcript.language == "pt"
    request = emulator.requests_for(provider_id)[-1]
    assert request.path.endswith("/audio/transcriptions")
    assert request.headers["content-type"].startswith("multipart/form-data")
    assert request.body["file"] == {"filename": "reuniao.m4a", "size": len(SPEECH),
                                    "content_type": request.body["file"]["content_type"]}
    assert request.body["model"] == transcript.model
    assert request.body["response_format"] == fmt and request.body["language"] == "pt"
    if fmt == "verbose_json":
        assert transcript.duration_s == 0.5
        assert [s.text for s in transcript.segments] == [
            "Bom dia a todos.", "Decidimos lancar a campanha na sexta.", "Ana envia o briefing."]
        assert transcript.segments[-1].end == pytest.approx(0.5)
        assert transcript.billing == {"audio_seconds": 0.5}
    elif fmt == "text":
        assert transcript.duration_s is None and not transcript.billing
    elif provider_id == "openai":  # whisper-1's json still reports its billed duration
        assert transcript.duration_s == 0.5


def test_token_billed_transcription_reports_tokens(emulator: Any) -> None:
    transcript = run("openai", "transcription", emulator,
                     lambda c: c.transcribe(audio_request("openai", "json",
                                                          "gpt-4o-transcribe")))
    assert transcript.usage.known and transcript.usage.completion_tokens > 0
    assert transcript.billing["input_audio_tokens"] == transcript.usage.prompt_tokens
    with pytest.raises(errors.Unsupported):  # gpt-4o models answer json only
        run("openai", "transcription", emulator,
            lambda c: c.transcribe(audio_request("openai", "verbose_json",
                                                 "gpt-4o-transcribe")))


@pytest.mark.parametrize("provider_id", AUDIO_PROVIDERS)
def test_over_25_mb_is_refused_by_the_provider(provider_id: str, emulator: Any) -> None:
    big = b"\0" * (MAX_AUDIO_BYTES + 1)
    with pytest.raises(errors.BadRequest) as caught:
        run(provider_id, "transcription", emulator,
            lambda c: c.transcribe(audio_request(provider_id, "json", audio=big)))
    assert caught.value.status == 413


@pytest.mark.parametrize("kind", ["invalid_key", "rate_limit", "quota", "overloaded"])
@pytest.mark.parametrize("provider_id", AUDIO_PROVIDERS)
def test_each_transcription_failure_is_typed(provider_id: str, kind: str,
                                             emulator: Any) -> None:
    emulator.fault(provider_id, kind, retry_after=2)
    with pytest.raises(IMAGE_FAULTS[kind]):
        run(provider_id, "transcription", emulator,
            lambda c: c.transcribe(audio_request(provider_id, "json")))


def test_a_provider_without_the_capability_is_refused() -> None:
    with pytest.raises(errors.ConfigError) as caught:
        providers.create_media(ProviderSettings("anthropic", "k"), "images")
    assert "does not do image generation" in caught.value.user_message
