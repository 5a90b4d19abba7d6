"""The router pipeline against the emulator: choice, cache, limits, fallback, records."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from genai_prices import Usage as PriceUsage
from genai_prices import calc_price

from aidesk import errors
from aidesk.core import Core
from aidesk.providers.base import ChatRequest
from aidesk.router import KeyRejected, LimitWarning, RouterResult
from aidesk.storage import tables as t
from aidesk.storage.types import utcnow
from aidesk.workspaces import Workspace
from tests.emulator import reply_text
from tests.emulator.openai_chat import OPENROUTER_PRICE
from tests.support import configure


def ask(core: Core, ws: Workspace, prompt: str | ChatRequest = "Olá",
        **kw: Any) -> RouterResult:
    async def main() -> RouterResult:
        try:
            return await core.router.ask(ws, prompt, **kw)
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def rows(core: Core, table: sa.Table) -> list[Any]:
    with core.db.connect() as conn:
        return list(conn.execute(sa.select(table).order_by(table.c.created_at)).all())


def test_fallback_order_decides_and_rows_are_written(core: Core, ws: Workspace,
                                                     emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic", "openai")
    result = ask(core, ws, "Crie um slogan", module="marketing")
    assert result.provider == "anthropic"
    assert result.text == reply_text("anthropic", "claude-3-5-haiku-latest", "Crie um slogan")
    assert not result.cached and result.hops == ()
    [usage] = rows(core, t.ai_usage_logs)
    [audit] = rows(core, t.ai_audit_logs)
    assert usage.request_id == audit.request_id == result.request_id
    assert (usage.provider, usage.model, usage.module, usage.user_id) == (
        "anthropic", "claude-3-5-haiku-latest", "marketing", "tester")
    assert usage.total_tokens == result.usage.total_tokens > 0
    assert usage.outcome == "ok" and not usage.cached
    assert audit.success and audit.prompt == "Crie um slogan" and audit.response == result.text
    assert audit.tokens_used == usage.total_tokens
    assert usage.created_at.tzinfo is not None
    assert abs(usage.created_at - utcnow()) < timedelta(minutes=1)


def test_explicit_provider_and_model(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic", "openai")
    result = ask(core, ws, provider="openai", model="gpt-4o")
    assert (result.provider, result.model) == ("openai", "gpt-4o")


def test_module_preference_comes_before_fallback_order(core: Core, ws: Workspace,
                                                       emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic", "openai", "gemini")
    core.workspaces.set_preference(ws.tenant_id, "tester", "leads", "gemini", "gemini-2.5-pro")
    assert ask(core, ws, module="leads").provider == "gemini"
    assert ask(core, ws, module="leads").model == "gemini-2.5-pro"
    assert ask(core, ws, "other", module="marketing").provider == "anthropic"


def test_cost_comes_from_genai_prices(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    result = ask(core, ws, "preço")
    expected = calc_price(PriceUsage(input_tokens=result.usage.prompt_tokens,
                                     output_tokens=result.usage.completion_tokens),
                          model_ref="gpt-4o-mini", provider_id="openai").total_price
    assert result.cost_usd == pytest.approx(float(expected))
    assert rows(core, t.ai_usage_logs)[0].cost_usd == pytest.approx(float(expected))


def test_openrouter_reported_cost_wins(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openrouter")
    result = ask(core, ws, "custo")
    u = result.usage
    reported = u.prompt_tokens * OPENROUTER_PRICE[0] + u.completion_tokens * OPENROUTER_PRICE[1]
    computed = calc_price(PriceUsage(input_tokens=u.prompt_tokens,
                                     output_tokens=u.completion_tokens),
                          model_ref="openai/gpt-4o-mini", provider_id="openrouter").total_price
    assert reported != pytest.approx(float(computed)), "the test must tell the two apart"
    assert result.cost_usd == pytest.approx(reported)
    assert rows(core, t.ai_usage_logs)[0].cost_usd == pytest.approx(reported)


def test_unknown_model_cost_is_null_with_a_warning(core: Core, ws: Workspace, emulator: Any,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    configure(core, ws, emulator, "local")
    core.workspaces.update_config(ws.tenant_id, "groq", base_url=emulator.base_url("groq"),
                                  model="qwen/qwen3-32b-unpriced")
    from aidesk.router.keycheck import store_key

    store_key(core.workspaces, core.keys, ws, "groq", emulator.key("groq"), None)
    emulator.add_model("groq", "qwen/qwen3-32b-unpriced")
    result = ask(core, ws, provider="groq")
    assert result.cost_usd is None
    assert rows(core, t.ai_usage_logs)[0].cost_usd is None
    assert "No price known" in caplog.text
    assert ask(core, ws, "local call", provider="local").cost_usd == 0.0


def test_fallback_across_three_providers_records_hops(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic", "gemini")
    emulator.fault("openai", "rate_limit", retry_after=30)
    emulator.fault("anthropic", "overloaded")
    result = ask(core, ws, "fallback please")
    assert result.provider == "gemini"
    assert [(h.provider, h.error) for h in result.hops] == [
        ("openai", "rate_limited"), ("anthropic", "provider_unavailable")]
    assert "30 s" in result.hops[0].message
    [audit] = rows(core, t.ai_audit_logs)
    assert [h["provider"] for h in audit.hops] == ["openai", "anthropic"]
    assert audit.success and audit.provider == "gemini"


def test_all_failing_lists_every_reason(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic", "gemini")
    emulator.fault("openai", "server_error")
    emulator.fault("anthropic", "overloaded")
    emulator.latency("gemini", 1.0)
    core.workspaces.update_config(ws.tenant_id, "gemini", options={"timeout_s": 0.2})
    with pytest.raises(errors.AllProvidersFailed) as caught:
        ask(core, ws, "nothing works")
    message = caught.value.user_message
    assert "openai" in message and "anthropic" in message and "gemini" in message
    [usage] = rows(core, t.ai_usage_logs)
    [audit] = rows(core, t.ai_audit_logs)
    assert usage.outcome == "error" and not audit.success
    assert len(audit.hops) == 3 and audit.error_message == message


def test_invalid_key_falls_back_and_marks_the_key(core: Core, ws: Workspace,
                                                  emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "groq", keys={"openai": "test-key-revoked-0000"})
    events: list[Any] = []
    core.router.subscribe(events.append)
    result = ask(core, ws)
    assert result.provider == "groq" and result.hops[0].error == "invalid_key"
    assert core.workspaces.config(ws.tenant_id, "openai").last_test_status == "rejected"
    assert any(isinstance(e, KeyRejected) and e.provider == "openai" for e in events)
    emulator.reset()
    ask(core, ws, "second call")
    assert not emulator.requests_for("openai"), "a failing key is skipped until fixed"


def test_bad_request_does_not_fall_back(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "groq")
    emulator.fault("openai", "bad_request", times=1)
    with pytest.raises(errors.BadRequest):
        ask(core, ws)
    assert not emulator.requests_for("groq")


def test_cache_hit_costs_nothing_and_survives_offline(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    first = ask(core, ws, "cache me")
    emulator.fault("openai", "server_error")
    core.workspaces.update_config(ws.tenant_id, "openai", base_url="http://127.0.0.1:9/v1")
    second = ask(core, ws, "cache me")
    assert second.cached and second.text == first.text and second.cost_usd == 0.0
    usage = rows(core, t.ai_usage_logs)
    assert [u.cached for u in usage] == [False, True]
    with pytest.raises(errors.NetworkUnreachable):
        ask(core, ws, "cache me", use_cache=False)


def test_cache_expires(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    ask(core, ws, "short lived")
    later = utcnow() + timedelta(days=7, minutes=1)
    core.router.clock = lambda: later
    assert not ask(core, ws, "short lived").cached
    assert len(emulator.requests_for("openai")) == 2


def test_cache_key_covers_model_and_options(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    ask(core, ws, "same prompt")
    assert not ask(core, ws, "same prompt", model="gpt-4o").cached
    assert not ask(core, ws, "same prompt", max_tokens=50).cached
    assert not ask(core, ws, "same prompt", system="be brief").cached
    assert ask(core, ws, "same prompt").cached


def test_automatic_call_serves_any_fresh_cached_answer_in_the_chain(
        core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    answered = ask(core, ws, "cached on anthropic", provider="anthropic")
    emulator.reset()
    result = ask(core, ws, "cached on anthropic")
    assert result.cached and result.provider == "anthropic" and result.text == answered.text
    assert emulator.requests == []
    assert not ask(core, ws, "cached on anthropic", provider="openai").cached


def test_cache_hit_served_over_a_limit(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 1)
    ask(core, ws, "one")
    with pytest.raises(errors.LimitExceeded):
        ask(core, ws, "two")
    assert ask(core, ws, "one").cached


def test_limit_holds_under_50_concurrent_calls(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 20)
    emulator.latency("openai", 0.2)

    async def main() -> list[Any]:
        try:
            calls = [core.router.ask(ws, f"prompt {i}") for i in range(50)]
            return await asyncio.gather(*calls, return_exceptions=True)
        finally:
            await core.router.aclose()

    results = asyncio.run(main())
    ok = [r for r in results if isinstance(r, RouterResult)]
    refused = [r for r in results if isinstance(r, errors.LimitExceeded)]
    assert (len(ok), len(refused)) == (20, 30)
    assert len(emulator.requests_for("openai")) == 20
    assert "requests per hour is 20" in refused[0].user_message
    outcomes = [u.outcome for u in rows(core, t.ai_usage_logs)]
    assert outcomes.count("ok") == 20 and outcomes.count("refused") == 30


def test_limit_holds_across_threads(core: Core, ws: Workspace, emulator: Any) -> None:
    """Separate event loops in separate threads share only the database."""
    from concurrent.futures import ThreadPoolExecutor

    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 5)
    emulator.latency("openai", 0.1)

    async def call(i: int) -> None:
        try:
            await core.router.ask(ws, f"thread {i}")
        finally:
            await core.router.aclose()

    def one(i: int) -> bool:
        try:
            asyncio.run(call(i))
            return True
        except errors.LimitExceeded:
            return False

    with ThreadPoolExecutor(8) as pool:
        passed = list(pool.map(one, range(12)))
    assert passed.count(True) == 5


def test_token_and_cost_limits_refuse_with_reset_time(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 100)
    with pytest.raises(errors.LimitExceeded) as caught:
        ask(core, ws, "a prompt", max_tokens=200)
    assert caught.value.limit == "tokens_per_day"
    assert caught.value.resets_at.hour == 0 and caught.value.resets_at > utcnow()
    assert ask(core, ws, "a prompt", max_tokens=50).provider == "openai"
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", None)
    core.workspaces.set_limit(ws.tenant_id, "cost_per_month", 0.0)
    with pytest.raises(errors.LimitExceeded) as caught:
        ask(core, ws, "costly")
    assert caught.value.limit == "cost_per_month" and caught.value.resets_at.day == 1


def test_warning_at_80_percent(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 5)
    events: list[Any] = []
    core.router.subscribe(events.append)
    for i in range(3):
        ask(core, ws, f"call {i}")
    assert not [e for e in events if isinstance(e, LimitWarning)]
    ask(core, ws, "call 4")
    [warning] = [e for e in events if isinstance(e, LimitWarning)]
    assert warning.status.limit == "requests_per_hour" and warning.status.used == 4


def test_stream_yields_deltas_and_is_cached(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic")

    async def collect(prompt: str) -> list[Any]:
        try:
            return [e async for e in core.router.stream(ws, prompt)]
        finally:
            await core.router.aclose()

    events = asyncio.run(collect("stream this text please"))
    result = events[-1]
    assert isinstance(result, RouterResult)
    assert "".join(e.text for e in events[:-1]) == result.text and len(events) > 3
    again = asyncio.run(collect("stream this text please"))
    assert again[-1].cached and again[0].text == result.text


def test_cut_stream_is_neither_cached_nor_a_success(core: Core, ws: Workspace,
                                                    emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "groq")
    emulator.fault("openai", "cut_stream", times=1, after_chunks=2)

    async def collect() -> list[Any]:
        got: list[Any] = []
        try:
            async for e in core.router.stream(ws, "one two three four five"):
                got.append(e)
        finally:
            await core.router.aclose()
        return got

    with pytest.raises(errors.MalformedResponse):
        asyncio.run(collect())
    [audit] = rows(core, t.ai_audit_logs)
    assert not audit.success and rows(core, t.ai_cache) == []
    assert not emulator.requests_for("groq"), "text already shown: no silent switch"


def test_cancelled_call_is_recorded_as_cancelled(core: Core, ws: Workspace,
                                                 emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 10)
    emulator.latency("openai", 5.0)

    async def main() -> None:
        task = asyncio.create_task(core.router.ask(ws, "slow"))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await core.router.aclose()

    asyncio.run(main())
    [usage] = rows(core, t.ai_usage_logs)
    assert usage.outcome == "cancelled"
    assert rows(core, t.ai_cache) == [] and rows(core, t.ai_limit_reservations) == []


def test_stopped_stream_is_recorded_as_cancelled(core: Core, ws: Workspace,
                                                 emulator: Any) -> None:
    configure(core, ws, emulator, "gemini")

    async def main() -> None:
        stream = core.router.stream(ws, "a b c d e f g h")
        async for _ in stream:
            break
        await stream.aclose()
        await core.router.aclose()

    asyncio.run(main())
    [audit] = rows(core, t.ai_audit_logs)
    assert not audit.success and audit.error_message == "cancelled"
    assert rows(core, t.ai_cache) == []


def test_no_provider_configured(core: Core, ws: Workspace) -> None:
    with pytest.raises(errors.NoProviderAvailable) as caught:
        ask(core, ws)
    assert "aidesk keys set" in caught.value.user_message


def test_structured_call_through_the_router(core: Core, ws: Workspace, emulator: Any) -> None:
    from aidesk.providers.base import JsonSchema

    configure(core, ws, emulator, "gemini")
    schema = JsonSchema("lead", {"type": "object", "properties": {
        "score": {"type": "integer", "minimum": 0, "maximum": 100},
        "summary": {"type": "string"}}, "required": ["score", "summary"]})
    result = ask(core, ws, "analyse this lead", schema=schema, module="leads")
    assert isinstance(result.data["score"], int)
    assert ask(core, ws, "analyse this lead", schema=schema, module="leads").data == result.data


@pytest.mark.parametrize(("provider", "price_id", "model", "prompt", "completion", "cached"), [
    ("openai", "openai", "gpt-4o-mini", 1234, 567, 200),
    ("anthropic", "anthropic", "claude-3-5-haiku-latest", 10, 5000, 0),
    ("gemini", "google", "gemini-2.5-pro", 300_000, 1000, 0),  # tiered past 200k tokens
    ("gemini", "google", "gemini-2.5-pro", 1000, 1000, 0),
])
def test_cost_matches_genai_prices(provider: str, price_id: str, model: str, prompt: int,
                                   completion: int, cached: int) -> None:
    from aidesk.providers.base import Usage
    from aidesk.router.pricing import cost_usd

    expected = calc_price(PriceUsage(input_tokens=prompt, output_tokens=completion,
                                     cache_read_tokens=cached or None),
                          model_ref=model, provider_id=price_id).total_price
    got = cost_usd(provider, model, Usage(prompt, completion, cached_tokens=cached))
    assert got == pytest.approx(float(expected), rel=1e-9)


def test_expired_answers_are_dropped_when_the_app_opens(core: Core, ws: Workspace,
                                                        emulator: Any) -> None:
    from tests.support import make_core

    configure(core, ws, emulator, "openai")
    ask(core, ws, "keep me")
    assert len(rows(core, t.ai_cache)) == 1
    with core.db.begin() as conn:
        conn.execute(t.ai_cache.update().values(expires_at=utcnow() - timedelta(seconds=1)))
    reopened = make_core(core.data_dir, core.keys._backend)
    assert rows(reopened, t.ai_cache) == []
    reopened.close()
