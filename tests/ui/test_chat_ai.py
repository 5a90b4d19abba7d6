"""The Chat tab's AI tools through its widgets: sentiment badges, filter and urgent-first sort,
Analyse all with progress, Cancel and resume, the summary, suggested replies, translation with
the original one click away, and failures in one sentence; the router and the real SDK
against the emulator."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from aidesk import settings
from aidesk.features import chat, chat_store
from aidesk.ui.chat.delegates import MessageDelegate
from aidesk.ui.chat.models import Role
from aidesk.ui.chat.tab import ChatTab
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.ui import test_chat_tab as base
from tests.ui.chat_support import JOHN, MARIA, TRANSLATIONS, items
from tests.ui.test_chat_tab import import_by_button, open_row, select_message, titles, wait_idle

# The Chat tab's fixtures, shared with its import tests.
on_worker, ws, tab = base.on_worker, base.ws, base.tab


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
