"""Capabilities per provider, the media request shapes, and chat routing that never reaches a
provider without "chat" (Stability)."""

from __future__ import annotations

import asyncio
import typing
from typing import Any

import pytest

from aidesk import providers, settings
from aidesk.core import Core
from aidesk.errors import ConfigError, NoProviderAvailable
from aidesk.providers.media import ASPECTS, SIZES, ImageRequest, image_mime
from aidesk.router import RouterResult
from aidesk.router.keycheck import REJECTED, VERIFIED, verify_key
from aidesk.workspaces import Workspace
from tests.emulator.images_wire import png
from tests.support import configure


def ask(core: Core, ws: Workspace, prompt: str, **kw: Any) -> RouterResult:
    async def main() -> RouterResult:
        try:
            return await core.router.ask(ws, prompt, **kw)
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def test_capabilities_per_provider() -> None:
    caps = {p: set(meta.capabilities) for p, meta in providers.PROVIDERS.items()}
    assert caps == {
        "openai": {"chat", "images", "transcription"},
        "groq": {"chat", "transcription"},
        "openrouter": {"chat", "images"},
        "gemini": {"chat"}, "anthropic": {"chat"}, "local": {"chat"},
        "stability": {"images"},
    }
    assert providers.with_capability("images") == ("openai", "openrouter", "stability")
    assert providers.with_capability("transcription") == ("openai", "groq")
    assert "stability" not in providers.CHAT_PROVIDER_IDS
    stability = providers.PROVIDERS["stability"]
    assert stability.default_base_url == "https://api.stability.ai"
    assert stability.needs_key


def test_openai_image_default_is_a_current_sdk_model() -> None:
    """The default comes from the installed SDK's ImageModel literal, and is not one of the
    models its docstring lists as shut down."""
    from openai.types import image_model

    allowed = typing.get_args(image_model.ImageModel)
    default = providers.PROVIDERS["openai"].image_model
    assert default in allowed
    assert {"dall-e-2", "dall-e-3", "gpt-image-1"} <= set(allowed)  # still typed, but retired
    assert default not in {"dall-e-2", "dall-e-3", "gpt-image-1"}
    from openai.types import audio_model

    assert providers.PROVIDERS["openai"].transcription_model in typing.get_args(
        audio_model.AudioModel)


@pytest.mark.parametrize(("size", "openai_size", "aspect"), [
    ("1024x1024", "1024x1024", "1:1"), ("1536x1024", "1536x1024", "3:2"),
    ("1024x1536", "1024x1536", "2:3"), ("auto", "auto", None),
    ("16:9", "1536x1024", "16:9"), ("9:16", "1024x1536", "9:16"), ("4:5", "1024x1536", "4:5"),
    ("1:1", "1024x1024", "1:1"),
])
def test_image_request_sizes(size: str, openai_size: str, aspect: str | None) -> None:
    request = ImageRequest.of("x", "m", size, 2)
    assert (request.size, request.aspect_ratio, request.count) == (openai_size, aspect, 2)
    assert size in SIZES or size in ASPECTS


def test_image_mime_by_bytes() -> None:
    assert image_mime(png("a")) == "image/png"
    assert image_mime(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert image_mime(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_mime(b"<html>") is None


def test_chat_never_routes_to_stability(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openai")
    route = core.router.resolve(ws, None, None, "marketing")
    assert [t.provider for t in route.targets] == ["openai"]
    result = ask(core, ws, "Olá")
    assert result.provider == "openai"
    assert not emulator.requests_for("stability")
    images = core.router.resolve(ws, None, None, "images", capability="images")
    assert [(t.provider, t.model) for t in images.targets] == [
        ("stability", "core"), ("openai", providers.PROVIDERS["openai"].image_model)]


def test_chat_with_only_stability_names_no_image_provider(core: Core, ws: Workspace,
                                                          emulator: Any) -> None:
    configure(core, ws, emulator, "stability")
    with pytest.raises(NoProviderAvailable) as caught:
        ask(core, ws, "Olá")
    assert "Stability" not in caught.value.user_message


def test_chat_named_to_stability_is_refused_in_one_sentence(core: Core, ws: Workspace,
                                                            emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openai")
    with pytest.raises(ConfigError) as caught:
        ask(core, ws, "Olá", provider="stability")
    assert caught.value.user_message.startswith("stability does not do text (chat) calls.")
    assert "openai" in caught.value.user_message
    assert not emulator.requests_for("stability")


def test_chat_preference_for_stability_is_ignored(core: Core, ws: Workspace,
                                                  emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openai")
    core.workspaces.set_preference(ws.tenant_id, core.user_id, "marketing", "stability", "core")
    route = core.router.resolve(ws, None, None, "marketing")
    assert [t.provider for t in route.targets] == ["openai"]


def test_fallback_setting_is_the_chat_chain(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "stability", "groq")
    assert settings.get(core.workspaces, ws, "fallback") == "openai,groq"
    with pytest.raises(ConfigError) as caught:
        settings.set(core.workspaces, ws, "fallback", "stability,openai")
    assert "only makes images" in caught.value.user_message
    assert "providers.stability.enabled" in caught.value.user_message
    notes = settings.set(core.workspaces, ws, "fallback", "groq")
    assert core.workspaces.config(ws.tenant_id, "stability").enabled  # never turned off by it
    assert not core.workspaces.config(ws.tenant_id, "openai").enabled
    assert any("openai" in note for note in notes)
    assert "stability" not in "".join(notes)


def test_stability_key_test_is_a_real_call(emulator: Any) -> None:
    check = asyncio.run(verify_key("stability", emulator.key("stability"),
                                   base_url=emulator.base_url("stability")))
    assert check.outcome == VERIFIED, check.message
    assert {m.id for m in check.models} == {"core", "ultra", "sd3.5-large", "sd3.5-large-turbo",
                                            "sd3.5-medium", "sd3.5-flash"}
    request = emulator.requests_for("stability")[-1]
    assert (request.method, request.path) == ("GET", "/stability/v1/user/balance")
    assert request.headers["authorization"] == f"Bearer {emulator.key('stability')}"
    wrong = asyncio.run(verify_key("stability", "sk-wrong-key-0123456789abcdef",
                                   base_url=emulator.base_url("stability")))
    assert wrong.outcome == REJECTED
    assert "sk-wrong-key" not in wrong.message


def test_image_and_transcription_models_are_settings(core: Core, ws: Workspace,
                                                     emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "groq", "stability")
    store = core.workspaces
    default = providers.PROVIDERS["openai"].image_model
    assert settings.get(store, ws, "providers.openai.image_model") == default
    assert settings.get(store, ws, "providers.groq.transcription_model") == (
        "whisper-large-v3-turbo")
    settings.set(store, ws, "providers.openai.image_model", "gpt-image-1.5")
    settings.set(store, ws, "providers.groq.transcription_model", "whisper-large-v3")
    assert settings.get(store, ws, "providers.openai.model") == "gpt-4o-mini"  # chat untouched
    route = core.router.resolve(ws, None, None, "images", capability="images")
    assert ("openai", "gpt-image-1.5") in [(t.provider, t.model) for t in route.targets]
    route = core.router.resolve(ws, None, None, "meetings", capability="transcription")
    assert [(t.provider, t.model) for t in route.targets] == [
        ("openai", "gpt-transcribe"), ("groq", "whisper-large-v3")]
    settings.set(store, ws, "providers.openai.image_model", "default")
    assert settings.get(store, ws, "providers.openai.image_model") == default
    settings.set(store, ws, "providers.stability.model", "ultra")  # images only: its model
    assert settings.get(store, ws, "providers.stability.model") == "ultra"
    for wrong in ("providers.anthropic.image_model", "providers.stability.image_model",
                  "providers.openrouter.transcription_model"):
        with pytest.raises(ConfigError):
            settings.set(store, ws, wrong, "x")
