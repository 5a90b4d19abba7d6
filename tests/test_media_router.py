"""router.generate_images and router.transcribe: the chat pipeline's steps for media calls,
through the emulator and the real SDKs/httpx2 (providers in the user's order, fallback with
reasons, limits, usage and audit rows, the transcription cache, the spool)."""

from __future__ import annotations

import asyncio
import base64
import json
import sqlite3
from typing import Any

import pytest

from aidesk import settings
from aidesk.core import Core
from aidesk.errors import (
    AllProvidersFailed,
    ConfigError,
    LimitExceeded,
    Moderated,
    OutOfCredits,
    RateLimited,
)
from aidesk.providers import PROVIDERS
from aidesk.providers.media import MAX_AUDIO_BYTES
from aidesk.router import media_pricing
from aidesk.router.media_results import MediaInputError, NoMediaProvider
from aidesk.storage import spool
from aidesk.workspaces import Workspace
from tests.emulator.images_wire import IMAGE_TOKENS
from tests.media_support import (
    SPEECH,
    WORDS,
    audit_rows,
    images,
    png_size,
    run,
    transcribe,
    usage_rows,
)
from tests.support import configure, make_core

FAKE_KEY = "sk-proj-" + "Qq7" * 12  # shaped like a key: must never be stored
OPENAI_IMAGE = PROVIDERS["openai"].image_model


def test_images_come_from_the_first_image_provider_with_rows(core: Core, ws: Workspace,
                                                             emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic", "stability", "openai")
    result = images(core, ws, f"Banner de café, chave {FAKE_KEY}", size="16:9", count=2)
    assert (result.provider, result.model) == ("stability", "core")
    assert [png_size(i.data) for i in result.images] == [(8, 8), (8, 8)]
    assert result.names == (f"{result.request_id}-1.png", f"{result.request_id}-2.png")
    assert result.cost_usd == pytest.approx(2 * 3 * 0.01)  # Core: 3 credits per image
    assert result.cost_per_image == pytest.approx(0.03)
    assert not emulator.requests_for("anthropic")  # chat only: never asked for images
    (usage,) = usage_rows(core, result.request_id)
    assert usage["module"] == "images" and usage["outcome"] == "ok"
    assert usage["cost_usd"] == pytest.approx(0.06)
    assert usage["prompt_tokens"] is None  # Stability reports no tokens: NULL, not 0
    (audit,) = audit_rows(core, result.request_id)
    assert audit["response"] == "\n".join(result.names)
    assert audit["prompt"].endswith("[2 images, size 16:9]")
    assert FAKE_KEY not in audit["prompt"] and "sk-…" in audit["prompt"]
    stored = json.dumps(usage_rows(core) + audit_rows(core))
    assert "iVBOR" not in stored and base64.b64encode(result.images[0].data).decode() not in stored
    assert emulator.key("stability") not in stored


def test_openai_images_bill_their_tokens(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    result = images(core, ws, "Logo minimalista", size="1024x1536")
    assert (result.provider, result.model) == ("openai", OPENAI_IMAGE)
    assert result.usage.completion_tokens == IMAGE_TOKENS
    from genai_prices import Usage as PriceUsage
    from genai_prices import calc_price

    expected = calc_price(PriceUsage(input_tokens=2, input_text_tokens=2,
                                     output_tokens=IMAGE_TOKENS,
                                     output_image_tokens=IMAGE_TOKENS),
                          model_ref=OPENAI_IMAGE, provider_id="openai").total_price
    assert result.cost_usd == pytest.approx(float(expected))
    (usage,) = usage_rows(core, result.request_id)
    assert usage["total_tokens"] == 2 + IMAGE_TOKENS
    sent = emulator.requests_for("openai")[-1].body
    assert sent["size"] == "1024x1536" and sent["n"] == 1 and "response_format" not in sent


def test_an_image_provider_down_falls_back_to_the_next(core: Core, ws: Workspace,
                                                       emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openrouter", "openai")
    emulator.fault("stability", "overloaded")
    result = images(core, ws)
    assert result.provider == "openrouter"
    assert [(h.provider, h.error) for h in result.fallbacks] == [
        ("stability", "provider_unavailable")]
    assert result.cost_usd == pytest.approx(0.039)  # OpenRouter's own usage.cost
    (audit,) = audit_rows(core, result.request_id)
    hops = json.loads(audit["hops"])
    assert hops[0]["provider"] == "stability" and "overloaded or down" in hops[0]["message"]


def test_rate_limit_names_the_wait_then_falls_back(core: Core, ws: Workspace,
                                                   emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openai")
    emulator.fault("stability", "rate_limit", retry_after=7, times=1)
    result = images(core, ws)
    assert result.provider == "openai"
    (hop,) = result.fallbacks
    assert hop.error == "rate_limited" and "Try again in 7 s" in hop.message
    settings.set(core.workspaces, ws, "providers.openai.enabled", "false")
    emulator.fault("stability", "rate_limit", retry_after=7, times=1)
    with pytest.raises(RateLimited) as caught:
        images(core, ws, provider="stability")
    assert caught.value.retry_after == 7


def test_stability_moderation_and_no_credit(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "stability")
    emulator.fault("stability", "moderated", times=1)
    with pytest.raises(Moderated) as moderated:
        images(core, ws)
    assert "flagged by moderation" in moderated.value.user_message
    assert "not charged" in moderated.value.user_message
    emulator.fault("stability", "quota", times=1)
    with pytest.raises(OutOfCredits) as broke:
        images(core, ws)
    assert "no credit" in broke.value.user_message
    rows = usage_rows(core)
    assert [r["outcome"] for r in rows] == ["error", "error"]
    assert all(r["cost_usd"] is None for r in rows)  # refused requests are not charged


def test_a_blurred_stability_image_is_billed_and_falls_back(core: Core, ws: Workspace,
                                                            emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openai")
    emulator.fault("stability", "filtered", times=1)
    result = images(core, ws)
    assert result.provider == "openai"
    billed = [r for r in usage_rows(core) if r["provider"] == "stability"]
    assert [(r["outcome"], r["cost_usd"]) for r in billed] == [("error", pytest.approx(0.03))]


def test_every_image_provider_failing_lists_each(core: Core, ws: Workspace,
                                                 emulator: Any) -> None:
    configure(core, ws, emulator, "stability", "openai")
    emulator.fault("stability", "server_error")
    emulator.fault("openai", "moderated")
    with pytest.raises(AllProvidersFailed) as caught:
        images(core, ws)
    text = caught.value.user_message
    assert "stability" in text and "flagged by moderation" in text
    (row,) = usage_rows(core)
    assert row["outcome"] == "error" and row["module"] == "images"


def test_no_image_provider_says_which_do_images(core: Core, ws: Workspace,
                                                emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic", "groq")
    with pytest.raises(NoMediaProvider) as caught:
        images(core, ws)
    assert "No provider for image generation is set up" in caught.value.user_message
    assert "openai, openrouter, stability" in caught.value.user_message
    (row,) = usage_rows(core)
    assert row["outcome"] == "not_configured"
    with pytest.raises(ConfigError) as named:
        images(core, ws, provider="anthropic")
    assert "does not do image generation" in named.value.user_message


@pytest.mark.parametrize(("kw", "words"), [
    ({"prompt": "  "}, "prompt is empty"), ({"count": 5}, "1 to 4 images"),
    ({"size": "800x600"}, "is not offered"),
])
def test_bad_image_requests_are_refused_before_any_call(core: Core, ws: Workspace,
                                                        emulator: Any, kw: dict[str, Any],
                                                        words: str) -> None:
    configure(core, ws, emulator, "openai")
    with pytest.raises(MediaInputError) as caught:
        images(core, ws, **kw)
    assert words in caught.value.user_message
    assert not emulator.requests_for("openai") and not usage_rows(core)


def test_limits_count_one_request_per_call_and_the_real_cost(core: Core, ws: Workspace,
                                                             emulator: Any) -> None:
    configure(core, ws, emulator, "stability")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 2)
    core.workspaces.set_limit(ws.tenant_id, "cost_per_month", 10.0)
    images(core, ws, count=4)  # one request, however many images
    images(core, ws)
    with pytest.raises(LimitExceeded) as caught:
        images(core, ws)
    assert "requests per hour" in caught.value.user_message
    assert len(emulator.requests_for("stability")) == 5
    with core.db.raw() as conn:
        cost = conn.execute("SELECT cost_usd FROM ai_usage_counters WHERE period = 'month'"
                            ).fetchone()[0]
    assert cost == pytest.approx(5 * 0.03)
    assert usage_rows(core)[-1]["outcome"] == "refused"


def test_tokens_per_day_counts_the_tokens_the_provider_reports(core: Core, ws: Workspace,
                                                               emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 100_000)
    result = images(core, ws, "Logo")
    with core.db.raw() as conn:
        tokens = conn.execute("SELECT tokens FROM ai_usage_counters WHERE period = 'day'"
                              ).fetchone()[0]
    assert tokens == result.usage.total_tokens == 1 + IMAGE_TOKENS
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 2000)
    with pytest.raises(LimitExceeded) as caught:  # the reservation's upper estimate is refused
        images(core, ws, "Logo")
    assert "tokens per day" in caught.value.user_message


def test_a_refused_disk_write_spools_the_image_call(core: Core, ws: Workspace, emulator: Any,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    keyring_backend: Any) -> None:
    from aidesk.storage import db as db_module

    configure(core, ws, emulator, "stability")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 100)
    emulator.latency("stability", 0.6)
    monkeypatch.setattr(db_module, "_PRAGMAS", (
        "PRAGMA busy_timeout=150", "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON"))
    core.db.dispose()

    async def main() -> Any:
        task = asyncio.create_task(core.router.generate_images(ws, "Cartaz"))
        await asyncio.sleep(0.3)
        holder = sqlite3.connect(core.db.path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            return await task
        finally:
            holder.rollback()
            holder.close()
            await core.router.aclose()

    result = asyncio.run(main())
    assert result.images
    text = spool.spool_path(core.db.path).read_text(encoding="utf-8")
    assert result.request_id in text and result.names[0] in text and "iVBOR" not in text
    assert not usage_rows(core, result.request_id)
    core.close()
    reopened = make_core(core.data_dir, keyring_backend)
    (row,) = usage_rows(reopened, result.request_id)
    assert row["cost_usd"] == pytest.approx(0.03)
    reopened.close()


# -- transcription -----------------------------------------------------------------------------
def test_transcription_rows_cache_and_cost(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "groq", "openai")
    first = transcribe(core, ws, language="pt")
    assert (first.provider, first.model, first.text) == ("groq", "whisper-large-v3-turbo", WORDS)
    assert first.duration_s == 0.5  # the emulator's floor for a very short "recording"
    assert first.transcript.language == "pt" and len(first.transcript.segments) == 3
    assert first.cost_usd == pytest.approx(10 / 3600 * 0.04)  # Groq bills 10 s at least
    again = transcribe(core, ws, language="pt")
    assert again.cached and again.text == WORDS and again.cost_usd == 0.0
    assert again.transcript.segments == first.transcript.segments
    assert len(emulator.requests_for("groq")) == 1
    other = transcribe(core, ws, language="en")  # other options: another cache entry
    assert not other.cached
    fresh = transcribe(core, ws, language="pt", use_cache=False)
    assert not fresh.cached
    (audit,) = audit_rows(core, first.request_id)
    assert audit["prompt"] == f"Audio reuniao.mp3 ({len(SPEECH)} bytes)"
    assert audit["response"] == WORDS
    with core.db.raw() as conn:
        cached = [r[0] for r in conn.execute("SELECT response FROM ai_cache")]
    assert cached and all("EMU-SPEECH" not in r for r in cached)
    stored = json.dumps(usage_rows(core) + audit_rows(core)) + "".join(cached)
    assert "EMU-SPEECH" not in stored  # the audio's bytes are never kept
    assert emulator.key("groq") not in stored and emulator.key("openai") not in stored
    (usage,) = usage_rows(core, first.request_id)
    assert usage["module"] == "meetings" and usage["cost_usd"] == pytest.approx(first.cost_usd)


def test_transcription_per_minute_and_per_token(core: Core, ws: Workspace,
                                                emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    whisper = transcribe(core, ws, model="whisper-1")
    assert whisper.transcript.segments and whisper.duration_s is not None
    assert whisper.cost_usd == pytest.approx(whisper.duration_s / 60 * 0.006)
    tokens = transcribe(core, ws, model="gpt-4o-mini-transcribe")
    assert tokens.usage.known and tokens.usage.prompt_tokens > 0
    (row,) = usage_rows(core, tokens.request_id)
    assert row["prompt_tokens"] == tokens.usage.prompt_tokens and row["cost_usd"] > 0


def test_a_transcription_provider_down_falls_back(core: Core, ws: Workspace,
                                                  emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "groq")
    emulator.fault("openai", "server_error")
    result = transcribe(core, ws)
    assert result.provider == "groq"
    assert [h.provider for h in result.fallbacks] == ["openai"]
    settings.set(core.workspaces, ws, "providers.openai.enabled", "false")
    emulator.reset()
    assert transcribe(core, ws, filename="b.wav").provider == "groq"


@pytest.mark.parametrize(("audio", "name", "words"), [
    (b"", "a.mp3", "is empty"), (SPEECH, "notes.txt", "takes flac, m4a, mp3"),
    (b"\0" * (MAX_AUDIO_BYTES + 1), "long.mp3", "split it into parts"),
])
def test_bad_audio_is_refused_before_any_call(core: Core, ws: Workspace, emulator: Any,
                                              audio: bytes, name: str, words: str) -> None:
    configure(core, ws, emulator, "openai")
    with pytest.raises(MediaInputError) as caught:
        transcribe(core, ws, audio, name)
    assert words in caught.value.user_message
    assert not emulator.requests_for("openai")


def test_estimates_hold_an_upper_figure() -> None:
    tokens, cost = media_pricing.image_estimate("stability", "ultra", "x", 2)
    assert (tokens, cost) == (0, pytest.approx(0.16))
    tokens, cost = media_pricing.image_estimate("openai", OPENAI_IMAGE, "x" * 30, 1)
    assert tokens == 18 + media_pricing.OPENAI_IMAGE_TOKENS and cost > 0.1
    assert media_pricing.transcription_estimate("openai", "whisper-1", 16_000 * 60) == (
        0, pytest.approx(0.006))


def test_run_helper_closes_clients(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "stability")
    assert run(core, lambda: core.router.generate_images(ws, "x")).images
