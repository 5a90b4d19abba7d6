"""The real providers' faults through the whole router: what falls back, what is recorded,
what is never cached. Provider-level checks of the same cases are in tests/test_provider_*."""

from __future__ import annotations

from typing import Any

import pytest

from aidesk import errors
from aidesk.core import Core
from aidesk.providers.base import JsonSchema
from aidesk.storage import tables as t
from aidesk.workspaces import Workspace
from tests.support import configure
from tests.test_router import ask, rows
from tests.test_router_route import stream_all


@pytest.mark.parametrize("reason", ["overloaded_error", "api_error"])
def test_anthropic_error_event_before_text_falls_back(core: Core, ws: Workspace, emulator: Any,
                                                      reason: str) -> None:
    configure(core, ws, emulator, "anthropic", "openai")
    emulator.fault("anthropic", "stream_error", times=1, after_chunks=0, reason=reason)
    seen, result = stream_all(core, ws, "primeira tentativa")
    assert result.provider == "openai" and seen == result.text
    assert [(h.provider, h.error) for h in result.hops] == [("anthropic",
                                                             "provider_unavailable")]
    [audit] = rows(core, t.ai_audit_logs)
    assert audit.success and audit.hops[0]["provider"] == "anthropic"


def test_anthropic_error_event_after_text_ends_the_call_as_cut(core: Core, ws: Workspace,
                                                               emulator: Any) -> None:
    configure(core, ws, emulator, "anthropic", "openai")
    emulator.fault("anthropic", "stream_error", times=1, after_chunks=2, reason="api_error")
    seen, outcome = stream_all(core, ws, "uma resposta que quebra no meio do caminho")
    assert seen and isinstance(outcome, errors.ProviderUnavailable)
    assert not emulator.requests_for("openai")
    [usage] = rows(core, t.ai_usage_logs)
    assert usage.outcome == "cut" and rows(core, t.ai_cache) == []


@pytest.mark.parametrize(("provider", "kind"), [
    ("anthropic", "quota"), ("openai", "quota"), ("openrouter", "quota"), ("gemini", "quota")])
def test_out_of_credit_falls_back_without_retry(core: Core, ws: Workspace, emulator: Any,
                                                provider: str, kind: str) -> None:
    backup = "groq"
    configure(core, ws, emulator, provider, backup)
    emulator.fault(provider, kind)
    result = ask(core, ws, "sem crédito")
    assert result.provider == backup
    assert result.hops[0].error == "out_of_credits"
    assert len(emulator.requests_for(provider)) == 1, "never retried"
    assert core.workspaces.config(ws.tenant_id, provider).last_test_status != "rejected"


def test_cache_reads_are_counted_and_priced_in_the_usage_row(core: Core, ws: Workspace,
                                                             emulator: Any) -> None:
    from aidesk.providers.base import Usage
    from aidesk.router.pricing import cost_usd

    configure(core, ws, emulator, "anthropic")
    emulator.fault("anthropic", "prompt_cache", cache_read=900, cache_write=50)
    result = ask(core, ws, "um prompt longo com contexto em cache")
    u = result.usage
    assert u.cached_tokens == 900 and u.cache_write_tokens == 50
    assert u.prompt_tokens >= 950, "the whole prompt: uncached + reads + writes"
    [usage] = rows(core, t.ai_usage_logs)
    assert (usage.cache_read_tokens, usage.cache_write_tokens) == (900, 50)
    assert usage.prompt_tokens == u.prompt_tokens
    uncached_only = cost_usd("anthropic", result.model,
                             Usage(u.prompt_tokens, u.completion_tokens))
    assert usage.cost_usd == pytest.approx(result.cost_usd)
    assert result.cost_usd is not None and uncached_only is not None
    assert result.cost_usd < uncached_only, "cache reads cost less than fresh input"


def test_empty_answer_after_thinking_falls_back_and_its_bill_is_kept(
        core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "gemini", "openai")
    emulator.fault("gemini", "empty_truncated", times=1, thoughts=700)
    result = ask(core, ws, "pense bastante")
    assert result.provider == "openai"
    assert result.hops[0].error == "empty_answer"
    usage_rows = rows(core, t.ai_usage_logs)
    billed = [r for r in usage_rows if r.provider == "gemini"]
    assert len(billed) == 1 and billed[0].outcome == "error"
    assert billed[0].completion_tokens >= 700 and billed[0].reasoning_tokens == 700
    assert billed[0].cost_usd and billed[0].cost_usd > 0
    [cached] = rows(core, t.ai_cache)
    assert cached.provider == "openai", "the empty answer was never cached"


@pytest.mark.parametrize("kind", ["filtered", "empty"])
def test_filtered_or_empty_answers_fall_back(core: Core, ws: Workspace, emulator: Any,
                                             kind: str) -> None:
    configure(core, ws, emulator, "gemini", "anthropic")
    emulator.fault("gemini", kind, times=1)
    result = ask(core, ws, "qualquer coisa")
    assert result.provider == "anthropic" and result.text
    assert result.hops[0].error in ("content_filtered", "empty_answer")


def test_reasoning_model_through_the_router(core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    emulator.fault("openai", "thinking", thoughts=30)
    result = ask(core, ws, "raciocine", model="o4-mini", temperature=0.2)
    assert result.model.startswith("o4-mini") and result.text
    assert result.usage.reasoning_tokens == 30
    [usage] = rows(core, t.ai_usage_logs)
    assert usage.reasoning_tokens == 30


def test_a_local_server_without_usage_succeeds_with_unknown_tokens(
        core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "local")
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 1_000_000)
    emulator.fault("local", "no_stream_usage", times=1)
    seen, result = stream_all(core, ws, "servidor antigo")
    assert seen == result.text and not result.usage.known
    assert result.as_json()["usage"]["total_tokens"] is None
    [usage] = rows(core, t.ai_usage_logs)
    assert usage.outcome == "ok" and usage.total_tokens is None
    with core.db.connect() as conn:
        [counted] = conn.exec_driver_sql(
            "SELECT tokens FROM ai_usage_counters WHERE period = 'day'").scalars().all()
    assert counted > 0, "the estimate counts toward the token limit"


def test_openrouter_moderation_falls_back_and_keeps_the_key(core: Core, ws: Workspace,
                                                            emulator: Any) -> None:
    configure(core, ws, emulator, "openrouter", "openai")
    emulator.fault("openrouter", "moderated", times=1)
    result = ask(core, ws, "texto sinalizado")
    assert result.provider == "openai" and result.hops[0].error == "moderated"
    assert "moderation" in result.hops[0].message
    assert core.workspaces.config(ws.tenant_id, "openrouter").last_test_status != "rejected"
    ask(core, ws, "outro texto")
    assert len(emulator.requests_for("openrouter")) == 2, "the key is still used"


def test_a_refused_schema_falls_back_for_that_request(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "groq", "gemini")
    emulator.fault("groq", "schema_unsupported", times=1)
    schema = JsonSchema("lead", {"type": "object", "properties": {
        "score": {"type": "integer"}}, "required": ["score"]})
    result = ask(core, ws, "pontue este lead", schema=schema)
    assert result.provider == "gemini" and isinstance(result.data["score"], int)
    assert result.hops[0].error == "unsupported"


@pytest.mark.parametrize("stream", [False, True])
def test_truncated_answers_are_marked_and_not_cached(core: Core, ws: Workspace, emulator: Any,
                                                     stream: bool) -> None:
    configure(core, ws, emulator, "openai")
    emulator.fault("openai", "truncated", times=1, after_chunks=2)
    if stream:
        _, result = stream_all(core, ws, "um texto longo demais")
    else:
        result = ask(core, ws, "um texto longo demais")
    assert result.truncated and result.finish_reason == "length" and result.text
    assert result.as_json()["truncated"] is True
    [audit] = rows(core, t.ai_audit_logs)
    assert audit.success and audit.truncated and audit.finish_reason == "length"
    assert rows(core, t.ai_cache) == []
    again = ask(core, ws, "um texto longo demais")
    assert not again.cached and not again.truncated
