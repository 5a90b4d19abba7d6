"""The Leads tab through its widgets: CSV import with the column mapping, the list, the lead
card after Analyse, Analyse all with progress and Cancel, CSV/JSON export, and an invalid
answer reported in one sentence; the AI through the router, the real SDK and the emulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from aidesk.ui.bridge import CoreBridge
from aidesk.ui.column_map import ColumnMapDialog, PreviewModel
from aidesk.ui.context import UiContext
from aidesk.ui.leads.models import TEMPERATURE, LeadModel
from aidesk.ui.leads.tab import LeadsTab
from aidesk.workspaces import Workspace
from tests.ui.chat_support import LEADS, configure_openai, in_mapping_dialog, model, pick_files

Wait = Callable[..., Any]


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Wait) -> Callable[[Callable[[Any], Any]], Any]:
    return lambda fn: wait_job(bridge.call(fn), timeout=20_000)


@pytest.fixture
def ws(on_worker: Callable[..., Any], emulator: Any) -> Workspace:
    workspace: Workspace = on_worker(lambda core: core.workspaces.get())
    on_worker(lambda core: configure_openai(core, workspace, emulator))
    emulator.replier("openai", model)
    return workspace


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> LeadsTab:
    page = LeadsTab(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 680)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    return page


def names(tab: LeadsTab) -> list[str]:
    return [str(tab.proxy.index(r, 0).data()) for r in range(tab.proxy.rowCount())]


def import_leads(qtbot: Any, tab: LeadsTab, monkeypatch: pytest.MonkeyPatch,
                 act: Callable[[ColumnMapDialog], None] | None = None) -> list[Any]:
    seen: list[Any] = []
    in_mapping_dialog(act or (lambda dialog: dialog.accept()), seen)
    pick_files(monkeypatch, [LEADS])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen) and tab.job is None and tab.model.rowCount() == 2,
                    timeout=20_000)
    return seen


def test_leads_import_with_the_mapping_dialog_and_the_list(tab: LeadsTab, qtbot: Any,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           qtmodeltester: Any) -> None:
    before: dict[str, Any] = {}

    def look(dialog: ColumnMapDialog) -> None:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        before.update(mapping=dialog.mapping(), ok=ok.isEnabled())
        dialog.choose("lead", "")
        before.update(without_lead=ok.isEnabled(), problem=dialog.problem.text())
        dialog.choose("lead", "Nome")
        qtmodeltester.check(dialog.preview)
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    import_leads(qtbot, tab, monkeypatch, look)
    assert before["mapping"] == {"lead": "Nome", "company": "Empresa", "email": "E-mail",
                                 "phone": "Telefone", "time": "Data", "kind": "Tipo",
                                 "text": "Nota"}
    assert before["ok"] is True
    assert before["without_lead"] is True  # the e-mail still names each lead
    assert tab.ctx.messenger.last == ("info", "Imported 2 leads.")
    assert sorted(names(tab)) == ["Beatriz Ramos", "Rafael Costa"]
    index = tab.proxy.index(names(tab).index("Beatriz Ramos"), 0)
    assert tab.proxy.index(index.row(), 1).data() == "Doces da Bia"
    assert tab.proxy.index(index.row(), 2).data() == "3"
    assert tab.proxy.index(index.row(), TEMPERATURE).data() == ""
    qtmodeltester.check(tab.model)
    qtmodeltester.check(tab.proxy)
    assert not tab.export_csv_button.isEnabled()


def test_analyse_shows_the_lead_card(tab: LeadsTab, qtbot: Any,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import_leads(qtbot, tab, monkeypatch)
    tab.table.selectRow(names(tab).index("Beatriz Ramos"))
    card = tab.card
    assert card.name.text() == "Beatriz Ramos"
    assert card.status.text().startswith("Not analysed yet")
    assert not card.summary.isVisible()
    assert "Quer fechar até sexta" in card.history.text()
    qtbot.mouseClick(tab.analyse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.badge.isVisible(), timeout=15_000)
    assert card.badge.text() == "Hot · 86"
    assert card.badge.toolTip() == "Score 86 of 100: Orçamento aprovado; Prazo curto"
    assert card.summary.text() == "Pediu orçamento de 300 ovos e quer fechar até sexta."
    assert card.interests.items == ["Páscoa", "Ovos personalizados", "Anúncios"]
    assert "Orçamento aprovado" in card.reasons.text()
    assert "Enviar proposta hoje" in card.next_actions.text()
    assert names(tab)[0] == "Beatriz Ramos"  # hottest first
    qtbot.mouseClick(card.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("Beatriz Ramos\nDoces da Bia, bia@docesdabia.com.br")
    assert "Interests: Páscoa, Ovos personalizados, Anúncios" in copied
    assert tab.export_csv_button.isEnabled()


def test_analyse_all_with_progress_cancel_and_resume(tab: LeadsTab, qtbot: Any,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     emulator: Any) -> None:
    import_leads(qtbot, tab, monkeypatch)
    emulator.latency("openai", 0.6)
    monkeypatch.setattr("aidesk.ui.leads.work.CONCURRENCY", 1)
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.isVisible(), timeout=5_000)
    assert not tab.import_button.isEnabled()
    qtbot.waitUntil(lambda: tab.progress.bar.maximum() == 2 and tab.progress.bar.value() == 1,
                    timeout=15_000)
    assert tab.progress.label.text() == "Analysed 1 of 2 leads…"
    qtbot.mouseClick(tab.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None, timeout=10_000)
    qtbot.waitUntil(lambda: sum(1 for r in tab.model.rows if r.analysis) == 1, timeout=10_000)
    assert tab.ctx.messenger.last is not None
    assert tab.ctx.messenger.last[1].startswith("Analysis stopped.")
    sent = len(emulator.requests_for("openai"))

    emulator.latency("openai", 0.0)
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None and all(r.analysis for r in tab.model.rows),
                    timeout=15_000)
    assert len(emulator.requests_for("openai")) == sent + 1  # only the lead left
    assert tab.ctx.messenger.last == ("info", "Analysed 1 lead.")
    assert not tab.analyse_all_button.isEnabled()


def test_export_of_the_analysed_leads(tab: LeadsTab, qtbot: Any,
                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import_leads(qtbot, tab, monkeypatch)
    tab.table.selectRow(names(tab).index("Beatriz Ramos"))
    qtbot.mouseClick(tab.analyse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.export_csv_button.isEnabled(), timeout=15_000)
    for kind, button in (("csv", tab.export_csv_button), ("json", tab.export_json_button)):
        target = tmp_path / f"leads.{kind}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, t=target, **k: (str(t), "")))
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda t=target: t.exists() and tab.ctx.messenger.last is not None
                        and str(t) in tab.ctx.messenger.last[1], timeout=10_000)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "leads.csv").read_text("utf-8-sig")),
                               delimiter=";"))
    assert [(r["name"], r["temperature"], r["score"]) for r in rows] == [
        ("Beatriz Ramos", "hot", "86")]  # only the analysed lead
    data = json.loads((tmp_path / "leads.json").read_text("utf-8"))
    assert data[0]["interests"] == ["Páscoa", "Ovos personalizados", "Anúncios"]
    assert tab.ctx.messenger.last == (
        "info", f"Exported 1 analysed lead to {tmp_path / 'leads.json'}.")


def test_a_prose_answer_is_reported_in_one_sentence(tab: LeadsTab, qtbot: Any,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    emulator: Any) -> None:
    import_leads(qtbot, tab, monkeypatch)
    emulator.replier("openai", lambda prompt, schema: "Esse lead parece quente, eu acho.")
    tab.table.selectRow(0)
    qtbot.mouseClick(tab.analyse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.ctx.messenger.last is not None
                    and tab.ctx.messenger.last[0] == "error", timeout=20_000)
    _level, text = tab.ctx.messenger.last or ("", "")
    assert "\n" not in text and "Traceback" not in text
    assert tab.ctx.messenger.crash_reports == []
    qtbot.waitUntil(lambda: tab.analyse_button.isEnabled(), timeout=5_000)
    assert not tab.card.badge.isVisible()


def test_models_pass_qt_model_tester(qtmodeltester: Any) -> None:
    qtmodeltester.check(LeadModel())
    preview = PreviewModel(["Nome", "Nota"], [["Ana", "Oi"], ["Bia", "Olá"]])
    qtmodeltester.check(preview)
    preview.set_mapping({"Nome": "Lead"})
    assert preview.headerData(0, Qt.Orientation.Horizontal) == "Nome\n→ Lead"
    qtmodeltester.check(preview)
