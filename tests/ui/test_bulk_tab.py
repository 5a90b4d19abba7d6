"""The Bulk messages tab through its widgets: the leads CSV with the column mapping, the
brief with its placeholders (click to insert, an unknown one said at once), Preview (three
messages and the estimate), the run with progress, Pause, Resume and Cancel, the table's
states and failure tooltips, the export; a workspace limit; an unfinished job offered when
the app opens; screenshots in English and Brazilian Portuguese, light and dark."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QFileDialog

from aidesk.ui import theme as themes
from aidesk.ui.app import build_window
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.bulk.models import MESSAGE, STATE, ItemModel
from aidesk.ui.bulk.tab import BulkTab
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.bulk_support import write_csv, writer
from tests.ui.chat_support import configure_openai, in_mapping_dialog, pick_files
from tests.ui.conftest import answer_dialog, shoot
from tests.ui.test_assistant import type_text
from tests.ui.test_chat_screens import SIZES, cut_off, theme  # noqa: F401
from tests.ui.test_i18n_ui import language, show_tab, started_window

Wait = Callable[..., Any]
NAMES = ("Beatriz Ramos", "John Carter", "Lucía Gómez", "Rafael Costa", "Ana Lima",
         "Bruno Alves", "Carla Dias", "Diego Rocha")


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Wait) -> Callable[[Callable[[Any], Any]], Any]:
    return lambda fn: wait_job(bridge.call(fn), timeout=20_000)


@pytest.fixture
def ws(on_worker: Callable[..., Any], emulator: Any) -> Workspace:
    workspace: Workspace = on_worker(lambda core: core.workspaces.get())
    on_worker(lambda core: configure_openai(core, workspace, emulator))
    emulator.replier("openai", writer)
    return workspace


@pytest.fixture
def leads_csv(tmp_path: Path) -> Path:
    languages = {1: "en", 2: "es"}
    return write_csv(tmp_path / "clientes.csv", ("Nome", "Empresa", "Cidade", "Idioma"),
                     [(name, f"Empresa {i}", "Campinas", languages.get(i, ""))
                      for i, name in enumerate(NAMES)])


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> BulkTab:
    page = BulkTab(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 680)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    return page


def open_leads(qtbot: Any, tab: BulkTab, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    seen: list[Any] = []
    in_mapping_dialog(lambda dialog: dialog.accept(), seen)
    pick_files(monkeypatch, [path])
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.leads is not None and not tab.busy, timeout=20_000)
    assert seen and seen[0].mapping() == {"lead": "Nome", "company": "Empresa",
                                          "language": "Idioma"}


def chip(tab: BulkTab, name: str) -> Any:
    return next(tab.brief.chips.item(i) for i in range(tab.brief.chips.count())
                if tab.brief.chips.item(i).text() == "{" + name + "}")


def preview(qtbot: Any, tab: BulkTab) -> None:
    qtbot.mouseClick(tab.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.busy and tab.job is not None, timeout=20_000)
    qtbot.waitUntil(lambda: tab.model.rowCount() == len(NAMES), timeout=10_000)


def write_all(qtbot: Any, tab: BulkTab) -> None:
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.runner.running and tab.job is not None
                    and tab.job.status == "done", timeout=30_000)


def test_file_brief_preview_run_and_export(tab: BulkTab, qtbot: Any, emulator: Any,
                                           monkeypatch: pytest.MonkeyPatch, leads_csv: Path,
                                           tmp_path: Path, qtmodeltester: Any) -> None:
    assert not tab.preview_button.isEnabled() and not tab.run_button.isEnabled()
    assert tab.brief.chips_label.text() == "Open a leads CSV to see its placeholders."
    open_leads(qtbot, tab, monkeypatch, leads_csv)
    assert tab.file_label.text().startswith("clientes.csv: 8 leads (Portuguese 6, English 1, "
                                            "Spanish 1)")
    assert [tab.brief.chips.item(i).text() for i in range(tab.brief.chips.count())] == [
        "{nome}", "{empresa}", "{cidade}", "{idioma}"]
    qtbot.waitUntil(lambda: tab.job_combo.currentText() == "New: clientes.csv",
                    timeout=5_000)

    type_text(tab.brief.editor, "Oi ")
    qtbot.mouseClick(tab.brief.chips.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.brief.chips.visualItemRect(chip(tab, "nome")).center())
    type_text(tab.brief.editor, ", conheça a loja nova em {bairro}!")
    assert tab.brief.text() == "Oi {nome}, conheça a loja nova em {bairro}!"
    assert tab.brief.problem.isVisible()
    assert tab.brief.problem.text() == ("The brief uses {bairro}, which no column of "
                                        "clientes.csv provides (placeholders: {nome}, "
                                        "{empresa}, {cidade}, {idioma}).")
    assert not tab.preview_button.isEnabled()
    for _n in range(len("{bairro}!")):
        qtbot.keyClick(tab.brief.editor, Qt.Key.Key_Backspace)
    type_text(tab.brief.editor, "{cidade}!")
    assert not tab.brief.problem.isVisible() and tab.preview_button.isEnabled()

    preview(qtbot, tab)
    shown = tab.preview_view.toPlainText()
    assert "1. Beatriz Ramos · Portuguese" in shown
    assert "[English] John Carter: Oi John Carter, conheça a loja nova em Campinas!" in shown
    assert "3. Lucía Gómez · Spanish" in shown
    assert "Estimated cost of the 5 messages still to write: US$" in shown
    assert "The 3 messages already written cost" in shown
    assert tab.run_button.text().replace("&", "") == "Write the other 5 messages"
    assert tab.message_view.toPlainText().startswith("[Brazilian Portuguese (pt-BR)] Beatriz")
    assert [tab.model.index(r, STATE).data() for r in range(4)] == [
        "✓ Done", "✓ Done", "✓ Done", "○ Pending"]
    qtmodeltester.check(tab.model)

    write_all(qtbot, tab)
    qtbot.waitUntil(lambda: all(r.state == "done" for r in tab.model.rows), timeout=10_000)
    # the rows' refresh and the run's end arrive as two replies: wait for the second too
    qtbot.waitUntil(lambda: tab.ctx.messenger.last == ("info", "8 of 8 messages written."),
                    timeout=5_000)
    assert tab.status.text() == "Finished: 8 of 8 written"
    assert tab.bar.value() == tab.bar.maximum() == 8
    assert sum(1 for r in emulator.requests_for("openai") if r.method == "POST") == 8
    assert tab.brief.editor.isReadOnly()  # the job's brief is kept as it ran
    assert tab.job_combo.currentText().startswith("clientes.csv · ")
    assert tab.job_combo.currentText().endswith(" · 8/8 · Finished")

    target = tmp_path / "mensagens.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: target.exists() and tab.ctx.messenger.last is not None
                    and str(target) in tab.ctx.messenger.last[1], timeout=10_000)
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert [r["Nome"] for r in rows] == list(NAMES)
    assert all(r["status"] == "done" and r["message"] for r in rows)


def test_a_brief_changed_after_the_preview_is_previewed_again(
        tab: BulkTab, qtbot: Any, emulator: Any, monkeypatch: pytest.MonkeyPatch,
        leads_csv: Path) -> None:
    open_leads(qtbot, tab, monkeypatch, leads_csv)
    type_text(tab.brief.editor, "Oi {nome}")
    preview(qtbot, tab)
    assert tab.job is not None
    first = tab.job.id
    assert tab.run_button.isEnabled() and not tab.preview_button.isEnabled()
    type_text(tab.brief.editor, ", tudo bem?")
    assert not tab.run_button.isEnabled() and tab.preview_button.isEnabled()
    assert tab.run_button.toolTip() == "The brief changed: press Preview again first."
    preview(qtbot, tab)
    assert tab.job is not None and tab.job.id != first
    assert tab.job.brief == "Oi {nome}, tudo bem?"
    qtbot.waitUntil(lambda: [tab.job_combo.itemData(i) for i in range(tab.job_combo.count())]
                    == [tab.job.id if tab.job else None], timeout=5_000)  # the old one dropped
    assert "Oi Beatriz Ramos, tudo bem?" in tab.preview_view.toPlainText()
    assert sum(1 for r in emulator.requests_for("openai") if r.method == "POST") == 6


def test_pause_resume_and_cancel(tab: BulkTab, qtbot: Any, emulator: Any,
                                 monkeypatch: pytest.MonkeyPatch, leads_csv: Path,
                                 on_worker: Callable[..., Any]) -> None:
    from aidesk import settings

    on_worker(lambda core: settings.set(core.workspaces, core.workspaces.get(),
                                        "bulk.concurrency", "1"))
    open_leads(qtbot, tab, monkeypatch, leads_csv)
    type_text(tab.brief.editor, "Oi {nome}")
    preview(qtbot, tab)
    emulator.latency("openai", 0.3)
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.runner.last is not None
                    and tab.runner.last.counts.done >= 4, timeout=15_000)
    assert tab.pause_button.isVisible() and not tab.resume_button.isVisible()
    assert not tab.open_button.isEnabled() and not tab.run_button.isEnabled()
    qtbot.mouseClick(tab.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.resume_button.isVisible(), timeout=5_000)
    qtbot.waitUntil(lambda: tab.runner.last is not None and tab.runner.last.paused
                    and tab.runner.last.counts.running == 0, timeout=5_000)
    last = tab.runner.last
    assert last is not None
    held = last.counts.done
    assert "paused" in tab.status.text()
    # the job list follows the run, not the counts from before it
    assert tab.job_combo.currentText().endswith(f" · {held}/{len(NAMES)} · Paused")
    qtbot.wait(700)
    assert tab.runner.last is not None and tab.runner.last.counts.done == held
    qtbot.mouseClick(tab.resume_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.runner.last is not None
                    and tab.runner.last.counts.done > held, timeout=10_000)
    qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.runner.running, timeout=10_000)
    assert tab.job is not None and tab.job.status == "cancelled"
    left = tab.job.counts.pending
    assert left > 0
    assert tab.ctx.messenger.last is not None
    assert tab.ctx.messenger.last[1].startswith("Stopped: ")
    assert tab.run_button.text().replace("&", "") == (
        f"Write the {left} messages left" if left > 1 else "Write the 1 message left")

    emulator.latency("openai", 0.0)
    write_all(qtbot, tab)
    assert tab.job.counts.done == len(NAMES)


def test_a_limit_stops_the_run_and_a_failure_has_its_reason(
        tab: BulkTab, qtbot: Any, emulator: Any, monkeypatch: pytest.MonkeyPatch,
        leads_csv: Path, on_worker: Callable[..., Any], ws: Workspace) -> None:
    open_leads(qtbot, tab, monkeypatch, leads_csv)
    type_text(tab.brief.editor, "Oi {nome}")
    emulator.fault("openai", "bad_request", times=1)
    preview(qtbot, tab)
    [row] = [r for r, item in enumerate(tab.model.rows) if item.state == "failed"]
    assert row < 3  # one of the three the preview wrote at the same time
    assert tab.model.index(row, STATE).data() == "✗ Failed"
    assert tab.model.index(row, STATE).data(Qt.ItemDataRole.ToolTipRole) == \
        tab.model.rows[row].error
    assert "failed: " in tab.preview_view.toPlainText()
    on_worker(lambda core: core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 4))
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.runner.running and tab.job is not None
                    and tab.job.status == "stopped", timeout=20_000)
    level, text = tab.ctx.messenger.last or ("", "")
    assert level == "error"
    assert text.startswith("Workspace limit reached: requests per hour is 4 (used 4). It "
                           "resets at ")
    assert "Settings" in text and "aidesk config" not in text
    # the refused request of the preview counts too: 3 written, 1 failed, 4 left
    status = tab.status.text()
    assert status.startswith("Stopped: 3 of 8 written, 1 failed. Workspace limit reached")
    assert status.endswith("Raise it in Settings (Ctrl+,).")
    assert tab.job is not None and tab.job.counts.pending == 4


def test_an_unfinished_job_is_offered_when_the_app_opens(
        bridge: CoreBridge, qtbot: Any, tmp_path: Path, ws: Workspace, leads_csv: Path,
        on_worker: Callable[..., Any], emulator: Any) -> None:
    from aidesk.features import bulk_jobs
    from aidesk.features.bulk import read_leads_file

    def interrupted(core: Any) -> str:
        job = bulk_jobs.create_job(core.db, ws.tenant_id, read_leads_file(leads_csv),
                                   "Oi {nome}")
        bulk_jobs.set_status(core.db, job.id, "paused")
        return job.id

    job_id = on_worker(interrupted)
    seen: list[str] = []
    answer_dialog("Resume", seen=seen)
    window = build_window(bridge, QSettings(str(tmp_path / "ui.ini"),
                                            QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.complete_startup()
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    window.ctx.messenger.dialogs_enabled = False
    assert seen[0] == ("The bulk messages of clientes.csv have 8 leads left to write (0 of 8 "
                       "written; it was paused). Write them now?")
    page = window.page(BulkTab)
    assert isinstance(page, BulkTab)
    qtbot.waitUntil(lambda: page.job is not None and page.job.id == job_id
                    and page.job.status == "done", timeout=20_000)
    assert window.tabs.currentWidget() is page.parentWidget()
    assert page.job is not None and page.job.counts.done == len(NAMES)


def test_model_passes_qt_model_tester(qtmodeltester: Any) -> None:
    from aidesk.features.bulk_jobs import Item

    model = ItemModel()
    qtmodeltester.check(model)
    model.set_rows([Item("a", 0, 2, "Ana", ("Ana",), "pt", "done", "Olá Ana!"),
                    Item("b", 1, 3, "", ("",), "en", "failed", error="openai: refused.")])
    qtmodeltester.check(model)
    assert model.index(1, 1).data() == "line 3"
    assert model.index(1, MESSAGE).data() == "openai: refused."
    assert model.index(0, MESSAGE).data(Qt.ItemDataRole.ToolTipRole) == "Olá Ana!"


@pytest.mark.parametrize("code", ["en", "pt_BR"])
def test_bulk_tab_fits_and_is_pictured(code: str, bridge: CoreBridge, qtbot: Any,
                                       tmp_path: Path, ws: Workspace, leads_csv: Path,
                                       monkeypatch: pytest.MonkeyPatch,
                                       theme: themes.Theme) -> None:  # noqa: F811
    with language(code):
        window = started_window(bridge, qtbot, tmp_path / "ui.ini")
        page = window.page(BulkTab)
        assert isinstance(page, BulkTab)
        show_tab(window, page)
        seen: list[Any] = []
        in_mapping_dialog(lambda dialog: dialog.accept(), seen)
        pick_files(monkeypatch, [leads_csv])
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.leads is not None and not page.busy, timeout=20_000)
        type_text(page.brief.editor, "Convide {nome} da {empresa} para a inauguração "
                                           "da loja de {cidade} no sábado.")
        problems: list[str] = []
        qtbot.wait(80)
        problems += [f"draft: {p}" for p in cut_off(page, window)]
        shoot(window, f"bulk-{code}-light-draft-1024x640")
        preview(qtbot, page)
        qtbot.wait(80)
        shoot(window, f"bulk-{code}-light-preview-1024x640")
        write_all(qtbot, page)
        page.table.selectRow(1)
        for scheme in (themes.LIGHT, themes.DARK):
            theme.set_choice(scheme)
            for width, height in SIZES:
                window.resize(width, height)
                qtbot.wait(80)
                size = f"{width}x{height}"
                problems += [f"{scheme} {size}: {p}" for p in cut_off(page, window)]
                shoot(window, f"bulk-{code}-{scheme}-{size}")
        assert not problems, "\n".join(problems)
