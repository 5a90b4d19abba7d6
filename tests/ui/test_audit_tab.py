"""The Audit tab through its widgets: the lazy keyset model under Qt's model tester (pages
asked for on the worker, never waited for), filters and search, the detail pane, the CSV
export with progress and Cancel, retention and metadata-only logging; screenshots in English
and Brazilian Portuguese."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aidesk.features import audit_export
from aidesk.features.audit_log import AuditFilter
from aidesk.providers.base import Usage
from aidesk.router import records
from aidesk.router.records import CallRecord
from aidesk.ui.audit.model import AuditModel
from aidesk.ui.audit.tab import AuditTab
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.ui.conftest import shoot
from tests.ui.test_i18n_ui import language

N = 23
PROVIDERS = ("openai", "anthropic", "groq")


def seed(core: Any, tenant: str, n: int = N) -> None:
    now = datetime.now(UTC)
    for i in range(n):
        ok = i % 5 != 4
        records.write(core.db, CallRecord(
            f"r{i}", tenant, f"user{i % 2}", ("chat", "leads")[i % 2],
            f"Escreva uma legenda para a campanha número {i}" + (" de verão" if i % 3 == 0
                                                                 else ""),
            provider=PROVIDERS[i % 3], model=f"model-{i % 3}",
            response=f"Legenda {i}: aproveite!" if ok else None,
            usage=Usage(100 + i, 30) if ok else Usage(), cost_usd=0.002 if ok else None,
            latency_ms=900 + i, outcome="ok" if ok else "error",
            error=None if ok else "The provider answered with a server error.",
            hops=[{"provider": "groq", "model": "llama", "error": "rate_limited"}]
            if i == 0 else []), now - timedelta(hours=i * 7))


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Callable[..., Any]) -> Callable[..., Any]:
    return lambda fn: wait_job(bridge.call(fn), timeout=20_000)


@pytest.fixture
def ws(on_worker: Callable[..., Any]) -> Workspace:
    workspace: Workspace = on_worker(lambda core: core.workspaces.get())
    on_worker(lambda core: seed(core, workspace.tenant_id))
    return workspace


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> AuditTab:
    page = AuditTab(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    settle(qtbot, page)
    return page


def settle(qtbot: Any, tab: AuditTab) -> None:
    qtbot.waitUntil(lambda: not tab.model.loading and tab.filters.combos["provider"].count() > 1,
                    timeout=10_000)


def refilter(qtbot: Any, tab: AuditTab, change: Callable[[], Any]) -> None:
    change()
    qtbot.waitUntil(lambda: not tab.model.loading, timeout=10_000)
    while tab.model.canFetchMore():
        tab.model.fetchMore()
        qtbot.waitUntil(lambda: not tab.model.loading, timeout=10_000)


def test_model_reads_pages_lazily_on_the_worker(bridge: CoreBridge, ws: Workspace, qtbot: Any,
                                                qtmodeltester: Any) -> None:
    model = AuditModel(bridge, page_size=5)
    model.show(ws.tenant_id, AuditFilter())
    assert model.rowCount() == 0 and model.loading  # asked for, not waited for
    qtbot.waitUntil(lambda: model.rowCount() == 5, timeout=10_000)
    qtmodeltester.check(model)  # the tester may ask for the next page itself
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    while not model.complete:
        before = model.rowCount()
        model.fetchMore()
        assert model.rowCount() == before and not model.canFetchMore()  # one page at a time
        qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
        assert model.rowCount() == min(before + 5, N)
    assert model.rowCount() == N and model.complete
    stamps = [model.rows[i].created_at for i in range(N)]
    assert stamps == sorted(stamps, reverse=True)
    qtmodeltester.check(model)
    model.show(ws.tenant_id, AuditFilter(provider="groq"))  # a new filter: the old pages go
    qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
    assert {r.provider for r in model.rows} == {"groq"} and model.rowCount() == 5


def test_filters_and_search(tab: AuditTab, qtbot: Any) -> None:
    refilter(qtbot, tab, lambda: None)
    assert tab.model.rowCount() == N and tab.status.text() == f"{N} calls"
    combo = tab.filters.combos["provider"]
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "Any provider", "anthropic", "groq", "openai"]
    refilter(qtbot, tab, lambda: combo.setCurrentIndex(combo.findData("anthropic")))
    assert {r.provider for r in tab.model.rows} == {"anthropic"} and tab.model.rowCount() == 8
    outcome = tab.filters.outcome
    refilter(qtbot, tab, lambda: outcome.setCurrentIndex(outcome.findData("error")))
    assert [r.preview.split()[7] for r in tab.model.rows] == ["4", "19"]
    refilter(qtbot, tab, tab.filters.reset)
    assert tab.model.rowCount() == N
    refilter(qtbot, tab, lambda: tab.filters.search.setText("VERAO campanha"))
    qtbot.waitUntil(lambda: tab.model.rowCount() == 8, timeout=5_000)  # after typing stops
    assert all("verão" in r.preview for r in tab.model.rows)
    period = tab.filters.period
    refilter(qtbot, tab, lambda: period.setCurrentIndex(period.findData("7")))
    assert all(r.created_at > datetime.now(UTC) - timedelta(days=8) for r in tab.model.rows)
    refilter(qtbot, tab, lambda: tab.filters.search.setText('" OR NEAR('))
    qtbot.waitUntil(lambda: tab.status.text() == "No calls match these filters.",
                    timeout=5_000)


def test_detail_pane_shows_the_call_in_full(tab: AuditTab, qtbot: Any) -> None:
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: "Legenda 0" in tab.detail.toPlainText(), timeout=10_000)
    text = tab.detail.toPlainText()
    for part in ("Escreva uma legenda para a campanha número 0 de verão", "100 in, 30 out",
                 "US$", "900 ms", "groq · llama: rate limit", "nothing masked"):
        assert part in text, part
    tab.table.selectRow(4)
    qtbot.waitUntil(lambda: "server error" in tab.detail.toPlainText(), timeout=10_000)
    assert "Error" in tab.detail.toPlainText()


def test_export_with_progress_and_cancel(tab: AuditTab, qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "audit.csv"
    job = tab.export_to(path)
    assert job is not None and not tab.export_button.isEnabled()
    qtbot.waitUntil(lambda: tab.export_job is None, timeout=10_000)
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig")), delimiter=";"))
    assert len(rows) == N + 1 and rows[0][0] == "created_at"
    assert tab.export_button.isEnabled() and not tab.progress.isVisible()
    assert tab.ctx.messenger.last == ("info", "23 calls exported to audit.csv.")


def test_export_cancelled_midway_keeps_no_file(tab: AuditTab, qtbot: Any, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Five rows a chunk; the worker holds after the first until Cancel has been clicked."""
    clicked = threading.Event()
    chunks = audit_export.csv_chunks

    def held(db: Any, tenant: str, flt: AuditFilter) -> Iterator[tuple[bytes, int]]:
        for data, rows in chunks(db, tenant, flt, chunk_rows=5):
            yield data, rows
            if rows:
                assert clicked.wait(10)

    monkeypatch.setattr(audit_export, "csv_chunks", held)
    path = tmp_path / "cancelled.csv"
    job = tab.export_to(path)
    assert job is not None and tab.progress.isVisible()
    qtbot.waitUntil(lambda: tab.progress.bar.value() == 5, timeout=10_000)
    assert tab.progress.label.text() == "Exported 5 of 23 calls"
    tab.progress.cancel_button.click()
    clicked.set()
    qtbot.waitUntil(lambda: tab.export_job is None, timeout=10_000)
    assert not path.exists() and not list(tmp_path.glob("*.part"))
    assert tab.export_button.isEnabled() and not tab.progress.isVisible()


def test_retention_and_metadata_only(tab: AuditTab, qtbot: Any, ws: Workspace,
                                     on_worker: Callable[..., Any]) -> None:
    assert tab.retention.value() == 0 and tab.retention.text() == "for ever"
    assert tab.keep_text.isChecked()
    tab.retention.setValue(2)
    tab.keep_text.setChecked(False)
    tab.apply_button.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 7 and not tab.model.loading,
                    timeout=10_000)  # 0, 7 … 42 hours old
    on_worker(lambda core: records.write(core.db, CallRecord(
        "new", ws.tenant_id, None, "chat", "texto sigiloso", response="resposta"),
        datetime.now(UTC)))
    refilter(qtbot, tab, lambda: tab.filters.search.setText("sigiloso"))
    qtbot.waitUntil(lambda: "No calls" in tab.status.text(), timeout=5_000)
    refilter(qtbot, tab, tab.filters.reset)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: "Not kept" in tab.detail.toPlainText(), timeout=10_000)


@pytest.mark.parametrize("code", ["en", "pt_BR"])
def test_screenshots(ctx: UiContext, qtbot: Any, ws: Workspace, code: str) -> None:
    with language(code):
        page = AuditTab(ctx)
        qtbot.addWidget(page)
        page.resize(1280, 760)
        page.show()
        qtbot.waitExposed(page)
        page.set_workspace(ws)
        settle(qtbot, page)
        page.table.selectRow(0)
        qtbot.waitUntil(lambda: "Legenda 0" in page.detail.toPlainText(), timeout=10_000)
        shoot(page, f"audit-{code}-1280x760")
