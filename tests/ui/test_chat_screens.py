"""The Chat and Leads tabs in the main window, filled in, in English and Brazilian Portuguese,
light and dark, at 1024×640 and 1600×1000: no button cut off, and screenshots to look at
(test-artifacts/screenshots/chat-*.png, leads-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QAbstractButton, QScrollArea, QWidget

from aidesk.ui import theme as themes
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.chat.tab import ChatTab
from aidesk.ui.leads.tab import LeadsTab
from aidesk.ui.main_window import MainWindow
from tests.ui.chat_support import (
    JOHN,
    LEADS,
    MARIA,
    configure_openai,
    in_mapping_dialog,
    model,
    pick_files,
)
from tests.ui.conftest import shoot
from tests.ui.test_i18n_ui import language, show_tab, started_window
from tests.ui.test_integrations import on_worker

SIZES = ((1024, 640), (1600, 1000))
INVOICE = "The invoice you sent is wrong and we are very disappointed with the delay."


@pytest.fixture
def theme(qapp: Any, tmp_path: Path) -> Iterator[themes.Theme]:
    settings = QSettings(str(tmp_path / "theme.ini"), QSettings.Format.IniFormat)
    settings.setValue(themes.KEY, themes.LIGHT)
    installed = themes.install(qapp, settings)
    yield installed
    installed.set_choice(themes.LIGHT)
    installed.setParent(None)
    installed.deleteLater()
    qapp.setStyleSheet("")


def cut_off(root: QWidget, area: QWidget) -> list[str]:
    """Visible buttons (and check boxes) narrower than their text or outside `area` (inside a
    scroll area: outside its width; scrolling down to a button is fine)."""
    problems = []
    for button in root.findChildren(QAbstractButton):
        if not button.isVisible() or not button.text() or button.window() is not area.window():
            continue
        scroll = next((w for w in _ancestors(button) if isinstance(w, QScrollArea)), None)
        if scroll is not None:
            x = button.mapTo(scroll.viewport(), button.rect().topLeft()).x()
            if x < 0 or x + button.width() > scroll.viewport().width():
                problems.append(f"{button.text()!r} beside its scroll area")
            continue
        top_left = button.mapTo(area, button.rect().topLeft())
        if button.width() < button.minimumSizeHint().width():
            problems.append(f"{button.text()!r} narrower than its text")
        if (top_left.x() < 0 or top_left.y() < 0 or top_left.x() + button.width() > area.width()
                or top_left.y() + button.height() > area.height()):
            problems.append(f"{button.text()!r} outside the window")
    return problems


def _ancestors(widget: QWidget) -> Iterator[QWidget]:
    parent = widget.parentWidget()
    while parent is not None:
        yield parent
        parent = parent.parentWidget()


def fill_chat(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> ChatTab:
    tab = window.page(ChatTab)
    assert isinstance(tab, ChatTab)
    show_tab(window, tab)
    pick_files(monkeypatch, [MARIA, JOHN])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.proxy.rowCount() == 2 and not tab.importer.running,
                    timeout=20_000)
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not tab.tools.analysing and tab.analyse_all_button.isEnabled(),
                    timeout=20_000)
    qtbot.waitUntil(lambda: all(r.sentiment for r in tab.conversations.rows), timeout=10_000)
    for title in ("Maria Souza", "John Carter"):
        index = next(tab.proxy.index(r, 0) for r in range(tab.proxy.rowCount())
                     if tab.proxy.index(r, 0).data() == title)
        tab.list.setCurrentIndex(index)
        qtbot.waitUntil(lambda t=title: tab.heading.text() == t and tab.messages.rowCount() > 0,
                        timeout=10_000)
        button = tab.summarise_button if title == "Maria Souza" else tab.replies_button
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not tab.tools.summarising and not tab.tools.suggesting,
                        timeout=15_000)
    row = next(r for r in range(tab.messages.rowCount()) if tab.messages.rows[r].text == INVOICE)
    tab.message_view.setCurrentIndex(tab.messages.index(row))
    qtbot.mouseClick(tab.translate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.messages.translation(row) is not None, timeout=15_000)
    tab.insights.replies.own.setPlainText("Podemos enviar a nova fatura amanhã.")
    return tab


def fill_leads(window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> LeadsTab:
    tab = window.page(LeadsTab)
    assert isinstance(tab, LeadsTab)
    show_tab(window, tab)
    seen: list[Any] = []
    in_mapping_dialog(lambda dialog: dialog.accept(), seen)
    pick_files(monkeypatch, [LEADS])
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2 and tab.job is None, timeout=20_000)
    qtbot.mouseClick(tab.analyse_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None and all(r.analysis for r in tab.model.rows),
                    timeout=20_000)
    tab.table.selectRow(0)
    qtbot.waitUntil(lambda: tab.card.badge.isVisible(), timeout=5_000)
    return tab


@pytest.mark.parametrize("code", ["en", "pt_BR"])
def test_chat_and_leads_tabs_fit_and_are_pictured(
        code: str, bridge: CoreBridge, qtbot: Any, tmp_path: Path, emulator: Any,
        monkeypatch: pytest.MonkeyPatch, theme: themes.Theme) -> None:
    def prepare(core: Any) -> None:
        configure_openai(core, core.workspaces.get(), emulator)

    on_worker(bridge, qtbot, prepare)
    emulator.replier("openai", model)
    with language(code):
        window = started_window(bridge, qtbot, tmp_path / "ui.ini")
        chat = fill_chat(window, qtbot, monkeypatch)
        leads = fill_leads(window, qtbot, monkeypatch)
        problems: list[str] = []
        for scheme in (themes.LIGHT, themes.DARK):
            theme.set_choice(scheme)
            for width, height in SIZES:
                window.resize(width, height)
                for name, page in (("chat", chat), ("leads", leads)):
                    show_tab(window, page)
                    qtbot.wait(80)
                    size = f"{width}x{height}"
                    problems += [f"{name} {scheme} {size}: {p}"
                                 for p in cut_off(page, window)]
                    shoot(window, f"{name}-{code}-{scheme}-{size}")
            window.resize(*SIZES[0])
            show_tab(window, chat)
            maria = next(chat.proxy.index(r, 0) for r in range(chat.proxy.rowCount())
                         if chat.proxy.index(r, 0).data() == "Maria Souza")
            chat.list.setCurrentIndex(maria)
            chat.insights.setCurrentWidget(chat.insights.summary)
            qtbot.waitUntil(lambda: chat.heading.text() == "Maria Souza"
                            and chat.messages.rowCount() > 0, timeout=10_000)
            qtbot.wait(80)
            shoot(window, f"chat-{code}-{scheme}-summary-1024x640")
            chat.list.setCurrentIndex(chat.proxy.index(1 - maria.row(), 0))
            qtbot.waitUntil(lambda: chat.heading.text() == "John Carter", timeout=10_000)
        assert not problems, "\n".join(problems)
        from aidesk.ui.tabs import TABS

        assert window.tabs.count() == len(TABS)
