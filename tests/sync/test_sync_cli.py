"""`aidesk sync [status|migrate|login]` against the real PostgreSQL, in process (an in-memory
keyring) and as a `python -m aidesk` subprocess (no keyring: trust auth needs none)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from psycopg.conninfo import conninfo_to_dict

from aidesk.core import Core
from aidesk.sync import central as centre
from tests import support
from tests.support import MemoryKeyring, make_core
from tests.support import configure as point_at
from tests.sync.conftest import Central
from tests.sync.fake_pg import fake_pg

ROOT = Path(__file__).resolve().parents[2]
SECRET = "S3cret pass-phrase!"


class Cli(support.Cli):
    def json(self, *argv: str) -> Any:
        code, out, err = self(*argv, "--json")
        assert code == 0, err
        return json.loads(out)


@pytest.fixture
def cli(data_dir: Path, keyring_backend: MemoryKeyring, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)


def _calls(data_dir: Path, emulator: Any, n: int, backend: MemoryKeyring) -> None:
    """n router calls in workspace `default` against the emulator (usage + audit rows)."""
    core: Core = make_core(data_dir, backend)
    ws = core.workspaces.get()
    point_at(core, ws, emulator, "openai")

    async def run() -> None:
        try:
            for i in range(n):
                await core.router.ask(ws, f"Olá {i}")
        finally:
            await core.router.aclose()

    asyncio.run(run())
    core.close()


def _count(central: Central, table: str) -> int:
    with central.connect() as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(str(row[0]))


def test_help_shows_the_json_shapes(cli: Cli) -> None:
    with pytest.raises(SystemExit):
        cli("sync", "--help")
    out = cli.capsys.readouterr().out
    assert '"pushed"' in out and '"pulled"' in out and '"pending"' in out
    assert '"last_sync_at"' in out and '"pending_by_table"' in out and '"locked"' in out
    for action in ("status", "migrate", "login"):
        assert action in out


def test_not_configured(cli: Cli) -> None:
    st = cli.json("sync", "status")
    assert st == {"configured": False, "dsn": None, "last_sync_at": None, "pending": 0,
                  "pending_by_table": {}, "last_error": None, "last_error_at": None,
                  "locked": {}}
    code, _, err = cli("sync")
    assert code == 1 and "no central database" in err and "aidesk config set sync.dsn" in err
    code, _, err = cli("sync", "login")
    assert code == 1 and "aidesk config set sync.dsn" in err
    code, out, _ = cli("sync", "status")
    assert code == 0 and "does not sync" in out


def test_pass_pushes_then_nothing_more(cli: Cli, central: Central, emulator: Any,
                                       tenant_role: Callable[[str], str],
                                       data_dir: Path, keyring_backend: MemoryKeyring) -> None:
    _calls(data_dir, emulator, 3, keyring_backend)
    code, _, err = cli("config", "set", "sync.dsn", central.dsn(tenant_role("default")))
    assert code == 0, err
    before = cli.json("sync", "status")
    assert before["configured"] and before["last_sync_at"] is None
    assert before["pending_by_table"]["ai_usage_logs"] == 3
    assert before["pending_by_table"]["ai_audit_logs"] == 3
    assert before["pending"] == sum(before["pending_by_table"].values())
    report = cli.json("sync")
    assert set(report) == {"pushed", "pulled", "pending"}
    assert report["pushed"]["ai_usage_logs"] == 3 and report["pushed"]["ai_audit_logs"] == 3
    assert report["pending"] == 0
    assert _count(central, "ai_usage_logs") == 3 and _count(central, "ai_audit_logs") == 3
    again = cli.json("sync")
    assert sum(again["pushed"].values()) == 0 and again["pending"] == 0
    assert _count(central, "ai_usage_logs") == 3
    after = cli.json("sync", "status")
    synced = datetime.fromisoformat(after["last_sync_at"])
    assert synced.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - synced) < timedelta(minutes=1)
    assert after["pending"] == 0 and after["last_error"] is None
    code, out, _ = cli("sync", "status")
    assert code == 0 and "Last sync: " in out and "never" not in out
    _calls(data_dir, emulator, 1, keyring_backend)
    code, out, err = cli("sync")
    assert code == 0, err
    assert "ai_usage_logs" in out and "Pending: 0 rows." in out


def test_unreachable_then_back(cli: Cli, central: Central, emulator: Any,
                               tenant_role: Callable[[str], str], data_dir: Path,
                               keyring_backend: MemoryKeyring) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    role = tenant_role("default")
    _calls(data_dir, emulator, 2, keyring_backend)
    assert cli("config", "set", "sync.dsn", f"postgresql://{role}@127.0.0.1:{port}/x")[0] == 0
    code, out, err = cli("sync")
    assert code == 1 and out == ""
    assert f"127.0.0.1:{port}" in err and "Traceback" not in err
    assert err.count("\n") == 1  # one line
    st = cli.json("sync", "status")
    assert f"127.0.0.1:{port}" in st["last_error"] and st["last_error_at"] is not None
    assert st["pending_by_table"]["ai_usage_logs"] == 2
    code, out, _ = cli("sync", "status")
    assert "Last error (" in out and "Last sync: never." in out
    assert cli("config", "set", "sync.dsn", central.dsn(role))[0] == 0
    report = cli.json("sync")
    assert report["pushed"]["ai_usage_logs"] == 2 and report["pending"] == 0
    st = cli.json("sync", "status")
    assert st["last_error"] is None and st["last_error_at"] is None


def test_missing_schema_then_migrate(cli: Cli, central_db: Central) -> None:
    owner = str(conninfo_to_dict(central_db.conninfo)["user"])
    assert cli("config", "set", "sync.dsn", central_db.dsn(owner))[0] == 0
    code, _, err = cli("sync")
    assert code == 1 and "has no AIDesk tables yet" in err and "`aidesk sync migrate`" in err
    code, out, err = cli("sync", "migrate")
    assert code == 0, err
    assert f"now at revision {centre.HEAD}" in out and "it was at none" in out
    code, out, _ = cli("sync", "migrate")
    assert code == 0 and "already at revision" in out
    with central_db.connect() as conn:
        assert centre.current(conn) == centre.HEAD


def test_login_tests_before_saving(cli: Cli, central: Central, keyring_backend: MemoryKeyring,
                                   tenant_role: Callable[[str], str]) -> None:
    with fake_pg() as server:
        assert cli("config", "set", "sync.dsn",
                   f"postgresql://bob@127.0.0.1:{server.port}/acme")[0] == 0
        code, out, err = cli("sync", "login", stdin=SECRET + "\n")
        assert code == 1 and "Not saved" in err and "refused the password of bob" in err
        assert server.passwords == [SECRET]  # the whole line, spaces and all
        assert SECRET not in out + err
        assert ("aidesk", "default:sync") not in keyring_backend.entries
        code, out, err = cli("sync", "login", SECRET)
        assert code == 2 and "refused" in err and SECRET not in out + err
    port = server.port  # closed now: unreachable
    code, _, err = cli("sync", "login", stdin=SECRET + "\n")
    assert code == 1 and "--force" in err and f"127.0.0.1:{port}" in err
    code, out, err = cli("sync", "login", "--force", stdin=SECRET + "\n")
    assert code == 0 and keyring_backend.entries[("aidesk", "default:sync")] == SECRET
    role = tenant_role("default")
    assert cli("config", "set", "sync.dsn", central.dsn(role))[0] == 0
    code, out, err = cli("sync", "login", stdin="another-password\n")
    assert code == 0, err  # trust auth takes any password
    assert f"Saved the password of {role}" in out
    assert keyring_backend.entries[("aidesk", "default:sync")] == "another-password"
    assert cli("sync")[0] == 0
    code, out, _ = cli("sync", "logout")
    assert code == 0 and "no longer in the OS keyring" in out
    assert ("aidesk", "default:sync") not in keyring_backend.entries
    code, out, _ = cli("sync", "logout")
    assert code == 0 and "had no central database password" in out


def test_workspace_option_before_or_after_the_action(cli: Cli, central: Central,
                                                     tenant_role: Callable[[str], str]) -> None:
    assert cli("workspace", "add", "Acme")[0] == 0
    assert cli("config", "set", "sync.dsn", central.dsn(tenant_role("acme")), "-w",
               "acme")[0] == 0
    for argv in (("sync", "-w", "acme", "status"), ("sync", "status", "-w", "acme")):
        assert cli.json(*argv)["configured"], argv
    assert not cli.json("sync", "status")["configured"]  # `default` does not sync
    assert cli.json("sync", "-w", "acme")["pending"] == 0


def test_subprocess_pass(central: Central, emulator: Any, tenant_role: Callable[[str], str],
                         tmp_path: Path, keyring_backend: MemoryKeyring) -> None:
    data = tmp_path / "data"
    _calls(data, emulator, 2, keyring_backend)
    env = {**os.environ, "AIDESK_DATA_DIR": str(data), "AIDESK_USER": "ci"}

    def aidesk(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aidesk", *argv], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    done = aidesk("config", "set", "sync.dsn", central.dsn(tenant_role("default")))
    assert done.returncode == 0, done.stderr
    done = aidesk("sync", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["pushed"]["ai_usage_logs"] == 2
    done = aidesk("sync", "status", "--json")
    assert json.loads(done.stdout)["pending"] == 0
    assert _count(central, "ai_usage_logs") == 2


def test_refused_mid_pass_is_recorded(cli: Cli, central: Central, emulator: Any,
                                      tenant_role: Callable[[str], str], data_dir: Path,
                                      keyring_backend: MemoryKeyring) -> None:
    _calls(data_dir, emulator, 1, keyring_backend)
    assert cli("config", "set", "sync.dsn", central.dsn(tenant_role("default")))[0] == 0
    with central.connect() as conn:  # the admin takes the desktops' right to write usage
        conn.execute("REVOKE INSERT ON ai_usage_logs FROM aidesk_desktop")
    code, _, err = cli("sync")
    assert code == 1 and "refused" in err and "ask the platform's admin" in err
    assert "Traceback" not in err and err.count("\n") == 1
    st = cli.json("sync", "status")
    assert "refused" in st["last_error"] and st["pending_by_table"]["ai_usage_logs"] == 1
    with central.connect() as conn:
        conn.execute("GRANT INSERT ON ai_usage_logs TO aidesk_desktop")
    assert cli.json("sync")["pushed"]["ai_usage_logs"] == 1


def test_status_shows_settings_locked_by_the_team(cli: Cli, data_dir: Path,
                                                   keyring_backend: MemoryKeyring) -> None:
    core = make_core(data_dir, keyring_backend)
    with core.db.writing() as conn:
        conn.executemany(
            "INSERT INTO team_policies (tenant_id, setting, value, mandatory, updated_at, "
            "pulled_at) VALUES ('default', ?, ?, ?, '2026-11-26 10:00:00.000000', "
            "'2026-11-26 10:00:01.000000')",
            [("team.allowed_providers", "openai,anthropic", 1),
             ("limits.tokens_per_day", "50000", 0)])
    core.close()
    assert cli.json("sync", "status")["locked"] == {
        "team.allowed_providers": "openai,anthropic"}
    code, out, _ = cli("sync", "status")
    assert code == 0 and "locked" in out and "team.allowed_providers" in out
    assert "limits.tokens_per_day" not in out


def test_cancelled_pass_pushes_no_more_and_is_no_sync(central: Central, emulator: Any,
                                                      tenant_role: Callable[[str], str],
                                                      data_dir: Path,
                                                      keyring_backend: MemoryKeyring) -> None:
    import threading

    from aidesk.sync import passes, target

    _calls(data_dir, emulator, 2, keyring_backend)
    core = make_core(data_dir, keyring_backend)
    ws = core.workspaces.get()
    target.configure(core.db, ws.tenant_id, central.dsn(tenant_role("default")))
    stop = threading.Event()
    stop.set()
    report = passes.run_pass(core, ws, cancel=stop)
    assert report.cancelled and sum(report.pushed.values()) == 0 and report.pulled == 0
    st = passes.status(core, ws)
    assert st.last_sync_at is None and st.last_error is None and st.pending == report.pending > 0
    report = passes.run_pass(core, ws)
    assert not report.cancelled and report.pending == 0
    assert passes.status(core, ws).last_sync_at == report.at
    core.close()


def test_a_long_push_says_how_far_it_is(cli: Cli, central: Central, data_dir: Path,
                                        tenant_role: Callable[[str], str],
                                        keyring_backend: MemoryKeyring) -> None:
    from aidesk.router.records import AUDIT_COLUMNS

    code, _, err = cli("config", "set", "sync.dsn", central.dsn(tenant_role("default")))
    assert code == 0, err
    core = make_core(data_dir, keyring_backend)
    with core.db.writing() as conn:  # 6,000 audit rows (refusals): two batches of the push
        conn.executemany(
            f"INSERT INTO ai_audit_logs ({', '.join(AUDIT_COLUMNS)}) VALUES "
            f"({', '.join('?' * len(AUDIT_COLUMNS))})",
            [(f"00000000-0000-4000-8000-{i:012d}", "default", f"r{i}", "tester", None, None,
              "marketing", "Olá", None, None, 0, "limit", "[]",
              "2026-11-26 10:00:00.000000", None, 0) for i in range(6000)])
    core.close()
    code, out, err = cli("sync")
    assert code == 0, err
    assert err.splitlines() == ["Pushed 5,000 of 6,000 outbox rows…",
                                "Pushed 6,000 of 6,000 outbox rows…"]
    assert _count(central, "ai_audit_logs") == 6000 and "Pending: 0 rows." in out
