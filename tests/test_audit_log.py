"""Audit log viewer core: keyset pages, filters, FTS search, detail, CSV export, retention,
metadata-only rows. Rows are written through aidesk.router.records, as the router does."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aidesk import settings
from aidesk.core import Core
from aidesk.errors import StorageError
from aidesk.features import audit_export, audit_log
from aidesk.features.audit_export import ExportCancelled, export_csv, purge
from aidesk.features.audit_log import AuditFilter, detail, page
from aidesk.providers.base import Usage
from aidesk.router import records
from aidesk.router.records import CallRecord
from aidesk.storage import Database, open_database, spool
from aidesk.workspaces import Workspace

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
PROVIDERS = ("openai", "anthropic", "groq")
MODULES = ("chat", "marketing", "leads")
WORDS = ("campanha de verão", "promoção relâmpago", "ação de natal")


def seed(db: Database, n: int = 30, tenant: str = "t1", start: datetime = NOW) -> None:
    """`n` calls an hour apart, newest at `start`: every 7th failed, every 11th refused."""
    for i in range(n):
        outcome = "refused" if i % 11 == 5 else "error" if i % 7 == 3 else \
            "cancelled" if i == 8 else "ok"
        ok = outcome == "ok"
        rec = CallRecord(
            f"r{i}", tenant, f"user{i % 4}", MODULES[i % 3], f"{WORDS[i % 3]} número {i}",
            provider=PROVIDERS[i % 3] if outcome != "refused" else None,
            model=f"m{i % 3}", response=f"resposta {i} =SUM(A1)" if ok else None,
            usage=Usage(100 + i, 20) if ok else Usage(), cost_usd=0.001 * i if ok else None,
            latency_ms=50 + i, outcome=outcome, error=None if ok else f"falhou {i}",
            hops=[{"provider": "groq", "model": "llama", "error": "rate limited"}] if i == 2
            else [])
        records.write(db, rec, start - timedelta(hours=i))


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = open_database(tmp_path / "aidesk.db")
    seed(database)
    yield database
    database.close()


def all_rows(db: Database, flt: AuditFilter, size: int = 4) -> list[audit_log.AuditRow]:
    rows: list[audit_log.AuditRow] = []
    after = None
    while True:
        got = page(db, "t1", flt, after, size)
        rows += got
        if len(got) < size:
            return rows
        after = got[-1].cursor


def test_keyset_pages_walk_every_row_newest_first_once(db: Database) -> None:
    rows = all_rows(db, AuditFilter())
    assert len(rows) == 30 and len({r.id for r in rows}) == 30
    assert [r.created_at for r in rows] == sorted((r.created_at for r in rows), reverse=True)
    assert rows[0].created_at == NOW and rows[0].preview.startswith("campanha")


def test_same_timestamp_rows_are_split_by_id_without_loss(tmp_path: Path) -> None:
    database = open_database(tmp_path / "same.db")
    for i in range(9):
        records.write(database, CallRecord(f"s{i}", "t1", None, "chat", f"p{i}"), NOW)
    rows = all_rows(database, AuditFilter(), size=2)
    assert len({r.id for r in rows}) == 9
    assert [r.id for r in rows] == sorted((r.id for r in rows), reverse=True)
    database.close()


def test_no_offset_and_pages_use_an_index(db: Database) -> None:
    clause, params = audit_log.where("t1", AuditFilter(provider="openai"))
    assert "OFFSET" not in clause.upper()
    with db.raw() as conn:
        plan = " ".join(str(r[3]) for r in conn.execute(
            f"EXPLAIN QUERY PLAN SELECT a.id FROM ai_audit_logs a WHERE {clause} "
            "ORDER BY a.created_at DESC, a.id DESC LIMIT 5", params))
    assert "ix_ai_audit_logs_tenant_id_provider_created_at" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.parametrize(("flt", "expected"), [
    (AuditFilter(provider="anthropic"), lambda i: i % 3 == 1 and i % 11 != 5),
    (AuditFilter(model="m2"), lambda i: i % 3 == 2),
    (AuditFilter(user_id="user1"), lambda i: i % 4 == 1),
    (AuditFilter(module="leads"), lambda i: i % 3 == 2),
    (AuditFilter(outcome="refused"), lambda i: i % 11 == 5),
    (AuditFilter(outcome="error"), lambda i: i % 7 == 3 and i % 11 != 5),
    (AuditFilter(outcome="cancelled"), lambda i: i == 8),
    (AuditFilter(outcome="success"),
     lambda i: i % 11 != 5 and i % 7 != 3 and i != 8),
    (AuditFilter(start=NOW - timedelta(hours=5), end=NOW - timedelta(hours=2)),
     lambda i: 2 < i <= 5),
    (AuditFilter(module="chat", outcome="success", user_id="user0"),
     lambda i: i % 3 == 0 and i % 4 == 0 and i % 11 != 5 and i % 7 != 3 and i != 8),
])
def test_filters(db: Database, flt: AuditFilter, expected: Any) -> None:
    got = {r.preview.rsplit(" ", 1)[1] for r in all_rows(db, flt)}
    assert got == {str(i) for i in range(30) if expected(i)}
    assert got  # every case matches something


def test_text_search_is_fts_with_quoted_words_and_no_accents_needed(db: Database) -> None:
    def found(text: str) -> set[int]:
        return {int(r.preview.rsplit(" ", 1)[1]) for r in all_rows(db, AuditFilter(text=text))}
    assert found("acao natal") == {i for i in range(30) if i % 3 == 2}
    assert found("resposta 4") == {4}  # the answer is searched too; all words needed
    assert found('" OR * NEAR( -') == set()  # FTS5 syntax is only words here
    assert found("verão") == found("VERAO")
    assert audit_log.fts_query('a "b') == '"a" """b"'


@pytest.mark.parametrize(("window", "sort_at_most"), [(5000, 50_000), (5000, 0), (2, 0)])
def test_search_strategies_agree_with_a_plain_scan(
        db: Database, monkeypatch: pytest.MonkeyPatch, window: int, sort_at_most: int) -> None:
    """Sort the few matches; walk the latest rows (common words); walk on past them."""
    monkeypatch.setattr(audit_log, "WINDOW", window)
    monkeypatch.setattr(audit_log, "SORT_AT_MOST", sort_at_most)
    everything = all_rows(db, AuditFilter())
    for text, flt in (("natal", AuditFilter()), ("verao", AuditFilter(module="chat")),
                      ("número", AuditFilter(outcome="success")),
                      ("resposta", AuditFilter(user_id="user2"))):
        plain = [r.id for r in everything if text_of(db, r.id, text) and matches(r, flt)]
        assert [r.id for r in all_rows(db, replace(flt, text=text), size=3)] == plain
        assert plain


def text_of(db: Database, audit_id: str, word: str) -> bool:
    got = detail(db, "t1", audit_id)
    assert got is not None
    fold = {"verao": "verão", "número": "número"}.get(word, word)
    return fold in f"{got.prompt} {got.response}"


def matches(row: audit_log.AuditRow, flt: AuditFilter) -> bool:
    return ((flt.module is None or row.module == flt.module)
            and (flt.user_id is None or row.user_id == flt.user_id)
            and (flt.outcome is None or row.outcome == "ok"))


def test_fts_follows_deletes_and_updates(db: Database) -> None:
    with db.writing() as conn:
        conn.execute("UPDATE ai_audit_logs SET prompt = 'outro texto' WHERE request_id = 'r2'")
        conn.execute("DELETE FROM ai_audit_logs WHERE request_id = 'r5'")
    assert len(all_rows(db, AuditFilter(text="outro"))) == 1
    assert {r.preview for r in all_rows(db, AuditFilter(text="natal"))} == {
        f"ação de natal número {i}" for i in (8, 11, 14, 17, 20, 23, 26, 29)}
    with db.raw() as conn:  # the index agrees with the table
        conn.execute("INSERT INTO ai_audit_fts (ai_audit_fts) VALUES ('integrity-check')")


def test_detail_has_text_figures_hops_and_error(db: Database) -> None:
    row = next(r for r in all_rows(db, AuditFilter()) if r.preview.endswith(" 2"))
    got = detail(db, "t1", row.id)
    assert got is not None
    assert got.prompt == "ação de natal número 2" and got.response == "resposta 2 =SUM(A1)"
    assert (got.prompt_tokens, got.completion_tokens, got.latency_ms) == (102, 20, 52)
    assert got.cost_usd == pytest.approx(0.002)
    assert got.hops == (audit_log.Hop("groq", "llama", "rate limited"),)
    assert not got.masked and got.row.outcome == "ok"
    failed = next(r for r in all_rows(db, AuditFilter(outcome="refused")))
    got = detail(db, "t1", failed.id)
    assert got is not None and got.row.outcome == "refused" and got.row.error == "falhou 5"
    assert detail(db, "t2", row.id) is None  # another workspace's row is not shown


def test_detail_says_when_a_key_was_masked(db: Database) -> None:
    records.write(db, CallRecord("k", "t1", None, "chat", "key sk-proj-" + "Ab1" * 10,
                                 response="ok"), NOW + timedelta(hours=1))
    got = detail(db, "t1", page(db, "t1", AuditFilter(), None, 1)[0].id)
    assert got is not None and got.masked and "Ab1Ab1" not in (got.prompt or "")


def test_csv_export_streams_guarded_cells_in_chunks(db: Database) -> None:
    out, seen = io.BytesIO(), list[int]()
    n = export_csv(db, "t1", AuditFilter(outcome="success"), out, progress=seen.append,
                   chunk_rows=7)
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == list(audit_export.CSV_HEADER) and len(rows) == n + 1
    assert n == len(all_rows(db, AuditFilter(outcome="success")))
    assert audit_export.count(db, "t1", AuditFilter(outcome="success")) == n
    assert seen == sorted(seen) and seen[-1] == n and len(seen) == -(-n // 7)
    assert all(r[9].startswith("resposta") for r in rows[1:])
    first = datetime.strptime(rows[1][0], "%Y-%m-%d %H:%M:%S")
    assert first == NOW.astimezone().replace(tzinfo=None)  # local time
    assert "'=SUM" not in data.decode("utf-8-sig")  # only a cell's start is guarded...
    guarded = io.BytesIO()
    records.write(db, CallRecord("f", "t1", None, "chat", "=HYPERLINK(x)", response="ok"),
                  NOW + timedelta(hours=1))
    export_csv(db, "t1", AuditFilter(module="chat"), guarded)
    assert "'=HYPERLINK(x)" in guarded.getvalue().decode("utf-8-sig")  # ...as leads does


def test_csv_export_cancels_between_chunks(db: Database) -> None:
    calls: list[int] = []
    with pytest.raises(ExportCancelled):
        export_csv(db, "t1", AuditFilter(), io.BytesIO(), chunk_rows=5,
                   progress=calls.append, cancelled=lambda: len(calls) >= 2)
    assert calls == [5, 10]


def test_retention_purges_old_rows_and_their_search_entries(db: Database) -> None:
    seed(db, 3, tenant="t2")
    assert purge(db, 1, NOW) == 5  # t1: hours 25..29 (24 is not older); t2: none
    rows = all_rows(db, AuditFilter())
    assert len(rows) == 25 and min(r.created_at for r in rows) == NOW - timedelta(days=1)
    assert not all_rows(db, AuditFilter(text="29"))
    assert len(page(db, "t2", AuditFilter(), None, 10)) == 3
    with pytest.raises(ValueError):
        purge(db, 0, NOW)


def test_keep_text_false_writes_metadata_only(core: Core, ws: Workspace) -> None:
    assert settings.get(core.workspaces, ws, "audit.keep_text") == "true"
    assert settings.get(core.workspaces, ws, "audit.retention_days") == "none"
    settings.set(core.workspaces, ws, "audit.keep_text", "false")
    settings.set(core.workspaces, ws, "audit.retention_days", "90")
    assert settings.audit_retention_days(core.workspaces) == 90
    records.write(core.db, CallRecord("x", ws.tenant_id, None, "chat", "segredo",
                                      response="resposta", provider="openai"), NOW)
    row = page(core.db, ws.tenant_id, AuditFilter(), None, 1)[0]
    got = detail(core.db, ws.tenant_id, row.id)
    assert got is not None and (got.prompt, got.response) == (None, None)
    assert got.row.provider == "openai" and not all_fts(core.db, "segredo")
    settings.set(core.workspaces, ws, "audit.keep_text", "true")
    settings.set(core.workspaces, ws, "audit.retention_days", "off")
    assert settings.audit_retention_days(core.workspaces) is None
    records.write(core.db, CallRecord("y", ws.tenant_id, None, "chat", "segredo",
                                      response="resposta"), NOW)
    assert all_fts(core.db, "segredo") == 1


def all_fts(db: Database, word: str) -> int:
    with db.raw() as conn:
        return int(conn.execute("SELECT count(*) FROM ai_audit_fts WHERE ai_audit_fts MATCH ?",
                                (word,)).fetchone()[0])


@pytest.mark.parametrize("keep", [True, False])
def test_keep_text_holds_for_spooled_rows_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: bool) -> None:
    """A row the database could not take goes to the spool already without its text."""
    database = open_database(tmp_path / "spooled.db")
    with database.writing() as conn:
        conn.execute("INSERT INTO app_state (key, value) VALUES ('audit.keep_text', ?)",
                     ("true" if keep else "false",))

    def full(*_args: Any, **_kw: Any) -> Any:
        raise StorageError("The disk is full.")

    monkeypatch.setattr(database, "writing", full)
    records.write(database, CallRecord("sp", "t1", None, "chat", "segredo do cliente",
                                       response="resposta"), NOW)
    monkeypatch.undo()
    assert spool.replay(database) == 1
    got = detail(database, "t1", page(database, "t1", AuditFilter(), None, 1)[0].id)
    assert got is not None
    assert (got.prompt, got.response) == (("segredo do cliente", "resposta") if keep
                                          else (None, None))
    database.close()


def test_unreadable_setting_keeps_text_out(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    database = open_database(tmp_path / "x.db")

    def broken(*_args: Any, **_kw: Any) -> Any:
        raise StorageError("The database is locked.")

    monkeypatch.setattr(database, "raw", broken)
    assert records._keeps_text(database) is False  # the safe side
    monkeypatch.undo()
    database.close()


def test_retention_purges_in_small_transactions(db: Database) -> None:
    seed(db, 3, tenant="t2", start=NOW - timedelta(days=3))
    steps = list(audit_export.purge_batches(db, 1, NOW, batch=2))
    assert sorted(steps) == [1, 1, 2, 2, 2]  # t1: 2+2+1, t2: 2+1 (a short step ends each)
    assert audit_export.purge(db, 1, NOW) == 0
    with db.raw() as conn:
        conn.execute("INSERT INTO ai_audit_fts (ai_audit_fts) VALUES ('integrity-check')")
