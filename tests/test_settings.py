"""Named settings: every value validated for type and range, one sentence when refused."""

from __future__ import annotations

import pytest

from aidesk import settings
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.workspaces import Workspace


def test_call_deadline_defaults_to_120_and_is_global(core: Core, ws: Workspace) -> None:
    assert core.workspaces.call_deadline_s() == 120.0
    assert settings.get(core.workspaces, ws, "calls.deadline_s") == "120"
    settings.set(core.workspaces, ws, "calls.deadline_s", "45.5")
    other = core.workspaces.add("Outro cliente")
    assert core.workspaces.call_deadline_s() == 45.5
    assert settings.get(core.workspaces, other, "calls.deadline_s") == "45.5"
    assert "calls.deadline_s" in settings.setting_names()


@pytest.mark.parametrize("value", ["0", "0.5", "601", "nan", "-3", "soon"])
def test_call_deadline_range(core: Core, ws: Workspace, value: str) -> None:
    with pytest.raises(ConfigError, match=r"calls\.deadline_s"):
        settings.set(core.workspaces, ws, "calls.deadline_s", value)
    assert core.workspaces.call_deadline_s() == 120.0


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("limits.cost_per_month", "50,00", "50"),      # pt-BR money
    ("limits.cost_per_month", "12,5", "12.5"),
    ("limits.cost_per_month", "0.01", "0.01"),
    ("limits.requests_per_hour", "2.0", "2"),      # whole, though written as a decimal
    ("limits.tokens_per_day", "1e6", "1000000"),
    ("limits.tokens_per_day", " 0 ", "0"),
    ("cache.ttl_days", "0", "0"),
    ("cache.ttl_days", "3650", "3650"),
    ("providers.groq.timeout_s", "1", "1"),
    ("providers.groq.timeout_s", "600", "600"),
    ("providers.groq.timeout_s", "2,5", "2.5"),
    ("calls.deadline_s", "600", "600"),
    ("providers.local.base_url", "http://[::1]:11434/v1/", "http://[::1]:11434/v1"),
    ("providers.local.base_url", "HTTPS://Example.com", "HTTPS://Example.com"),
    ("providers.local.base_url", "default", "none"),
    ("fallback", "Groq, OpenAI", "groq,openai"),
])
def test_valid_values(core: Core, ws: Workspace, key: str, value: str, shown: str) -> None:
    settings.set(core.workspaces, ws, key, value)
    ws = core.workspaces.get(ws.name)
    assert settings.get(core.workspaces, ws, key) == shown


@pytest.mark.parametrize(("key", "value"), [
    ("limits.requests_per_hour", "2.7"), ("limits.tokens_per_day", "nan"),
    ("limits.tokens_per_day", "1e999"), ("limits.cost_per_month", "inf"),
    ("limits.cost_per_month", "1,000"), ("cache.ttl_days", "-1"), ("cache.ttl_days", "3651"),
    ("providers.openai.timeout_s", "0.5"), ("providers.openai.timeout_s", "601"),
])
def test_refused_values_change_nothing(core: Core, ws: Workspace, key: str, value: str) -> None:
    before = settings.get(core.workspaces, ws, key)
    with pytest.raises(ConfigError) as caught:
        settings.set(core.workspaces, ws, key, value)
    message = caught.value.user_message
    assert message.startswith(key) and message.endswith(".") and "\n" not in message
    assert settings.get(core.workspaces, core.workspaces.get(ws.name), key) == before


def test_store_refuses_what_settings_refuse(core: Core, ws: Workspace) -> None:
    """The UI calls the store directly: the same ranges hold there."""
    for bad in (2.7, float("nan"), float("inf"), -1, 1e13):
        with pytest.raises(ConfigError):
            core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", bad)
    for days in (-1, 3651):
        with pytest.raises(ConfigError):
            core.workspaces.set_cache_ttl(ws, days)
    assert core.workspaces.limits(ws.tenant_id).requests_per_hour is None


def test_fallback_says_what_it_did_with_the_rest(core: Core, ws: Workspace) -> None:
    from aidesk.router.keycheck import store_key

    for provider in ("openai", "anthropic", "groq"):
        store_key(core.workspaces, core.keys, ws, provider, f"{provider}-test-key-123", None)
    core.workspaces.update_config(ws.tenant_id, "local", enabled=True)
    notes = settings.set(core.workspaces, ws, "fallback", "anthropic,gemini,openai")
    assert settings.get(core.workspaces, ws, "fallback") == "anthropic,gemini,openai"
    assert notes[0].startswith("groq and local are now disabled")
    assert notes[1].startswith("gemini has no key yet")
    configs = core.workspaces.configs(ws.tenant_id)
    assert [p for p, c in configs.items() if c.enabled] == ["anthropic", "gemini", "openai"]
    assert list(configs)[:3] == ["anthropic", "gemini", "openai"]
    assert settings.set(core.workspaces, ws, "fallback", "anthropic,gemini,openai") == [
        "gemini has no key yet and will be skipped until one is set with "
        "`aidesk keys set gemini`."]


def test_sync_dsn_is_a_setting_of_the_workspace(core: Core, ws: Workspace) -> None:
    assert "sync.dsn" in settings.setting_names()
    assert settings.get(core.workspaces, ws, "sync.dsn") == "none"
    core.workspaces.update_config(ws.tenant_id, "openai", model="gpt-4o-mini")
    notes = settings.set(core.workspaces, ws, "sync.dsn",
                         " postgresql://alice@db.example.com/platform ")
    assert settings.get(core.workspaces, ws, "sync.dsn") == \
        "postgresql://alice@db.example.com:5432/platform"
    assert notes == ["1 row is queued for the central database; set its password with "
                     "`aidesk sync login`, then run `aidesk sync`."]
    other = core.workspaces.add("Outro cliente")
    assert settings.get(core.workspaces, other, "sync.dsn") == "none"
    with pytest.raises(ConfigError, match="aidesk sync login") as caught:
        settings.set(core.workspaces, ws, "sync.dsn", "postgresql://alice:hunter22@db/platform")
    assert "hunter22" not in caught.value.user_message
    assert settings.get(core.workspaces, ws, "sync.dsn").startswith("postgresql://alice@")
    assert settings.set(core.workspaces, ws, "sync.dsn", "none") == []
    assert settings.get(core.workspaces, ws, "sync.dsn") == "none"


def test_a_team_lock_leaves_other_settings_and_the_pull_free(core: Core, ws: Workspace) -> None:
    from aidesk.storage.values import utc_text, utcnow

    now = utc_text(utcnow())
    with core.db.writing() as conn:
        conn.execute("INSERT INTO team_policies (tenant_id, setting, value, mandatory, "
                     "updated_at, pulled_at) VALUES (?, 'limits.cost_per_month', '50', 1, ?, ?)",
                     (ws.tenant_id, now, now))
    with pytest.raises(ConfigError, match=r"^limits\.cost_per_month is set by your team's "
                                          r"policy \(50\)"):
        settings.set(core.workspaces, ws, "Limits.Cost_Per_Month ", "80")
    settings.set(core.workspaces, ws, "limits.cost_per_month", "50,00", by_team=True)
    assert settings.get(core.workspaces, ws, "limits.cost_per_month") == "50"
    settings.set(core.workspaces, ws, "calls.deadline_s", "30")
