"""Key rollout against the real PostgreSQL and the provider emulator: the key reaches the
central ai_configs only after a connection test in this process and a confirmation, with an
audit row; refusals are one sentence; no key reaches the centre any other way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from aidesk.core import Core
from aidesk.router.keycheck import check_workspace, forget_tests, store_key
from aidesk.sync import push, target
from aidesk.sync.rollout import RolloutRefused, question, rollout
from aidesk.sync.rollout import tested_this_session as rollable
from aidesk.workspaces import Workspace
from tests.support import Cli, configure
from tests.sync.conftest import Central

DEVICE = "device-here"
CENTRAL_TABLES = ("ai_configs", "ai_usage_logs", "ai_audit_logs", "ai_images",
                  "ai_bulk_messages", "ai_team_policies")


@pytest.fixture(autouse=True)
def new_session() -> Iterator[None]:
    forget_tests()
    yield
    forget_tests()


@pytest.fixture
def role(central: Central, tenant_role: Callable[[str], str], ws: Workspace) -> str:
    return tenant_role(ws.tenant_id)


@pytest.fixture
def pg(central: Central, role: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(central.as_role(role), autocommit=True) as conn:
        yield conn


def run_key_test(core: Core, ws: Workspace) -> None:
    asyncio.run(_check(core, ws))


async def _check(core: Core, ws: Workspace) -> None:
    try:
        results = await check_workspace(core.workspaces, core.keys, ws)
    finally:
        await core.router.aclose()
    assert results and all(r.ok for r in results)


def refused(call: Callable[[], object]) -> str:
    with pytest.raises(RolloutRefused) as caught:
        call()
    text = caught.value.user_message
    assert text.count(". ") == 0 and text.endswith(".")  # one sentence
    return text


def central_text(central: Central) -> str:
    """Every central row of every synced table, as text (the owner reads api_key too)."""
    with central.connect() as conn:
        return "\n".join(str(row) for table in CENTRAL_TABLES
                         for row in conn.execute(f"SELECT * FROM {table}"))


def test_rollout_needs_a_test_in_this_process_and_a_confirmation(
        core: Core, ws: Workspace, emulator: Any, central: Central,
        pg: psycopg.Connection[Any]) -> None:
    configure(core, ws, emulator, "openai")
    key = emulator.key("openai")
    text = refused(lambda: rollout(core, ws, "anthropic", confirmed=True, pg=pg,
                                   device=DEVICE))
    assert "no anthropic key" in text
    text = refused(lambda: rollout(core, ws, "openai", confirmed=True, pg=pg, device=DEVICE))
    assert "has not passed a connection test in this session" in text
    core.workspaces.record_test(ws.tenant_id, "openai", "rejected", "wrong key")
    text = refused(lambda: rollout(core, ws, "openai", confirmed=True, pg=pg, device=DEVICE))
    assert "was rejected at its last test" in text
    assert not rollable(core, ws, "openai")

    run_key_test(core, ws)  # a verified test of the current key, in this process
    assert rollable(core, ws, "openai")
    text = refused(lambda: rollout(core, ws, "openai", pg=pg, device=DEVICE))
    assert text == ("The openai key was not rolled out to tenant default: the rollout was "
                    "not confirmed.")
    assert key not in central_text(central)
    assert question(ws, "openai").startswith(
        "Roll out the openai key to tenant default (workspace default)?")

    result = rollout(core, ws, "openai", confirmed=True, pg=pg, device=DEVICE)
    assert (result.tenant_id, result.provider, result.by) == ("default", "openai", "tester")
    with central.connect() as conn:
        row = conn.execute("SELECT api_key, key_fingerprint, key_rolled_out_by, "
                           "key_rolled_out_at IS NOT NULL, model, source_device "
                           "FROM ai_configs WHERE tenant_id = 'default'").fetchall()
    assert row == [(key, result.fingerprint, "tester", True,
                    core.workspaces.config(ws.tenant_id, "openai").model, DEVICE)]
    with pytest.raises(psycopg.errors.InsufficientPrivilege):  # never read back
        pg.execute("SELECT api_key FROM ai_configs")
    with core.db.raw() as conn:
        audit = conn.execute("SELECT id, module, provider, prompt, response, success, user_id "
                             "FROM ai_audit_logs").fetchall()
    assert audit == [(result.audit_id, "sync", "openai",
                      "Key rollout: openai → tenant default (workspace default)",
                      f"Key {result.fingerprint} sent to the central database for the "
                      "platform's servers.", 1, "tester")]
    assert key not in str(audit)

    store_key(core.workspaces, core.keys, ws, "openai", "sk-proj-another-key-00000000", None)
    text = refused(lambda: rollout(core, ws, "openai", confirmed=True, pg=pg, device=DEVICE))
    assert "has not passed a connection test" in text  # the key tested is not this one


def test_no_key_reaches_the_centre_without_a_rollout(
        core: Core, ws: Workspace, emulator: Any, central: Central, role: str,
        pg: psycopg.Connection[Any]) -> None:
    target.configure(core.db, ws.tenant_id, central.dsn(role))
    configure(core, ws, emulator, "openai", "anthropic")
    run_key_test(core, ws)  # tested (and usage-free): configs and nothing else to push
    push.push(core.db, pg, ws.tenant_id, DEVICE)
    everything = central_text(central)
    assert "openai" in everything  # the configs went
    for provider in ("openai", "anthropic"):
        assert emulator.key(provider) not in everything

    rollout(core, ws, "openai", confirmed=True, pg=pg, device=DEVICE)
    assert push.push(core.db, pg, ws.tenant_id, DEVICE).get("ai_audit_logs") == 1
    with central.connect() as conn:
        audit = conn.execute("SELECT module, provider, prompt FROM ai_audit_logs").fetchall()
        keys = conn.execute("SELECT provider FROM ai_configs WHERE api_key IS NOT NULL"
                            ).fetchall()
    assert audit == [("sync", "openai",
                      "Key rollout: openai → tenant default (workspace default)")]
    assert keys == [("openai",)]
    everything = central_text(central)
    assert everything.count(emulator.key("openai")) == 1  # ai_configs.api_key, once
    assert emulator.key("anthropic") not in everything


@pytest.fixture
def cli(core: Core, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)


def test_keys_rollout_command(cli: Cli, core: Core, ws: Workspace, emulator: Any,
                              central: Central, role: str) -> None:
    assert cli("config", "set", "sync.dsn", central.dsn(role))[0] == 0
    code, _out, err = cli("keys", "rollout", "openai", "--yes")
    assert code == 1 and err.strip() == ("aidesk: Workspace default has no openai key to roll "
                                         "out; save it with `aidesk keys set openai` first.")
    assert cli("config", "set", "providers.openai.base_url", emulator.base_url("openai"))[0] == 0
    assert cli("keys", "set", "openai", "--no-test", stdin="sk-proj-WRONG-fake-key-0000\n"
               )[0] == 0
    code, _out, err = cli("keys", "rollout", "openai", "--yes")
    assert code == 1 and "Not rolled out: the openai key is rejected" in err
    assert "Traceback" not in err

    assert cli("keys", "set", "openai", stdin=emulator.key("openai") + "\n")[0] == 0
    code, out, err = cli("keys", "rollout", "openai", stdin="n\n")
    assert code == 1
    assert "Roll out the openai key to tenant default (workspace default)?" in err
    assert "the rollout was not confirmed" in err
    assert emulator.key("openai") not in central_text(central)

    code, out, err = cli("keys", "rollout", "openai", stdin="y\n")
    assert code == 0, err
    assert "Rolled out the openai key" in out and "tenant default (workspace default)" in out
    assert emulator.key("openai") not in out + err
    with central.connect() as conn:
        (stored,) = conn.execute("SELECT api_key FROM ai_configs WHERE provider = 'openai'"
                                 ).fetchone() or (None,)
    assert stored == emulator.key("openai")
    with core.db.raw() as conn:
        (count,) = conn.execute("SELECT count(*) FROM ai_audit_logs WHERE module = 'sync'"
                                ).fetchone()
    assert count == 1
