"""The outbox: rows queued in their own transaction for syncing tenants only, a backfill of
what was written before, counts by central table."""

from __future__ import annotations

from typing import Any

from aidesk.core import Core
from aidesk.storage.values import new_id, utc_text, utcnow
from aidesk.sync import outbox, target
from aidesk.workspaces import Workspace
from tests.support import configure
from tests.sync.test_push import ask, seed_audit, seed_usage

DSN = "postgresql://someone@127.0.0.1:5432/central"
NOTHING = dict.fromkeys(outbox.SYNCED.values(), 0)


def entries(core: Core, tenant_id: str) -> list[tuple[str, str]]:
    with core.db.raw() as conn:
        return [(str(r[0]), str(r[1])) for r in conn.execute(
            "SELECT tbl, row_id FROM sync_outbox WHERE tenant_id = ? ORDER BY seq",
            (tenant_id,))]


def bulk_job(core: Core, tenant_id: str, states: list[str]) -> list[str]:
    """A job whose items are in `states` (written as the runner leaves them)."""
    now = utc_text(utcnow())
    job, items = new_id(), [new_id() for _ in states]
    with core.db.writing() as conn:
        conn.execute("INSERT INTO bulk_jobs (id, tenant_id, source, brief, status, total, "
                     "created_at, updated_at) VALUES (?, ?, 'l.csv', 'Oi', 'done', ?, ?, ?)",
                     (job, tenant_id, len(states), now, now))
        conn.executemany("INSERT INTO bulk_items (id, job_id, seq, line, lead, language, state, "
                         "updated_at) VALUES (?, ?, ?, 2, 'Ana', 'pt', 'pending', ?)",
                         [(item, job, i, now) for i, item in enumerate(items)])
        for item, state in zip(items, states, strict=True):
            conn.execute("UPDATE bulk_items SET state = ? WHERE id = ?", (state, item))
    return items


def test_only_a_syncing_tenant_queues_and_in_the_rows_transaction(
        core: Core, ws: Workspace, emulator: Any) -> None:
    configure(core, ws, emulator, "openai")
    ask(core, ws, "before sync")
    other = core.workspaces.add("Other")
    assert outbox.pending(core.db, ws.tenant_id) == NOTHING
    target.configure(core.db, other.tenant_id, DSN)
    ask(core, ws, "still not syncing")
    seed_usage(core.db, ws.tenant_id, 3)
    assert entries(core, ws.tenant_id) == []
    [usage] = seed_usage(core.db, other.tenant_id, 1)
    with core.db.raw() as conn:  # a row rolled back takes its entry with it
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT * FROM ai_usage_logs WHERE id = ?", (usage,)).fetchone()
        conn.execute(f"INSERT INTO ai_usage_logs VALUES ({', '.join('?' * len(row))})",
                     (new_id(), *row[1:]))
        assert conn.execute("SELECT count(*) FROM sync_outbox").fetchone() == (2,)
        conn.execute("ROLLBACK")
    assert entries(core, other.tenant_id) == [("ai_usage_logs", usage)]
    assert outbox.pending(core.db, other.tenant_id) == {**NOTHING, "ai_usage_logs": 1}


def test_a_new_target_queues_what_was_written_before_once(core: Core, ws: Workspace,
                                                          emulator: Any) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    ask(core, ws, "one", "two")
    seed_usage(core.db, ws.tenant_id, 5)
    seed_audit(core.db, ws.tenant_id, 4)
    done, failed, _ = bulk_job(core, ws.tenant_id, ["done", "failed", "pending"])
    with core.db.writing() as conn:
        conn.execute("INSERT INTO images (id, tenant_id, request_id, file_name, prompt, size, "
                     "provider, model, mime, bytes, created_at) VALUES (?, ?, 'r', 'a.png', "
                     "'gato', '1024x1024', 'openai', 'gpt-image-1', 'image/png', 9, ?)",
                     (new_id(), ws.tenant_id, utc_text(utcnow())))
    other = core.workspaces.add("Other")
    seed_usage(core.db, other.tenant_id, 2)  # another tenant's rows stay out
    expected = {"ai_configs": 2, "ai_usage_logs": 7, "ai_audit_logs": 6, "ai_images": 1,
                "ai_bulk_messages": 2}
    assert target.configure(core.db, ws.tenant_id, DSN) == sum(expected.values())
    assert outbox.pending(core.db, ws.tenant_id) == expected
    queued = entries(core, ws.tenant_id)
    assert queued[:2] == [("ai_configs", queued[0][1]), ("ai_configs", queued[1][1])]
    assert ("bulk_items", done) in queued and ("bulk_items", failed) in queued
    assert target.configure(core.db, ws.tenant_id, DSN) == 0  # the same target: nothing new
    with core.db.writing() as conn:
        assert outbox.backfill(conn, ws.tenant_id) == 0  # nothing queued twice
    assert entries(core, ws.tenant_id) == queued
    ask(core, ws, "after")  # the triggers queue from now on
    assert outbox.pending(core.db, ws.tenant_id)["ai_usage_logs"] == 8
    assert outbox.pending(core.db, other.tenant_id) == NOTHING
    with core.db.writing() as conn:
        assert outbox.clear(conn, ws.tenant_id) == sum(expected.values()) + 2
    assert outbox.pending(core.db, ws.tenant_id) == NOTHING


def test_config_changes_and_finished_messages_are_queued_again(core: Core,
                                                               ws: Workspace) -> None:
    target.configure(core.db, ws.tenant_id, DSN)
    core.workspaces.update_config(ws.tenant_id, "openai", enabled=True)
    core.workspaces.update_config(ws.tenant_id, "openai", model="gpt-4o")
    core.workspaces.record_test(ws.tenant_id, "openai", "verified", "ok")  # not a config change
    [item] = bulk_job(core, ws.tenant_id, ["running"])
    with core.db.writing() as conn:
        conn.execute("UPDATE bulk_items SET state = 'failed' WHERE id = ?", (item,))
        conn.execute("UPDATE bulk_items SET state = 'pending' WHERE id = ?", (item,))
        conn.execute("UPDATE bulk_items SET state = 'done' WHERE id = ?", (item,))
    assert outbox.pending(core.db, ws.tenant_id) == {**NOTHING, "ai_configs": 2,
                                                     "ai_bulk_messages": 2}
