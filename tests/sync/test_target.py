"""Sync targets: the DSN's checks, configure/unconfigure with the outbox, the device id."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.sync.target import (
    check_dsn,
    configure,
    device_id,
    dsn_of,
    is_local,
    parse_dsn,
)
from aidesk.workspaces import Workspace
from tests.support import configure as point_at


@pytest.mark.parametrize(("raw", "stored"), [
    ("postgresql://bob@db.example.com/acme", "postgresql://bob@db.example.com:5432/acme"),
    (" postgres://bob@DB.example.com:6432/acme ", "postgresql://bob@db.example.com:6432/acme"),
    ("postgresql://bob@[::1]:5433/acme", "postgresql://bob@[::1]:5433/acme"),
    ("postgresql://bob@%2Fvar%2Frun%2Fpostgresql/acme",
     "postgresql://bob@%2Fvar%2Frun%2Fpostgresql:5432/acme"),
    ("postgresql://bob@h/acme?sslmode=verify-full&sslrootcert=/etc/ca.pem",
     "postgresql://bob@h:5432/acme?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
    ("postgresql://ana%20maria@h/a%20b", "postgresql://ana%20maria@h:5432/a%20b"),
])
def test_dsn_stored_form(raw: str, stored: str) -> None:
    assert check_dsn(raw) == stored
    assert check_dsn(stored) == stored


def test_dsn_parts() -> None:
    d = parse_dsn("postgresql://ana%20maria@%2Ftmp%2Fpg:5433/a%20b")
    assert (d.user, d.host, d.port, d.dbname) == ("ana maria", "/tmp/pg", 5433, "a b")
    assert parse_dsn("postgresql://u@[::1]/x").where == "[::1]:5432"


@pytest.mark.parametrize(("raw", "words"), [
    ("http://bob@h/x", "starts with postgresql://"),
    ("bob@h/x", "starts with postgresql://"),
    ("postgresql://h/x", "name the user"),
    ("postgresql://bob@/x", "name the host"),
    ("postgresql://bob@h", "name the database"),
    ("postgresql://bob@h/x/y", "name the database"),
    ("postgresql://bob@h:99999/x", "port"),
    ("postgresql://bob@h:abc/x", "port"),
    ("postgresql://bob@h/x?sslmode=disable", "weaker one is refused"),
    ("postgresql://bob@h/x?sslmode=prefer", "weaker one is refused"),
    ("postgresql://bob@h/x?options=-c%20x", "only options"),
])
def test_bad_dsn_says_what_is_wrong(raw: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_dsn(raw)
    text = caught.value.user_message
    assert words in text and "postgresql://USER@HOST:PORT/DB" in text


@pytest.mark.parametrize("raw", [
    "postgresql://bob:Sup3r-Secret-PW@db.example.com/acme",
    "postgresql://bob:@db.example.com/acme",
    "postgresql://bob@db.example.com/acme?password=Sup3r-Secret-PW",
])
def test_password_in_dsn_refused_without_echo(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        check_dsn(raw)
    text = caught.value.user_message
    assert "aidesk sync login" in text and "Sup3r-Secret-PW" not in text


@pytest.mark.parametrize(("host", "local"), [
    ("localhost", True), ("LOCALHOST", True), ("127.0.0.1", True), ("127.3.2.1", True),
    ("::1", True), ("/var/run/postgresql", True), ("", True),
    ("db.example.com", False), ("10.0.0.5", False), ("128.0.0.1", False), ("::2", False),
    ("localhost.example.com", False),
])
def test_is_local(host: str, local: bool) -> None:
    assert is_local(host) is local


def _call(core: Core, ws: Workspace) -> None:
    async def main() -> None:
        try:
            await core.router.ask(ws, "Olá")
        finally:
            await core.router.aclose()

    asyncio.run(main())


def _outbox(core: Core, tenant: str) -> list[tuple[str, str]]:
    with core.db.raw() as conn:
        return [(str(t), str(r)) for t, r in conn.execute(
            "SELECT tbl, row_id FROM sync_outbox WHERE tenant_id = ? ORDER BY seq", (tenant,))]


def test_configure_backfills_then_triggers_queue(core: Core, ws: Workspace,
                                                 emulator: Any) -> None:
    point_at(core, ws, emulator, "openai")
    _call(core, ws)
    assert _outbox(core, ws.tenant_id) == []  # no target: nothing is queued
    dsn = "postgresql://bob@db.example.com:5432/acme"
    queued = configure(core.db, ws.tenant_id, dsn)
    tables = [t for t, _ in _outbox(core, ws.tenant_id)]
    assert queued == len(tables) and {"ai_usage_logs", "ai_audit_logs", "ai_configs"} <= set(
        tables)
    assert dsn_of(core.db, ws.tenant_id) == dsn
    assert configure(core.db, ws.tenant_id, dsn) == 0  # the same target again: nothing new
    assert len(_outbox(core, ws.tenant_id)) == queued
    _call(core, ws)  # now the triggers queue the new rows in the call's transaction
    assert len(_outbox(core, ws.tenant_id)) == queued + 2
    other = configure(core.db, ws.tenant_id, "postgresql://bob@other.example.com/acme")
    assert other == queued + 2 == len(_outbox(core, ws.tenant_id))  # all again, once each
    assert configure(core.db, ws.tenant_id, None) == 0
    assert dsn_of(core.db, ws.tenant_id) is None and _outbox(core, ws.tenant_id) == []
    _call(core, ws)
    assert _outbox(core, ws.tenant_id) == []


def test_configure_checks_the_dsn_first(core: Core, ws: Workspace) -> None:
    with pytest.raises(ConfigError):
        configure(core.db, ws.tenant_id, "postgresql://bob:pw123456@h/x")
    assert dsn_of(core.db, ws.tenant_id) is None


def test_device_id_made_once(core: Core) -> None:
    first = device_id(core.db)
    assert len(first) == 36 and device_id(core.db) == first
