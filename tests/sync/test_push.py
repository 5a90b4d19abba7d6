"""The push against the real PostgreSQL: rows reach the centre once, however often it runs.

Local rows come from the real router (emulator) where cheap and from plain INSERTs in the
router's column shape for volume (aidesk.router.records). The centre is read as its owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from aidesk.core import Core
from aidesk.errors import SyncError, SyncUnreachable
from aidesk.features import bulk_items
from aidesk.router.records import AUDIT_COLUMNS, USAGE_COLUMNS
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_text
from aidesk.sync import outbox, passes, target
from aidesk.sync.push import push
from aidesk.workspaces import Workspace
from tests.support import configure
from tests.sync.conftest import Central

TENANT_ROLE = Callable[[str], str]
START = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


# -- helpers (tests/sync/test_push_kill.py uses them too) ----------------------------------------
def ask(core: Core, ws: Workspace, *prompts: str, module: str = "chat") -> None:
    async def main() -> None:
        try:
            for prompt in prompts:
                await core.router.ask(ws, prompt, module=module)
        finally:
            await core.router.aclose()

    asyncio.run(main())


def seed_usage(db: Database, tenant_id: str, count: int, *, user: str = "tester",
               start: datetime = START) -> list[str]:
    """`count` usage rows as the router writes them (plain INSERTs); their ids."""
    rows = [(new_id(), tenant_id, new_id(), "openai", "gpt-4o-mini", 120 + i % 7, 80, 200 + i % 7,
             0.000123, 350 + i % 50, "chat", user, 0, "ok",
             utc_text(start + timedelta(milliseconds=i)), None, None, None, "stop")
            for i in range(count)]
    with db.writing() as conn:
        conn.executemany(f"INSERT INTO ai_usage_logs ({', '.join(USAGE_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(USAGE_COLUMNS))})", rows)
    return [str(r[0]) for r in rows]


def seed_audit(db: Database, tenant_id: str, count: int, *, user: str = "tester",
               prompt: str = "Olá") -> list[str]:
    rows = [(new_id(), tenant_id, new_id(), user, "openai", "gpt-4o-mini", "chat",
             f"{prompt} {i}", "Resposta", 200, 1, None,
             json.dumps([{"provider": "anthropic", "model": "claude", "error": "timeout"}]),
             utc_text(START + timedelta(milliseconds=i)), "stop", 0)
            for i in range(count)]
    with db.writing() as conn:
        conn.executemany(f"INSERT INTO ai_audit_logs ({', '.join(AUDIT_COLUMNS)}) VALUES "
                         f"({', '.join('?' * len(AUDIT_COLUMNS))})", rows)
    return [str(r[0]) for r in rows]


def central_ids(central: Central, table: str) -> list[str]:
    with central.connect() as conn:
        return sorted(str(r[0]) for r in conn.execute(f"SELECT client_uuid FROM {table}"))


def local_ids(db: Database, table: str, tenant_id: str) -> list[str]:
    with db.raw() as conn:
        return sorted(str(r[0]) for r in conn.execute(
            f"SELECT id FROM {table} WHERE tenant_id = ?", (tenant_id,)))


@pytest.fixture
def synced(core: Core, ws: Workspace, central: Central,
           tenant_role: TENANT_ROLE) -> Iterator[psycopg.Connection[Any]]:
    """The workspace syncs to `central` as its tenant's role: that role's connection."""
    role = tenant_role(ws.tenant_id)
    target.configure(core.db, ws.tenant_id, central.dsn(role))
    with psycopg.connect(central.as_role(role), autocommit=True) as pg:
        yield pg


def run(core: Core, ws: Workspace, pg: psycopg.Connection[Any], **kw: Any) -> dict[str, int]:
    return push(core.db, pg, ws.tenant_id, target.device_id(core.db), **kw)


def moved(pushed: dict[str, int]) -> dict[str, int]:
    return {table: count for table, count in pushed.items() if count}


# -- tests ---------------------------------------------------------------------------------------
def test_router_rows_reach_the_centre_once(core: Core, ws: Workspace, emulator: Any,
                                           central: Central, tenant_role: TENANT_ROLE) -> None:
    configure(core, ws, emulator, "openai")  # before the target: the backfill queues it
    role = tenant_role(ws.tenant_id)
    assert target.configure(core.db, ws.tenant_id, central.dsn(role)) == 1
    ask(core, ws, "Crie um slogan", "Outro slogan", module="marketing")
    assert outbox.pending(core.db, ws.tenant_id) == {
        "ai_configs": 1, "ai_usage_logs": 2, "ai_audit_logs": 2, "ai_images": 0,
        "ai_bulk_messages": 0}
    device = target.device_id(core.db)
    with psycopg.connect(central.as_role(role), autocommit=True) as pg:
        assert moved(run(core, ws, pg)) == {"ai_configs": 1, "ai_usage_logs": 2,
                                            "ai_audit_logs": 2}
        assert sum(outbox.pending(core.db, ws.tenant_id).values()) == 0
        assert moved(run(core, ws, pg)) == {}
        # everything queued again (a repeated push): the centre keeps one row each
        with core.db.writing() as conn:
            assert outbox.backfill(conn, ws.tenant_id) == 5
        assert moved(run(core, ws, pg, batch_rows=2)) == {"ai_configs": 1, "ai_usage_logs": 2,
                                                          "ai_audit_logs": 2}
    for table in ("ai_usage_logs", "ai_audit_logs", "ai_configs"):
        assert central_ids(central, table) == local_ids(core.db, table, ws.tenant_id)
    with core.db.raw() as conn:
        local = conn.execute("SELECT id, request_id, model, total_tokens, cost_usd, "
                             "response_time_ms, created_at FROM ai_usage_logs").fetchall()
    with central.connect() as conn:
        usage = conn.execute(
            "SELECT client_uuid::text, request_id, model, total_tokens, cost_usd::float8, "
            "response_time_ms, created_at, tenant_id, module, user_name, cached, outcome, "
            "source_device, synced_at FROM ai_usage_logs ORDER BY created_at").fetchall()
        audit = conn.execute(
            "SELECT user_name, user_id, module, prompt, success, truncated, hops, tenant_id, "
            "source_device FROM ai_audit_logs ORDER BY created_at").fetchall()
        config = conn.execute("SELECT tenant_id, provider, enabled, base_url, client_uuid::text, "
                              "api_key, key_fingerprint FROM ai_configs").fetchall()
    for row, (uid, request_id, model, tokens, cost, ms, created) in zip(
            usage, sorted(local, key=lambda r: r[6]), strict=True):
        # the platform keeps DECIMAL(10, 6): a cost to the millionth of a dollar
        assert row[:6] == (uid, request_id, model, tokens, pytest.approx(cost, abs=5e-7), ms)
        assert isinstance(row[6], datetime)
        assert utc_text(row[6].replace(tzinfo=UTC)) == created  # the same instant, in UTC
        assert row[7:13] == (ws.tenant_id, "marketing", "tester", False, "ok", device)
        assert row[13] is not None
    assert [a[:6] for a in audit] == [("tester", None, "marketing", p, True, False)
                                      for p in ("Crie um slogan", "Outro slogan")]
    assert all(a[6] == [] and a[7] == ws.tenant_id and a[8] == device for a in audit)
    [(tenant, provider, enabled, base_url, uid, api_key, fingerprint)] = config
    assert (tenant, provider, enabled, base_url) == (ws.tenant_id, "openai", True,
                                                     emulator.base_url("openai"))
    assert [uid] == local_ids(core.db, "ai_configs", ws.tenant_id)
    assert api_key is None and fingerprint is None


def test_no_key_string_reaches_any_central_table(core: Core, ws: Workspace, emulator: Any,
                                                 synced: psycopg.Connection[Any],
                                                 central: Central) -> None:
    key = emulator.key("openai")
    configure(core, ws, emulator, "openai")
    ask(core, ws, f"my key is {key}, keep it", "Olá")
    pushed = run(core, ws, synced)
    assert pushed["ai_configs"] == 1 and pushed["ai_audit_logs"] == 2
    with central.connect() as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        for table in tables:
            text = " ".join(str(r[0]) for r in conn.execute(
                f"SELECT t::text FROM {table} AS t"))
            assert key not in text, table
        assert conn.execute("SELECT count(*) FROM ai_audit_logs").fetchone() == (2,)


def test_the_platform_user_id_is_set_only_for_a_numeric_user(
        core: Core, ws: Workspace, synced: psycopg.Connection[Any], central: Central) -> None:
    for user in ("42", "0042", "99999999999", "maria", "٣"):
        seed_audit(core.db, ws.tenant_id, 1, user=user)
    run(core, ws, synced)
    with central.connect() as conn:
        got = {str(r[0]): r[1] for r in conn.execute(
            "SELECT user_name, user_id FROM ai_audit_logs")}
    assert got == {"42": 42, "0042": 42, "99999999999": None, "maria": None, "٣": None}


def test_rows_deleted_since_they_were_queued_are_skipped(
        core: Core, ws: Workspace, synced: psycopg.Connection[Any], central: Central) -> None:
    ids = seed_audit(core.db, ws.tenant_id, 6)
    with core.db.writing() as conn:  # the audit retention ran before the push
        conn.execute("DELETE FROM ai_audit_logs WHERE id IN (?, ?)", (ids[1], ids[4]))
    assert moved(run(core, ws, synced)) == {"ai_audit_logs": 4}
    assert central_ids(central, "ai_audit_logs") == sorted(set(ids) - {ids[1], ids[4]})
    assert outbox.pending(core.db, ws.tenant_id)["ai_audit_logs"] == 0


def test_batches_report_progress_and_a_cancel_stops_between_them(
        core: Core, ws: Workspace, synced: psycopg.Connection[Any], central: Central) -> None:
    seed_usage(core.db, ws.tenant_id, 25)
    seen: list[tuple[int, int]] = []
    cancel = threading.Event()

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        cancel.set()

    assert run(core, ws, synced, batch_rows=10, progress=progress,
               cancel=cancel)["ai_usage_logs"] == 10
    assert seen == [(10, 25)]
    assert outbox.pending(core.db, ws.tenant_id)["ai_usage_logs"] == 15
    seen.clear()
    assert run(core, ws, synced, batch_rows=10,
               progress=lambda d, t: seen.append((d, t)))["ai_usage_logs"] == 15
    assert seen == [(10, 15), (15, 15)]
    assert len(central_ids(central, "ai_usage_logs")) == 25


def test_images_finished_bulk_messages_and_newer_configs(
        core: Core, ws: Workspace, synced: psycopg.Connection[Any], central: Central) -> None:
    now = utc_text(START)
    image = new_id()
    job = new_id()
    items = [new_id() for _ in range(3)]
    with core.db.writing() as conn:
        conn.execute("INSERT INTO images (id, tenant_id, request_id, file_name, prompt, preset, "
                     "size, provider, model, mime, bytes, width, height, cost_usd, "
                     "revised_prompt, created_at) VALUES (?, ?, 'r1', 'a.png', 'um gato', "
                     "'social', '1024x1024', 'openai', 'gpt-image-1', 'image/png', 1234, "
                     "1024, 1024, 0.04, NULL, ?)", (image, ws.tenant_id, now))
        conn.execute("INSERT INTO bulk_jobs (id, tenant_id, source, brief, status, total, "
                     "created_at, updated_at) VALUES (?, ?, 'leads.csv', 'Oi {nome}', 'running', "
                     "3, ?, ?)", (job, ws.tenant_id, now, now))
        conn.executemany("INSERT INTO bulk_items (id, job_id, seq, line, lead, language, state, "
                         "updated_at) VALUES (?, ?, ?, ?, ?, 'pt', 'pending', ?)",
                         [(item, job, i, i + 2, f"Lead {i}", now)
                          for i, item in enumerate(items)])
    for n, item in enumerate(items[:2]):
        assert bulk_items.claim(core.db, job, "run") is not None
        if n == 0:
            bulk_items.finish(core.db, item, "run", message="Oi Lead 0", provider="openai",
                              model="gpt-4o-mini", cost_usd=0.001, tokens=50, request_id="q0")
        else:
            bulk_items.finish(core.db, item, "run", error="The provider refused it.")
    core.workspaces.update_config(ws.tenant_id, "openai", enabled=True, model="gpt-4o")
    assert moved(run(core, ws, synced)) == {"ai_configs": 1, "ai_images": 1,
                                            "ai_bulk_messages": 2}
    with central.connect() as conn:
        assert conn.execute(
            "SELECT client_uuid::text, file_name, preset, bytes, cost_usd::float8 "
            "FROM ai_images").fetchall() == [(image, "a.png", "social", 1234, 0.04)]
        got = conn.execute(
            "SELECT client_uuid::text, job_uuid::text, brief, seq, lead, state, message, error, "
            "tokens, finished_at IS NOT NULL FROM ai_bulk_messages ORDER BY seq").fetchall()
        assert got == [
            (items[0], job, "Oi {nome}", 0, "Lead 0", "done", "Oi Lead 0", None, 50, True),
            (items[1], job, "Oi {nome}", 1, "Lead 1", "failed", None,
             "The provider refused it.", None, True)]
        # the platform changed the config after this device did: the older change loses
        conn.execute("UPDATE ai_configs SET model = 'central', updated_at = now() + "
                     "interval '1 hour'")
    core.workspaces.update_config(ws.tenant_id, "openai", model="local-later")
    # the failed message is retried and succeeds: the centre's row follows
    with core.db.writing() as conn:
        conn.execute("UPDATE bulk_items SET state = 'pending' WHERE id = ?", (items[1],))
    assert bulk_items.claim(core.db, job, "run2") is not None
    bulk_items.finish(core.db, items[1], "run2", message="Oi Lead 1", provider="openai",
                      model="gpt-4o-mini", tokens=40, request_id="q1")
    assert moved(run(core, ws, synced)) == {"ai_configs": 1, "ai_bulk_messages": 1}
    with central.connect() as conn:
        assert conn.execute("SELECT model FROM ai_configs").fetchall() == [("central",)]
        assert conn.execute("SELECT state, message, error, tokens FROM ai_bulk_messages "
                            "WHERE seq = 1").fetchall() == [("done", "Oi Lead 1", None, 40)]
        conn.execute("UPDATE ai_configs SET updated_at = '2000-01-01'")
    core.workspaces.update_config(ws.tenant_id, "openai", model="local-newest")
    run(core, ws, synced)
    with central.connect() as conn:
        assert conn.execute("SELECT model FROM ai_configs").fetchall() == [("local-newest",)]
        assert conn.execute("SELECT count(*) FROM ai_bulk_messages").fetchone() == (2,)


def test_text_with_a_nul_goes_without_it(core: Core, ws: Workspace,
                                         synced: psycopg.Connection[Any],
                                         central: Central) -> None:
    seed_audit(core.db, ws.tenant_id, 3, prompt="a\x00b")
    assert run(core, ws, synced)["ai_audit_logs"] == 3
    with central.connect() as conn:
        assert sorted(str(r[0]) for r in conn.execute("SELECT prompt FROM ai_audit_logs")) == [
            "ab 0", "ab 1", "ab 2"]


# -- offline, then online ------------------------------------------------------------------------
class Forwarder:
    """A TCP port that forwards to the real PostgreSQL while `online`; refused otherwise."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        self._server: socket.socket | None = None
        self._open: list[socket.socket] = []

    def online(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def offline(self) -> None:
        """Stop listening and cut every forwarded connection."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", 5432))
            self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)


def test_offline_the_outbox_grows_and_the_app_works_online_it_drains(
        core: Core, ws: Workspace, emulator: Any, central: Central,
        tenant_role: TENANT_ROLE) -> None:
    configure(core, ws, emulator, "openai")
    link = Forwarder()
    role = tenant_role(ws.tenant_id)
    target.configure(core.db, ws.tenant_id,
                     f"postgresql://{role}@127.0.0.1:{link.port}/{central.name}")
    for round_ in range(2):
        ask(core, ws, f"offline {round_}")  # the app works on
        with pytest.raises(SyncUnreachable) as failed:
            passes.run_pass(core, ws)
        assert "Cannot reach the central database at 127.0.0.1:" in str(failed.value)
    assert outbox.pending(core.db, ws.tenant_id) == {
        "ai_configs": 1, "ai_usage_logs": 2, "ai_audit_logs": 2, "ai_images": 0,
        "ai_bulk_messages": 0}
    assert passes.status(core, ws).last_error is not None
    link.online()
    try:
        report = passes.run_pass(core, ws)
        assert moved(report.pushed) == {"ai_configs": 1, "ai_usage_logs": 2, "ai_audit_logs": 2}
        assert report.pending == 0
        ask(core, ws, "online")
        assert moved(passes.run_pass(core, ws).pushed) == {"ai_usage_logs": 1,
                                                           "ai_audit_logs": 1}
    finally:
        link.offline()
    assert central_ids(central, "ai_usage_logs") == local_ids(core.db, "ai_usage_logs",
                                                              ws.tenant_id)
    assert passes.status(core, ws).last_error is None


def test_text_arrives_as_written(core: Core, ws: Workspace, synced: psycopg.Connection[Any],
                                 central: Central) -> None:
    """SQLite writes COPY's text lines itself: every character that means something to COPY
    (backslash, tab, newline, carriage return, \\N) and JSON's own escapes survive."""
    prompt = "tab\there\nnew line\r\nback\\slash \\N \\t é 日本 🎉 \"quoted\""
    hops = [{"provider": "a\tb", "model": "c\\d", "error": "line\nbreak \"q\""}]
    [audit] = seed_audit(core.db, ws.tenant_id, 1, prompt=prompt)
    [usage] = seed_usage(core.db, ws.tenant_id, 1, user="ana\\\t")
    with core.db.writing() as conn:
        conn.execute("UPDATE ai_audit_logs SET hops = ?, response = NULL, model = ? "
                     "WHERE id = ?", (json.dumps(hops), "m\\N", audit))
        conn.execute("UPDATE ai_usage_logs SET cost_usd = 1e-05, prompt_tokens = NULL "
                     "WHERE id = ?", (usage,))
    assert moved(run(core, ws, synced)) == {"ai_usage_logs": 1, "ai_audit_logs": 1}
    with central.connect() as conn:
        assert conn.execute("SELECT prompt, response, model, hops FROM ai_audit_logs"
                            ).fetchall() == [(f"{prompt} 0", None, "m\\N", hops)]
        assert conn.execute("SELECT user_name, cost_usd::text, prompt_tokens "
                            "FROM ai_usage_logs").fetchall() == [("ana\\\t", "0.000010", None)]


def test_a_row_the_centre_refuses_stops_the_push_and_loses_nothing(
        core: Core, ws: Workspace, synced: psycopg.Connection[Any], central: Central) -> None:
    ids = seed_usage(core.db, ws.tenant_id, 3)
    with core.db.writing() as conn:  # more than the platform's DECIMAL(10, 6) holds
        conn.execute("UPDATE ai_usage_logs SET cost_usd = 123456.5 WHERE id = ?", (ids[1],))
        conn.execute("INSERT INTO sync_outbox (tenant_id, tbl, row_id, queued_at) VALUES "
                     "(?, 'a_newer_table', 'x', '2026-11-26 00:00:00.000000')", (ws.tenant_id,))
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        run(core, ws, synced)
    assert outbox.pending(core.db, ws.tenant_id)["ai_usage_logs"] == 3
    assert central_ids(central, "ai_usage_logs") == []
    with core.db.writing() as conn:
        conn.execute("UPDATE ai_usage_logs SET cost_usd = 0.5 WHERE id = ?", (ids[1],))
    assert run(core, ws, synced)["ai_usage_logs"] == 3
    with core.db.raw() as conn:  # an entry of a table this version does not know stays
        assert conn.execute("SELECT tbl FROM sync_outbox").fetchall() == [("a_newer_table",)]
    assert run(core, ws, synced) == dict.fromkeys(outbox.SYNCED.values(), 0)


def test_a_table_locked_too_long_ends_the_pass_and_loses_nothing(
        core: Core, ws: Workspace, central: Central, tenant_role: TENANT_ROLE,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An admin's long lock on a central table: the pass gives up after the lock timeout
    with one sentence (never hangs the desktop's sync), and the next one sends everything."""
    from aidesk.sync import connect

    monkeypatch.setattr(connect, "LOCK_TIMEOUT_S", 1)
    target.configure(core.db, ws.tenant_id, central.dsn(tenant_role(ws.tenant_id)))
    seed_usage(core.db, ws.tenant_id, 7)
    with psycopg.connect(central.conninfo) as admin:
        admin.execute("LOCK TABLE ai_usage_logs IN EXCLUSIVE MODE")
        with pytest.raises(SyncError) as busy:
            passes.run_pass(core, ws)
    assert "is busy" in str(busy.value) and "next pass sends them" in str(busy.value)
    assert outbox.pending(core.db, ws.tenant_id)["ai_usage_logs"] == 7
    assert passes.run_pass(core, ws).pending == 0
    assert central_ids(central, "ai_usage_logs") == local_ids(core.db, "ai_usage_logs",
                                                              ws.tenant_id)
