"""The Chat tab through its widgets: imports (buttons, drop, CSV mapping, bad files), badges,
filter and sort, summary, replies, translation, errors as one sentence; the AI through the
router and the real SDK against the emulator."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QStyleOptionViewItem

from aidesk import settings
from aidesk.features import chat, chat_store
from aidesk.imports.model import ChatMessage, Conversation
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.chat.delegates import MessageDelegate
from aidesk.ui.chat.models import CHUNK, Role
from aidesk.ui.chat.tab import ChatTab
from aidesk.ui.column_map import ColumnMapDialog
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.ui.chat_support import (
    CRM,
    JOHN,
    MARIA,
    TRANSLATIONS,
    configure_openai,
    in_mapping_dialog,
    items,
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
    enter = QDragEnterEvent(point.toPointF(), actions, data, Qt.MouseButton.LeftButton,
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




# -- sentiment ----------------------------------------------------------------------------------
def analyse(qtbot: Any, tab: ChatTab, button: Any) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, tab)


def test_sentiment_badges_filter_and_urgent_first(tab: ChatTab, qtbot: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, JOHN, count=2)
    open_row(qtbot, tab, "John Carter")
    analyse(qtbot, tab, tab.analyse_button)
    qtbot.waitUntil(lambda: tab.badge.isVisible(), timeout=10_000)
    assert tab.badge.text() == "Negative"
    assert tab.badge.toolTip() == "Negative: a última mensagem pede resposta hoje"
    labels = {tab.messages.rows[r].text[:20]: tab.messages.rows[r].sentiment
              for r in range(tab.messages.rowCount())}
    assert labels["Thank you so much fo"] == "positive"
    assert labels["Messages and calls a"] is None  # a system line gets no label
    thanks = tab.messages.index(next(r for r in range(tab.messages.rowCount())
                                     if tab.messages.rows[r].sentiment == "positive"))
    assert thanks.data(Qt.ItemDataRole.ToolTipRole).startswith("Positive: motivo da mensagem")

    tab.filter.setCurrentIndex(tab.filter.findData("none"))
    assert titles(tab) == ["Maria Souza"]
    analyse(qtbot, tab, tab.analyse_all_button)  # the filtered list: Maria only
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 0, timeout=10_000)
    tab.filter.setCurrentIndex(tab.filter.findData("urgent"))
    assert titles(tab) == ["Maria Souza"]
    tab.filter.setCurrentIndex(tab.filter.findData(""))
    assert tab.sort.currentData() == "urgent"
    assert titles(tab) == ["Maria Souza", "John Carter"]  # urgent first, though older
    tab.sort.setCurrentIndex(tab.sort.findData("name"))
    assert titles(tab) == ["John Carter", "Maria Souza"]
    tab.search.setText("mar")
    assert titles(tab) == ["Maria Souza"]
    row = tab.proxy.index(0, 0)
    assert row.data(Role.SENTIMENT) == "urgent"
    assert "a última mensagem pede resposta hoje" in row.data(Qt.ItemDataRole.ToolTipRole)


def long_chat(path: Path, count: int) -> Path:
    lines = [f"0{1 + i // 600}/04/2026 {8 + (i // 60) % 10:02d}:{i % 60:02d} - "
             f"{'Cliente Bruno' if i % 2 else 'Agência Aurora'}: mensagem de teste número {i}"
             for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_analyse_all_shows_progress_cancels_and_resumes(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        emulator: Any, on_worker: Callable[..., Any], ws: Workspace) -> None:
    bruno = long_chat(tmp_path / "Conversa do WhatsApp com Bruno.txt", 400)
    import_by_button(qtbot, tab, monkeypatch, bruno, MARIA, count=2)
    emulator.latency("openai", 0.4)
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.isVisible(), timeout=5_000)
    assert not tab.analyse_all_button.isEnabled() and not tab.import_button.isEnabled()
    qtbot.waitUntil(lambda: tab.progress.bar.value() > 0, timeout=15_000)
    total = tab.progress.bar.maximum()
    assert total == 400 + 6 + 2  # people's messages of both, and the two conversations
    assert "of 408 done" in tab.progress.label.text()
    qtbot.mouseClick(tab.progress.cancel_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, tab)
    level, text = tab.ctx.messenger.last or ("", "")
    assert text.startswith("Analysis stopped.")
    sent_before = len(emulator.requests_for("openai"))

    emulator.latency("openai", 0.0)
    analyse(qtbot, tab, tab.analyse_all_button)
    level, text = tab.ctx.messenger.last or ("", "")
    assert level == "info" and "already had their label and were not sent again" in text
    found = re.search(r"(\d+) messages already had their label", text)
    kept = int(found.group(1)) if found else 0
    assert 0 < kept < 406
    prompts = [r.body["messages"][-1]["content"] for r in
               emulator.requests_for("openai")[sent_before:]]
    sent = [item for p in prompts if p.startswith("Classify each message") for item in items(p)]
    assert len(sent) == 406 - kept  # only what the cancelled run had not labelled

    def unlabelled(core: Any) -> int:
        rows = chat_store.list_conversations(core.db, ws.tenant_id)
        return len([m for row in rows for m in chat_store.messages(core.db, row.id)
                    if m.sentiment is None and chat.needs_label(m.chat_message())])

    assert on_worker(unlabelled) == 0
    assert all(r.sentiment for r in tab.conversations.rows)


# -- summary, replies, translation ----------------------------------------------------------------
def test_summary_is_shown_copied_and_back_when_reopened(tab: ChatTab, qtbot: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, JOHN, count=2)
    open_row(qtbot, tab, "Maria Souza")
    panel = tab.insights.summary
    assert not panel.copy_button.isEnabled()
    qtbot.mouseClick(tab.summarise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.summary is not None, timeout=15_000)
    shown = panel.view.toPlainText()
    for part in ("Executive summary", "Cliente quer gestão de Instagram até R$ 3.000.",
                 "Open questions", "A proposta chegou?", "Next steps",
                 "Reenviar a proposta hoje", "Ligar para a Maria"):
        assert part in shown
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("Executive summary\nCliente quer gestão")
    assert "- Reenviar a proposta hoje" in copied

    open_row(qtbot, tab, "John Carter")
    assert panel.summary is None and not panel.view.toPlainText()
    open_row(qtbot, tab, "Maria Souza")  # stored with the conversation
    assert panel.summary is not None
    assert "Ligar para a Maria" in panel.view.toPlainText()


def test_replies_are_editable_copied_and_a_portuguese_reply_translated(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import_by_button(qtbot, tab, monkeypatch, JOHN, count=1)
    open_row(qtbot, tab, "John Carter")
    panel = tab.insights.replies
    qtbot.mouseClick(tab.replies_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.language == "en", timeout=15_000)
    assert tab.insights.currentWidget() is panel
    assert "in English" in panel.status.text()
    texts = [box.text() for box in panel.boxes]
    assert len(texts) == 3 and texts[0].startswith("Hi John, we are sorry")
    box = panel.boxes[1]
    box.edit.setFocus()
    box.edit.moveCursor(box.edit.textCursor().MoveOperation.End)
    qtbot.keyClicks(box.edit, " Best, Aurora")
    qtbot.mouseClick(box.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text().endswith("We will fix the invoice today. Best, Aurora")
    assert tab.ctx.messenger.last == ("info", "Copied the reply to the clipboard.")

    assert panel.translate_button.text() == "Translate to English"
    assert not panel.translate_button.isEnabled()
    panel.own.setPlainText("Podemos enviar a nova fatura amanhã.")
    qtbot.mouseClick(panel.translate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.result.isVisible(), timeout=15_000)
    assert panel.result.text() == "We can send the new invoice tomorrow."
    qtbot.mouseClick(panel.result.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "We can send the new invoice tomorrow."


INVOICE = "The invoice you sent is wrong and we are very disappointed with the delay."


def test_a_foreign_message_is_translated_with_its_original_one_click_away(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, JOHN, count=2)
    open_row(qtbot, tab, "John Carter")
    assert not tab.auto_translate.isChecked()
    assert all(tab.messages.rows[r].translation is None for r in range(tab.messages.rowCount()))
    row = select_message(qtbot, tab, INVOICE)
    assert tab.translate_button.isEnabled() and not tab.original_button.isEnabled()
    qtbot.mouseClick(tab.translate_button, Qt.MouseButton.LeftButton)
    translated = TRANSLATIONS[INVOICE]
    qtbot.waitUntil(lambda: tab.messages.translation(row) == translated, timeout=15_000)
    assert not tab.messages.index(row).data(Role.SHOW_ORIGINAL)
    assert tab.original_button.isEnabled() and not tab.translate_button.isEnabled()
    qtbot.mouseClick(tab.original_button, Qt.MouseButton.LeftButton)
    assert tab.messages.index(row).data(Role.SHOW_ORIGINAL)
    assert tab.original_button.text().replace("&", "") == "Show translation"
    qtbot.mouseClick(tab.original_button, Qt.MouseButton.LeftButton)
    assert not tab.messages.index(row).data(Role.SHOW_ORIGINAL)

    # The link under the message does the same in one click.
    delegate = tab.message_view.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    option = QStyleOptionViewItem()
    option.initFrom(tab.message_view)
    option.rect = tab.message_view.visualRect(tab.messages.index(row))
    link = delegate.layout(option, tab.messages.index(row), option.rect.left(),
                           option.rect.top()).link
    qtbot.mouseClick(tab.message_view.viewport(), Qt.MouseButton.LeftButton, pos=link.center())
    assert tab.messages.index(row).data(Role.SHOW_ORIGINAL)

    open_row(qtbot, tab, "Maria Souza")
    open_row(qtbot, tab, "John Carter")  # the translation was stored
    assert tab.messages.rows[row].translation == translated


def test_incoming_messages_translated_automatically_when_the_setting_is_on(
        tab: ChatTab, qtbot: Any, monkeypatch: pytest.MonkeyPatch,
        on_worker: Callable[..., Any]) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, JOHN, count=2)
    box = tab.auto_translate
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    qtbot.waitUntil(lambda: on_worker(lambda core: settings.auto_translate(core.workspaces)),
                    timeout=5_000)
    open_row(qtbot, tab, "John Carter")
    english = [r for r in range(tab.messages.rowCount())
               if tab.messages.rows[r].language == "en" and tab.messages.rows[r].kind == "text"]
    assert english
    qtbot.waitUntil(lambda: all(tab.messages.translation(r) for r in english), timeout=20_000)
    portuguese = [r for r in range(tab.messages.rowCount())
                  if tab.messages.rows[r].language == "pt"]
    assert all(tab.messages.translation(r) is None for r in portuguese)


# -- errors -------------------------------------------------------------------------------------
def test_an_answer_that_is_not_valid_is_one_sentence(tab: ChatTab, qtbot: Any,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     emulator: Any) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, count=1)
    open_row(qtbot, tab, "Maria Souza")
    emulator.replier("openai", lambda prompt, schema: "Claro! O resumo é: tudo certo.")
    qtbot.mouseClick(tab.summarise_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.summarise_button.isEnabled() and tab.ctx.messenger.last
                    is not None and tab.ctx.messenger.last[0] == "error", timeout=20_000)
    _level, text = tab.ctx.messenger.last or ("", "")
    assert "Traceback" not in text and "\n" not in text and text.endswith(".")
    assert tab.ctx.messenger.crash_reports == []
    assert tab.insights.summary.status.text().startswith("No summary: ")
    assert tab.insights.summary.summary is None


def test_no_ai_set_up_is_one_sentence_for_analysis(ctx: UiContext, qtbot: Any,
                                                   on_worker: Callable[..., Any],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    ws: Workspace = on_worker(lambda core: core.workspaces.add("Sem IA"))
    page = ChatTab(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    page.set_workspace(ws)
    import_by_button(qtbot, page, monkeypatch, MARIA, count=1)
    open_row(qtbot, page, "Maria Souza")
    qtbot.mouseClick(page.analyse_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    level, text = ctx.messenger.last or ("", "")
    assert level == "error" and "Integrations" in text and "\n" not in text
    assert ctx.messenger.crash_reports == []
    assert page.analyse_button.isEnabled()


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


def test_a_workspace_limit_is_one_sentence(tab: ChatTab, qtbot: Any, ws: Workspace,
                                           monkeypatch: pytest.MonkeyPatch,
                                           on_worker: Callable[..., Any]) -> None:
    import_by_button(qtbot, tab, monkeypatch, MARIA, count=1)
    open_row(qtbot, tab, "Maria Souza")
    on_worker(lambda core: core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 0))
    qtbot.mouseClick(tab.replies_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.replies_button.isEnabled() and tab.ctx.messenger.last
                    is not None and tab.ctx.messenger.last[0] == "error", timeout=15_000)
    _level, text = tab.ctx.messenger.last or ("", "")
    assert text.startswith("Workspace limit reached: ") and "\n" not in text
    assert tab.insights.replies.status.text().startswith("No replies: Workspace limit reached")
    assert tab.ctx.messenger.crash_reports == []
