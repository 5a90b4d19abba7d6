"""Pull against the real PostgreSQL, logged in as the tenant's own role (RLS applies):
team policies land in team_policies and in the settings, configs from other devices in
ai_configs; a second pull changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from aidesk import settings
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.sync import policies
from aidesk.sync.pull import pull
from aidesk.workspaces import Workspace
from tests.sync.conftest import Central

DEVICE = "device-here"
OTHER = "device-there"


@pytest.fixture
def pg(central: Central, tenant_role: Callable[[str], str],
       ws: Workspace) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(central.as_role(tenant_role(ws.tenant_id)), autocommit=True) as conn:
        yield conn


def policy(central: Central, tenant: str, setting: str, value: str,
           mandatory: bool = False) -> None:
    """The platform's admin writes a policy (as the owner, as the platform would)."""
    with central.connect() as conn:
        conn.execute("INSERT INTO ai_team_policies (tenant_id, setting, value, mandatory, "
                     "updated_at, updated_by) VALUES (%s, %s, %s, %s, now(), 'admin') "
                     "ON CONFLICT (tenant_id, setting) DO UPDATE SET value = excluded.value, "
                     "mandatory = excluded.mandatory, updated_at = excluded.updated_at",
                     (tenant, setting, value, mandatory))


def unpolicy(central: Central, tenant: str, setting: str) -> None:
    with central.connect() as conn:
        conn.execute("DELETE FROM ai_team_policies WHERE tenant_id = %s AND setting = %s",
                     (tenant, setting))


def get(core: Core, ws: Workspace, key: str) -> str:
    return settings.get(core.workspaces, core.workspaces.get(ws.name), key)


def test_policies_are_stored_applied_and_locked(core: Core, ws: Workspace, central: Central,
                                                pg: psycopg.Connection[Any],
                                                caplog: pytest.LogCaptureFixture) -> None:
    tenant = ws.tenant_id
    policy(central, tenant, "limits.tokens_per_day", "5000", mandatory=True)
    policy(central, tenant, "cache.ttl_days", "3")
    policy(central, tenant, "team.allowed_providers", "openai,anthropic", mandatory=True)
    policy(central, tenant, "limits.requests_per_hour", "lots", mandatory=True)  # invalid
    policy(central, tenant, "ui.language", "en", mandatory=True)  # global: not the team's
    policy(central, tenant, "providers.nope.model", "x")  # unknown provider
    policy(central, "another-tenant", "limits.cost_per_month", "1")  # RLS hides it
    caplog.set_level(logging.WARNING, logger="aidesk.sync.pull")
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 5  # 3 rows, 2 settings
    assert get(core, ws, "limits.tokens_per_day") == "5000"
    assert get(core, ws, "cache.ttl_days") == "3"
    assert get(core, ws, "limits.requests_per_hour") == "none"
    notes = caplog.text
    assert "limits.requests_per_hour" in notes and "ui.language" in notes
    assert "providers.nope.model" in notes
    assert policies.locked(core.db, tenant) == {"limits.tokens_per_day": "5000",
                                                "team.allowed_providers": "openai,anthropic"}
    assert policies.allowed(core.db, tenant) == (frozenset({"openai", "anthropic"}), None)
    with pytest.raises(ConfigError, match=r"limits\.tokens_per_day is set by your team's "
                                          r"policy \(5000\)"):
        settings.set(core.workspaces, ws, "limits.tokens_per_day", "1")
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 0  # idempotent

    settings.set(core.workspaces, core.workspaces.get(ws.name), "cache.ttl_days", "9")
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 0  # advisory: user's 9 stays
    assert get(core, ws, "cache.ttl_days") == "9"
    policy(central, tenant, "cache.ttl_days", "4")  # changed centrally: applied
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 2
    assert get(core, ws, "cache.ttl_days") == "4"

    core.workspaces.set_limit(tenant, "tokens_per_day", 1)  # drifted behind the lock
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 1
    assert get(core, ws, "limits.tokens_per_day") == "5000"

    unpolicy(central, tenant, "limits.tokens_per_day")  # removed centrally: unlocked
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 1
    settings.set(core.workspaces, ws, "limits.tokens_per_day", "7000")
    assert get(core, ws, "limits.tokens_per_day") == "7000"  # the value stays until changed
    with core.db.raw() as conn:
        rows = conn.execute("SELECT setting, mandatory FROM team_policies "
                            "ORDER BY setting").fetchall()
    assert rows == [("cache.ttl_days", 0), ("team.allowed_providers", 1)]


def test_a_mandatory_fallback_is_applied_and_kept(core: Core, ws: Workspace, central: Central,
                                                  pg: psycopg.Connection[Any]) -> None:
    for provider in ("openai", "groq"):
        core.workspaces.update_config(ws.tenant_id, provider, enabled=True)
    policy(central, ws.tenant_id, "fallback", "anthropic, openai", mandatory=True)
    policy(central, ws.tenant_id, "providers.openai.enabled", "yes", mandatory=True)
    assert pull(core.db, core.workspaces, pg, ws.tenant_id, DEVICE) == 4
    assert get(core, ws, "fallback") == "anthropic,openai"
    assert not core.workspaces.config(ws.tenant_id, "groq").enabled
    assert pull(core.db, core.workspaces, pg, ws.tenant_id, DEVICE) == 0  # spelled either way
    with pytest.raises(ConfigError, match="policy on fallback"):
        settings.set(core.workspaces, ws, "providers.anthropic.enabled", "false")


def central_config(central: Central, tenant: str, provider: str, *, model: str,
                   device: str, age: timedelta = timedelta(0), enabled: bool = True,
                   options: dict[str, Any] | None = None) -> None:
    stamp = datetime.now(UTC).replace(tzinfo=None) - age
    with central.connect() as conn:
        conn.execute(
            "INSERT INTO ai_configs (tenant_id, provider, api_key, model, base_url, enabled, "
            "position, options, updated_at, client_uuid, source_device) VALUES (%s, %s, "
            "'sk-central-secret-key-0000', %s, NULL, %s, 3, %s, %s, gen_random_uuid(), %s) "
            "ON CONFLICT (tenant_id, provider) DO UPDATE SET model = excluded.model, "
            "enabled = excluded.enabled, options = excluded.options, "
            "updated_at = excluded.updated_at, source_device = excluded.source_device",
            (tenant, provider, model, enabled, Jsonb(options or {}), stamp, device))


def test_configs_from_other_devices_come_down_without_keys(
        core: Core, ws: Workspace, central: Central, pg: psycopg.Connection[Any]) -> None:
    tenant = ws.tenant_id
    core.workspaces.update_config(tenant, "openai", model="gpt-4o-mini", enabled=True)
    core.workspaces.update_config(tenant, "groq", model="llama-mine", enabled=True)
    core.workspaces.update_config(tenant, "gemini", model="gemini-mine", enabled=True)
    central_config(central, tenant, "openai", model="gpt-4o", device=OTHER,
                   options={"timeout_s": 30})
    central_config(central, tenant, "groq", model="llama-theirs", device=DEVICE)  # our own
    central_config(central, tenant, "gemini", model="gemini-old", device=OTHER,
                   age=timedelta(days=1))  # older than the local row
    central_config(central, tenant, "anthropic", model="claude-theirs", device=OTHER,
                   enabled=False)  # no local row yet
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 2
    configs = core.workspaces.configs(tenant)
    assert configs["openai"].model == "gpt-4o" and configs["openai"].position == 3
    assert configs["openai"].options == {"timeout_s": 30}
    assert get(core, ws, "providers.openai.timeout_s") == "30"
    assert configs["groq"].model == "llama-mine" and configs["gemini"].model == "gemini-mine"
    assert configs["anthropic"].stored and configs["anthropic"].model == "claude-theirs"
    assert not configs["anthropic"].enabled and configs["anthropic"].key_fingerprint is None
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 0
    with core.db.raw() as conn:
        dump = "\n".join(str(r) for r in conn.execute("SELECT * FROM ai_configs"))
    assert "sk-central-secret-key" not in dump
    assert core.keys.get(tenant, "openai") is None


def test_a_mandatory_policy_wins_over_a_pulled_config(
        core: Core, ws: Workspace, central: Central, pg: psycopg.Connection[Any]) -> None:
    tenant = ws.tenant_id
    policy(central, tenant, "providers.openai.model", "gpt-4o-mini", mandatory=True)
    central_config(central, tenant, "openai", model="gpt-4o", device=OTHER)
    pull(core.db, core.workspaces, pg, tenant, DEVICE)
    assert core.workspaces.config(tenant, "openai").model == "gpt-4o-mini"
    assert pull(core.db, core.workspaces, pg, tenant, DEVICE) == 0


def test_a_pulled_config_does_not_bounce_back(core: Core, ws: Workspace, central: Central,
                                              pg: psycopg.Connection[Any]) -> None:
    """The local change a pull makes is queued (the triggers), and its push changes nothing
    centrally: the row keeps the other device's stamp and name."""
    from aidesk.sync import push, target

    target.configure(core.db, ws.tenant_id, central.dsn("someone"))
    central_config(central, ws.tenant_id, "openai", model="gpt-4o", device=OTHER)
    with central.connect() as conn:
        before = conn.execute("SELECT model, updated_at, source_device FROM ai_configs "
                              "WHERE tenant_id = %s", (ws.tenant_id,)).fetchall()
    assert pull(core.db, core.workspaces, pg, ws.tenant_id, DEVICE) == 1
    push.push(core.db, pg, ws.tenant_id, DEVICE)
    with central.connect() as conn:
        after = conn.execute("SELECT model, updated_at, source_device FROM ai_configs "
                             "WHERE tenant_id = %s", (ws.tenant_id,)).fetchall()
    assert after == before
    assert pull(core.db, core.workspaces, pg, ws.tenant_id, DEVICE) == 0
