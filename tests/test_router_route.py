"""The route a call took: skipped providers and why, deadlines, cut streams, config refusals."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aidesk import errors
from aidesk.core import Core
from aidesk.router import RouterResult
from aidesk.storage import tables as t
from aidesk.workspaces import Workspace
from tests.support import configure
from tests.test_router import ask, rows

ROOT = Path(__file__).resolve().parents[1]


def stream_all(core: Core, ws: Workspace, prompt: str, **kw: Any) -> tuple[str, Any]:
    """Consume a routed stream; return the text that reached the caller and the outcome."""

    async def main() -> tuple[str, Any]:
        seen: list[str] = []
        try:
            async for event in core.router.stream(ws, prompt, **kw):
                if isinstance(event, RouterResult):
                    return "".join(seen), event
                seen.append(event.text)
        except errors.AIDeskError as exc:
            return "".join(seen), exc
        finally:
            await core.router.aclose()
        raise AssertionError("the stream ended without a result")

    return asyncio.run(main())


def test_skipped_providers_before_the_answer_are_hops(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic", "groq")
    core.workspaces.update_config(ws.tenant_id, "openai", enabled=False)
    core.workspaces.record_test(ws.tenant_id, "anthropic", "rejected", "anthropic: rejected")
    result = ask(core, ws, "who answers?")
    assert result.provider == "groq"
    assert [(h.provider, h.error, h.skipped) for h in result.hops] == [
        ("openai", "disabled", True), ("anthropic", "key_rejected", True)]
    assert "key rejected at the last test on " in result.hops[1].message
    assert result.fallbacks == ()
    [audit] = rows(core, t.ai_audit_logs)
    assert [(h["provider"], h["error"], h.get("skipped")) for h in audit.hops] == [
        ("openai", "disabled", True), ("anthropic", "key_rejected", True)]
    as_json = result.as_json()["hops"]
    assert [h["skipped"] for h in as_json] == [True, True]
    assert not emulator.requests_for("openai") and not emulator.requests_for("anthropic")


def test_skipped_after_the_answer_are_not_listed(core: Core, ws: Workspace,
                                                 emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "groq")
    core.workspaces.update_config(ws.tenant_id, "groq", enabled=False)
    assert ask(core, ws).hops == ()


def test_every_unusable_provider_is_named_with_its_reason(core: Core, ws: Workspace,
                                                          emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    core.workspaces.record_test(ws.tenant_id, "openai", "rejected", "openai: rejected")
    core.workspaces.update_config(ws.tenant_id, "anthropic", enabled=False)
    core.workspaces.update_config(ws.tenant_id, "groq", enabled=True)  # enabled, but no key
    with pytest.raises(errors.NoProviderAvailable) as caught:
        ask(core, ws)
    message = caught.value.user_message
    assert "openai: key rejected at the last test on " in message
    assert "anthropic: disabled" in message and "groq: no key" in message
    assert "is configured" not in message
    [usage] = rows(core, t.ai_usage_logs)
    assert usage.outcome == "not_configured"


def test_config_refusals_do_not_count_against_request_limits(core: Core, ws: Workspace,
                                                             emulator: Any) -> None:
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 1)
    for _ in range(3):
        with pytest.raises(errors.NoProviderAvailable):
            ask(core, ws)
    configure(core, ws, emulator, "openai")
    assert ask(core, ws).provider == "openai", "three refusals used none of the one request"


def test_the_deadline_covers_the_whole_chain(core: Core, ws: Workspace, emulator: Any) -> None:
    from aidesk import settings

    configure(core, ws, emulator, "openai", "anthropic")
    settings.set(core.workspaces, ws, "calls.deadline_s", "2")
    settings.set(core.workspaces, ws, "providers.openai.timeout_s", "1")

    async def main() -> float:
        try:  # warm up: SDK imports and connection pools are not what is measured here
            await core.router.ask(ws, "warm", provider="openai", fallback=False)
            await core.router.ask(ws, "warm", provider="anthropic", fallback=False)
            emulator.latency("openai", 1.5)  # slower than its own 1 s read timeout
            emulator.latency("anthropic", 30)  # accepts the connection, then says nothing
            started = time.monotonic()
            with pytest.raises(errors.DeadlineExceeded) as caught:
                await core.router.ask(ws, "slow everywhere")
            assert "2 s" in caught.value.user_message
            assert "calls.deadline_s" in caught.value.user_message
            return time.monotonic() - started
        finally:
            await core.router.aclose()

    elapsed = asyncio.run(main())
    assert 1.9 < elapsed < 3.5, "the chain ends at the deadline, not at anthropic's 60 s"
    audit = rows(core, t.ai_audit_logs)[-1]
    assert [h["error"] for h in audit.hops] == ["timeout", "deadline"]
    assert not audit.success


def test_a_stream_cut_after_text_is_cut_not_a_success(core: Core, ws: Workspace,
                                                      emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    emulator.fault("openai", "cut_stream", after_chunks=2)
    seen, outcome = stream_all(core, ws, "uma frase longa que vai ser cortada no meio")
    assert seen, "some text reached the caller before the cut"
    assert isinstance(outcome, errors.ProviderError) and outcome.provider == "openai"
    assert not emulator.requests_for("anthropic"), "no fallback once text was delivered"
    [usage] = rows(core, t.ai_usage_logs)
    [audit] = rows(core, t.ai_audit_logs)
    assert usage.outcome == "cut" and not audit.success
    assert audit.response == seen
    assert rows(core, t.ai_cache) == []


def _reservations(data_dir: Path) -> int:
    engine = sa.create_engine(f"sqlite:///{data_dir / 'aidesk.db'}")
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(
            t.ai_limit_reservations)).scalar_one()
    engine.dispose()
    return int(count)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_cancels_the_cli_call_and_frees_its_reservation(
        core: Core, ws: Workspace, emulator: Any, signum: int) -> None:
    configure(core, ws, emulator, "local")
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 100_000)
    emulator.latency("local", 30)
    env = {**os.environ, "AIDESK_DATA_DIR": str(core.data_dir)}
    proc = subprocess.Popen([sys.executable, "-m", "aidesk", "ask", "espera"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while not emulator.requests_for("local") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert emulator.requests_for("local"), "the call never reached the provider"
        assert _reservations(core.data_dir) == 1
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signum
    assert "cancelled" in err and "Traceback" not in err
    assert _reservations(core.data_dir) == 0
    [usage] = rows(core, t.ai_usage_logs)
    assert usage.outcome == "cancelled"


def test_ask_json_shows_skipped_hops(core: Core, ws: Workspace, emulator: Any,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    from aidesk.cli import main

    configure(core, ws, emulator, "anthropic", "local")
    core.workspaces.update_config(ws.tenant_id, "anthropic", enabled=False)
    assert main(["ask", "--json", "olá"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["provider"] == "local"
    assert data["hops"] == [{"provider": "anthropic", "error": "disabled", "code": "disabled",
                             "skipped": True}]


def test_ask_says_what_was_skipped_and_that_the_answer_was_cut(
        core: Core, ws: Workspace, emulator: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from aidesk.cli import main

    configure(core, ws, emulator, "anthropic", "openai")
    core.workspaces.update_config(ws.tenant_id, "anthropic", enabled=False)
    emulator.fault("openai", "truncated", after_chunks=2)
    assert main(["ask", "conte uma história longa"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() and "aidesk: skipped anthropic: disabled" in err
    assert "cut short" in err and "--max-tokens" in err
    [usage] = rows(core, t.ai_usage_logs)
    [audit] = rows(core, t.ai_audit_logs)
    assert usage.finish_reason == "length" and audit.truncated and audit.success
    assert rows(core, t.ai_cache) == [], "a truncated answer is never cached"


def test_a_key_shaped_string_never_reaches_the_cache(core: Core, ws: Workspace,
                                                     emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    pasted = "sk-proj-" + "Ab3" * 20  # the emulator echoes the prompt back in its answer
    first = ask(core, ws, f"Guarde a chave {pasted} por favor")
    [row] = rows(core, t.ai_cache)
    assert pasted not in row.response and "sk-…" in row.response
    [audit] = rows(core, t.ai_audit_logs)
    assert pasted not in audit.prompt and pasted not in (audit.response or "")
    hit = ask(core, ws, f"Guarde a chave {pasted} por favor")
    assert hit.cached and pasted not in hit.text, "a hit is redacted like the stored rows"
    assert first.provider == hit.provider


def test_read_only_commands_take_no_backup(core: Core, ws: Workspace,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    from aidesk.cli import main
    from aidesk.storage.backup import backup_dir, list_backups

    shutil.rmtree(backup_dir(core.data_dir), ignore_errors=True)
    for argv in (["workspace", "list"], ["keys", "list"], ["config", "list"],
                 ["config", "get", "cache.ttl_days"]):
        assert main(argv) == 0, capsys.readouterr().err
    assert list_backups(core.data_dir) == []
    assert main(["config", "set", "cache.ttl_days", "3"]) == 0
    assert len(list_backups(core.data_dir)) == 1, "a writing command takes the daily backup"
