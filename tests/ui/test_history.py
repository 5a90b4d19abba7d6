"""Generated copy is never lost: kept on a failed Regenerate and across workspace switches;
the history panel reopens, copies and reuses past results; a follow-up refines the text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from aidesk.ui.assistant.tab import AssistantTab
from aidesk.ui.main_window import MainWindow
from tests.support import configure
from tests.ui.conftest import shoot
from tests.ui.test_assistant import fill, on_worker, type_text  # noqa: F401

Worker = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def assistant(window: MainWindow, qtbot: Any, on_worker: Worker,  # noqa: F811
              emulator: Any) -> AssistantTab:
    ws = window.current
    assert ws is not None
    on_worker(lambda core: configure(core, ws, emulator, "openai"))
    window.ctx.bridge.configs_changed.emit()
    window.resize(1280, 800)
    page = window.page(AssistantTab)
    assert isinstance(page, AssistantTab)
    holder = page.parentWidget()
    assert holder is not None
    window.tabs.setCurrentWidget(holder)
    qtbot.waitUntil(lambda: bool(page.selector.providers()), timeout=10_000)
    return page


def generate(qtbot: Any, tab: AssistantTab, product: str) -> str:
    fill(qtbot, tab, product=product)
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running and tab.output.state() != "busy", timeout=15_000)
    assert tab.output.state() == "", tab.output.status.text()
    return tab.output.text()


def test_a_failed_regenerate_keeps_the_previous_text(assistant: AssistantTab, qtbot: Any,
                                                     emulator: Any) -> None:
    tab = assistant
    first = generate(qtbot, tab, "Pão de queijo")
    emulator.fault("openai", "invalid_key")
    qtbot.mouseClick(tab.regenerate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.output.state() == "failed", timeout=15_000)
    assert tab.output.text() == first
    status = tab.output.status.text()
    assert "previous text is kept" in status
    assert "`aidesk" not in status and "Integrations" in status
    shoot(tab.window(), "assistant-failed-regenerate-keeps-text")

    emulator.reset()
    ws = tab.workspace
    assert ws is not None
    configure_again = tab.ctx.bridge.call(lambda core: configure(core, ws, emulator, "openai"))
    qtbot.waitUntil(lambda: configure_again.finished, timeout=10_000)
    tab.ctx.bridge.configs_changed.emit()  # keys fixed in Integrations: the error goes
    assert tab.output.state() == "" and "try again" in tab.output.status.text()
    assert tab.ctx.messenger.last is not None and tab.ctx.messenger.last[0] == "info"


def test_switching_workspace_and_back_restores_the_text(window: MainWindow,
                                                        assistant: AssistantTab, qtbot: Any,
                                                        ) -> None:
    tab = assistant
    text = generate(qtbot, tab, "Bolo de fubá")
    window.create_workspace("Ótica Visão")
    qtbot.waitUntil(lambda: window.current is not None and window.current.name == "Ótica Visão",
                    timeout=5_000)
    assert tab.output.text() == ""
    window.switcher.setCurrentIndex(window.switcher.findText("default"))
    window.switcher.activated.emit(window.switcher.currentIndex())
    assert tab.output.text() == text
    assert tab.output.meta.isVisible() and "OpenAI" in tab.output.meta.text()
    assert tab.regenerate_button.isEnabled()


def test_history_reopens_copies_and_reuses(assistant: AssistantTab, qtbot: Any) -> None:
    tab = assistant
    older = generate(qtbot, tab, "Pão de queijo")
    newer = generate(qtbot, tab, "Bolo de cenoura")
    session = tab.session
    qtbot.mouseClick(session.history_button, Qt.MouseButton.LeftButton)
    panel = session.history
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=5_000)
    assert [panel.list.item(i).data(Qt.ItemDataRole.UserRole).response
            for i in range(2)] == [newer, older]  # newest first
    shoot(tab.window(), "assistant-history")

    type_text(panel.search, "queijo")
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=5_000)
    assert panel.current() is not None and panel.current().response == older  # type: ignore[union-attr]
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == older

    qtbot.mouseClick(panel.reopen_button, Qt.MouseButton.LeftButton)
    assert tab.output.text() == older and "Reopened" in tab.output.status.text()

    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert tab.form.preset_id() == "rewrite" and tab.form.prompt.toPlainText() == older

    type_text(panel.search, " nada disso")
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.empty, timeout=5_000)
    assert "Nothing matches" in panel.empty.text()


def test_a_follow_up_refines_the_current_text(assistant: AssistantTab, qtbot: Any,
                                              emulator: Any) -> None:
    tab = assistant
    first = generate(qtbot, tab, "Pão de queijo")
    session = tab.session
    type_text(session.refine_edit, "mais curto")
    qtbot.mouseClick(session.refine_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.running and tab.output.state() != "busy", timeout=15_000)
    sent = emulator.requests_for("openai")[-1].body["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[2]["content"] == first and sent[3]["content"] == "mais curto"
    assert "mais curto" in tab.output.text()
    assert session.conversation[-1].content == tab.output.text()


def test_empty_history_says_what_to_do(assistant: AssistantTab, qtbot: Any) -> None:
    qtbot.mouseClick(assistant.session.history_button, Qt.MouseButton.LeftButton)
    panel = assistant.session.history
    qtbot.waitUntil(lambda: panel.stack.currentWidget() is panel.empty, timeout=5_000)
    assert "press Generate" in panel.empty.text()
    assert not panel.reopen_button.isEnabled()
