"""The Chat tab through its widgets: imports (buttons, drop, CSV mapping, bad files), badges,
filter and sort, summary, replies, translation, errors as one sentence; the AI through the
router and the real SDK against the emulator."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog

from aidesk.features import chat_store
from aidesk.imports.model import ChatMessage, Conversation
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.chat.models import CHUNK, Role
from aidesk.ui.chat.tab import ChatTab
from aidesk.ui.column_map import ColumnMapDialog
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.ui.chat_support import (
    CRM,
    JOHN,
    MARIA,
    configure_openai,
    in_mapping_dialog,
    model,
    pick_files,
)

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
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> ChatTab:
    page = ChatTab(ctx)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    qtbot.waitUntil(lambda: page.list_stack.currentWidget() is page.empty, timeout=10_000)
    return page


def titles(tab: ChatTab) -> list[str]:
    return [str(tab.proxy.index(r, 0).data()) for r in range(tab.proxy.rowCount())]


def wait_idle(qtbot: Any, tab: ChatTab, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: not tab.importer.running and not tab.tools.analysing
                    and not tab.progress.isVisible(), timeout=timeout)
    qtbot.wait(50)  # the list reloads on the worker


def import_by_button(qtbot: Any, tab: ChatTab, monkeypatch: pytest.MonkeyPatch,
                     *paths: Path, count: int) -> None:
    pick_files(monkeypatch, list(paths))
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, tab)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == count, timeout=10_000)


def open_row(qtbot: Any, tab: ChatTab, title: str) -> None:
    row = titles(tab).index(title)
    rect = tab.list.visualRect(tab.proxy.index(row, 0))
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: tab.messages.rowCount() > 0 and tab.heading.text() == title,
                    timeout=10_000)


def select_message(qtbot: Any, tab: ChatTab, text: str) -> int:
    rows = [r for r in range(tab.messages.rowCount()) if tab.messages.rows[r].text == text]
    assert rows, f"no message {text!r}"
    tab.message_view.scrollTo(tab.messages.index(rows[0]))
    rect = tab.message_view.visualRect(tab.messages.index(rows[0]))
    qtbot.mouseClick(tab.message_view.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(rect.left() + 40, rect.bottom() - 4))
    assert tab.selected_message() == rows[0]
    return rows[0]


def drop(tab: ChatTab, *paths: Path) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = tab.rect().center()
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point, actions, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    event = QDropEvent(point.toPointF(), actions, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, event)


# -- import -----------------------------------------------------------------------------------
def test_whatsapp_exports_import_by_button_and_by_drop(tab: ChatTab, qtbot: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, count=1)
    assert tab.ctx.messenger.last is not None
    assert tab.ctx.messenger.last[1].startswith("Imported 1 conversation (9 messages).")
    drop(tab, JOHN)
    wait_idle(qtbot, tab)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 2, timeout=10_000)
    assert sorted(titles(tab)) == ["John Carter", "Maria Souza"]
    first = tab.proxy.index(titles(tab).index("Maria Souza"), 0)
    assert first.data(Role.SUBTITLE).startswith("9 messages · ")

    open_row(qtbot, tab, "Maria Souza")
    model = tab.messages
    kinds = [model.rows[r].kind for r in range(model.rowCount())]
    assert kinds[0] == "system" and "media" in kinds
    assert model.index(1).data(Role.SENDER) == "Maria Souza"
    assert model.index(1).data(Role.TIME)  # local time, as the export wrote it
    assert tab.details.text().startswith("9 messages")

    open_row(qtbot, tab, "John Carter")
    languages = {tab.messages.rows[r].language for r in range(tab.messages.rowCount())}
    assert "en" in languages


def test_bad_files_are_listed_in_one_message_and_the_good_ones_imported(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "vazio.txt"
    empty.write_bytes(b"")
    binary = tmp_path / "foto.json"
    binary.write_bytes(bytes(range(256)) * 20)
    import_by_button(qtbot, tab, monkeypatch, empty, MARIA, binary, count=1)
    level, text = tab.ctx.messenger.last or ("", "")
    assert level == "warning"
    assert text.startswith("Imported 1 conversation (9 messages).")
    assert "vazio.txt" in text and "foto.json" in text
    assert "Traceback" not in text and "\n" not in text
    assert tab.ctx.messenger.crash_reports == []
    assert titles(tab) == ["Maria Souza"]


def test_a_csv_opens_the_column_mapping_dialog(tab: ChatTab, qtbot: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    before: dict[str, Any] = {}

    def fix(dialog: ColumnMapDialog) -> None:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        before.update(mapping=dialog.mapping(), ok=ok.isEnabled(),
                      problem=dialog.problem.text(), rows=dialog.preview.rowCount())
        dialog.choose("sender", "Pessoa")
        dialog.choose("time", "Momento")
        dialog.choose("text", "Conteúdo da mensagem")
        before.update(header=dialog.preview.headerData(0, Qt.Orientation.Horizontal))
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    in_mapping_dialog(fix, seen)
    import_by_button(qtbot, tab, monkeypatch, CRM, count=2)
    assert seen, "the mapping dialog did not open"
    # The guess, from the header: no column reads as the sender.
    assert before["mapping"] == {"conversation": "Ticket", "text": "Conteúdo da mensagem"}
    assert before["ok"] is False and "Sender" in before["problem"]
    assert before["rows"] == 4
    assert before["header"] == "Pessoa\n→ Sender"
    assert sorted(titles(tab)) == ["Clínica Sorriso", "Pet Shop Lima"]
    open_row(qtbot, tab, "Clínica Sorriso")
    assert tab.messages.rowCount() == 3
    assert tab.messages.rows[0].sender == "Carla Dias"


def test_cancelling_the_mapping_imports_nothing(tab: ChatTab, qtbot: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []
    in_mapping_dialog(lambda d: d.reject(), seen)
    pick_files(monkeypatch, [CRM])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=10_000)
    wait_idle(qtbot, tab)
    assert tab.proxy.rowCount() == 0
    assert tab.import_button.isEnabled()


def test_a_folder_imports_every_conversation_in_it(tab: ChatTab, qtbot: Any, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    for source in (MARIA, JOHN):
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "leia-me.txt").write_text("Exportado do celular da Maria.\n", encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(folder)))
    qtbot.mouseClick(tab.folder_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, tab)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 2, timeout=10_000)
    level, text = tab.ctx.messenger.last or ("", "")
    assert text.startswith("Imported 2 conversations (15 messages).")
    assert level == "warning" and "leia-me.txt" in text  # not a chat: named, the rest kept


def test_an_unreadable_csv_is_listed_and_the_other_files_imported(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bad = tmp_path / "planilha.csv"
    bad.write_bytes(b"\x00\x01PK\x03\x04" * 200)
    import_by_button(qtbot, tab, monkeypatch, bad, MARIA, count=1)
    level, text = tab.ctx.messenger.last or ("", "")
    assert level == "warning" and text.startswith("Imported 1 conversation (9 messages).")
    assert "planilha.csv" in text and "\n" not in text
    assert not any(isinstance(w, ColumnMapDialog) for w in QApplication.topLevelWidgets()
                   if w.isVisible())


# -- more imports, workspaces, a big conversation -----------------------------------------------
def test_several_files_show_progress_and_encoding_repairs_are_noted(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "Conversa do WhatsApp com Ana Lima.txt"
    text = MARIA.read_text("utf-8").replace("Maria Souza", "Ana Lima")
    broken.write_text(text.encode("utf-8").decode("cp1252"), encoding="utf-8")  # "orÃ§amento"
    values: list[int] = []
    tab.progress.bar.valueChanged.connect(values.append)
    import_by_button(qtbot, tab, monkeypatch, MARIA, JOHN, broken, count=3)
    assert values[-1] == 3 and 1 in values  # one step per file
    level, text = tab.ctx.messenger.last or ("", "")
    assert level == "info" and text.startswith("Imported 3 conversations (24 messages).")
    assert f"{broken.name}: Encoding repaired on " in text
    open_row(qtbot, tab, "Ana Lima")
    assert any("orçamento" in tab.messages.rows[r].text for r in range(tab.messages.rowCount()))


def test_each_workspace_shows_its_own_conversations(tab: ChatTab, qtbot: Any, ws: Workspace,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    on_worker: Callable[..., Any]) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, count=1)
    open_row(qtbot, tab, "Maria Souza")
    other: Workspace = on_worker(lambda core: core.workspaces.add("Padaria Pão Quente"))
    tab.set_workspace(other)
    qtbot.waitUntil(lambda: tab.list_stack.currentWidget() is tab.empty, timeout=10_000)
    assert tab.heading.text() == "" and tab.messages.rowCount() == 0
    assert not tab.analyse_button.isEnabled() and not tab.analyse_all_button.isEnabled()
    tab.set_workspace(ws)
    qtbot.waitUntil(lambda: titles(tab) == ["Maria Souza"], timeout=10_000)


def test_a_50000_message_conversation_opens_without_freezing(
        tab: ChatTab, qtbot: Any, ws: Workspace, on_worker: Callable[..., Any]) -> None:
    start = datetime(2025, 1, 1, 8, 0)
    messages = tuple(ChatMessage("Cliente" if i % 2 else "Loja", start + timedelta(minutes=i),
                                 f"Mensagem {i}: o pedido já saiu para entrega?", "text", "pt",
                                 i + 1) for i in range(50_000))
    big = Conversation("Atacado Silva", "atacado.txt", "whatsapp", messages)
    on_worker(lambda core: chat_store.save_conversations(core.db, ws.tenant_id, [big]))
    tab.reload()
    qtbot.waitUntil(lambda: titles(tab) == ["Atacado Silva"], timeout=10_000)
    assert tab.proxy.index(0, 0).data(Role.SUBTITLE).startswith("50,000 messages")

    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    rect = tab.list.visualRect(tab.proxy.index(0, 0))
    qtbot.mouseClick(tab.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: tab.messages.rowCount() > 0, timeout=20_000)
    qtbot.wait(100)
    timer.stop()
    longest = max(b - a for a, b in itertools.pairwise(ticks))
    assert longest < 0.5, f"the window froze for {longest:.2f} s"
    assert tab.messages.rowCount() == CHUNK and len(tab.messages.rows) == 50_000
    tab.message_view.scrollToBottom()
    qtbot.waitUntil(lambda: tab.messages.rowCount() > CHUNK, timeout=5_000)
    assert tab.messages.rowCount() == 2 * CHUNK
