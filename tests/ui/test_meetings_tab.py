"""The Meetings tab through its widgets: open or drop a recording, Transcribe & summarise
with progress per part and Cancel, the summary, decisions, action items table and the
folded transcript, Copy and Export, past meetings per workspace, a damaged file in one
sentence; the calls through the router, the real openai SDK and the emulator. Then the tab
in the main window in English and Brazilian Portuguese, light and dark, at 1024×640 and
1600×1000 (test-artifacts/screenshots/meetings-*.png)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog

from aidesk.ui import theme as themes
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.ui.meetings.tab import MeetingsTab
from aidesk.workspaces import Workspace
from tests.meeting_support import listener, pcm, uploads, words, write_wav
from tests.support import configure
from tests.test_meetings import SCRIPT, SPOKEN, summariser
from tests.ui.conftest import answer_dialog, shoot
from tests.ui.test_chat_screens import SIZES, cut_off, theme  # noqa: F401
from tests.ui.test_i18n_ui import language, mnemonic_clashes, show_tab, started_window

Wait = Callable[..., Any]


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Wait) -> Callable[[Callable[[Any], Any]], Any]:
    return lambda fn: wait_job(bridge.call(fn), timeout=20_000)


def prepare(core: Any, emulator: Any) -> Workspace:
    ws: Workspace = core.workspaces.get()
    configure(core, ws, emulator, "openai", "groq")
    return ws


@pytest.fixture
def ws(on_worker: Callable[..., Any], emulator: Any) -> Workspace:
    workspace: Workspace = on_worker(lambda core: prepare(core, emulator))
    emulator.listener("openai", listener)
    emulator.listener("groq", listener)
    emulator.replier("openai", summariser([]))
    return workspace


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> MeetingsTab:
    page = MeetingsTab(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    return page


def pick(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(path), "")))


def run(qtbot: Any, tab: MeetingsTab, timeout: int = 20_000) -> None:
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None, timeout=timeout)


def test_a_recording_is_summarised_and_shown(tab: MeetingsTab, qtbot: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch,
                                             emulator: Any) -> None:
    assert not tab.run_button.isEnabled() and tab.view.placeholder.isVisible()
    pick(monkeypatch, write_wav(tmp_path / "Reunião de pauta.wav", pcm(SCRIPT)))
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert tab.file_label.text() == "Reunião de pauta.wav" and tab.run_button.isEnabled()
    run(qtbot, tab)
    assert tab.copy_button.isEnabled() and tab.export_button.isEnabled()  # not after a reload
    assert tab.ctx.messenger.last == ("info", "Summarised Reunião de pauta.wav.")
    view = tab.view
    assert view.title.text() == "Reunião de pauta.wav" and not view.placeholder.isVisible()
    assert view.summary.text() == "Reunião de alinhamento da campanha de lançamento."
    assert "Lançar a campanha na sexta" in view.decisions.text()
    table = [[view.action_model.index(r, c).data() for c in range(3)]
             for r in range(view.action_model.rowCount())]
    assert table == [["Enviar o briefing", "Ana", "sexta-feira"],
                     ["Revisar o vídeo", "—", "—"], ["Fechar a verba", "—", "—"]]
    assert view.action_model.index(1, 1).data(Qt.ItemDataRole.ToolTipRole) == \
        "Not said in the meeting"
    assert [view.action_model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == \
        ["What", "Owner", "Due"]
    assert not view.transcript.isVisible()
    assert view.transcript_button.text() == "Transcript (65 characters)"
    qtbot.mouseClick(view.transcript_button, Qt.MouseButton.LeftButton)
    assert view.transcript.isVisible() and view.transcript.toPlainText() == SPOKEN
    qtbot.waitUntil(lambda: tab.meetings.rowCount() == 1, timeout=10_000)
    assert tab.meetings.index(0, 0).data().startswith("Reunião de pauta.wav\n")
    assert "3 action items" in tab.meetings.index(0, 0).data()
    assert view.meeting is not None and tab.current_id() == view.meeting.id
    assert uploads(emulator, "openai")[0]["language"] == "pt"


def test_language_model_and_progress_per_part(tab: MeetingsTab, qtbot: Any, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch,
                                              emulator: Any) -> None:
    monkeypatch.setattr("aidesk.features.meetings.UPLOAD_LIMIT", 300_000)
    monkeypatch.setattr("aidesk.features.meetings.PART_CONCURRENCY", 1)
    spoken = words(60)
    pick(monkeypatch, write_wav(tmp_path / "longa.wav", pcm(spoken)))
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    tab.language.setCurrentIndex(tab.language.findData("en"))
    tab.model.setCurrentIndex(tab.model.findData("whisper-large-v3"))
    emulator.latency("groq", 0.3)
    seen: set[str] = set()
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    assert not tab.run_button.isEnabled() and not tab.open_button.isEnabled()

    def watch() -> bool:
        seen.add(tab.progress.label.text())
        return tab.job is None

    qtbot.waitUntil(watch, timeout=30_000)
    assert "Transcribing: 1 of 5 parts done…" in seen
    assert "Transcribing: 4 of 5 parts done…" in seen
    assert tab.view.meeting is not None
    assert tab.view.meeting.transcript.split() == spoken
    sent = uploads(emulator, "groq")
    assert len(sent) == 5 and {(u["model"], u["language"]) for u in sent} == {
        ("whisper-large-v3", "en")}
    assert not uploads(emulator, "openai")


def test_cancel_stops_and_keeps_nothing(tab: MeetingsTab, qtbot: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        emulator: Any) -> None:
    monkeypatch.setattr("aidesk.features.meetings.UPLOAD_LIMIT", 300_000)
    monkeypatch.setattr("aidesk.features.meetings.PART_CONCURRENCY", 1)
    pick(monkeypatch, write_wav(tmp_path / "longa.wav", pcm(words(60))))
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    emulator.latency("openai", 1.0)
    qtbot.mouseClick(tab.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.progress.label.text().startswith("Transcribing: 1 of 5"),
                    timeout=15_000)
    qtbot.mouseClick(tab.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None, timeout=10_000)
    assert tab.ctx.messenger.last == ("info", "Stopped: the meeting was not summarised and "
                                              "nothing was kept.")
    assert not tab.progress.isVisible() and tab.run_button.isEnabled()
    assert len(uploads(emulator, "openai")) < 5
    tab.reload()
    qtbot.wait(300)
    assert tab.meetings.rowCount() == 0 and tab.view.meeting is None


def test_drop_copy_export_delete_and_workspaces(tab: MeetingsTab, qtbot: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                on_worker: Callable[..., Any]) -> None:
    path = write_wav(tmp_path / "daily.wav", pcm(SCRIPT))
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(path))])
    point, actions = tab.rect().center(), Qt.DropAction.CopyAction
    enter = QDragEnterEvent(point, actions, data, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(tab, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(tab, QDropEvent(point.toPointF(), actions, data,
                                           Qt.MouseButton.LeftButton,
                                           Qt.KeyboardModifier.NoModifier))
    assert tab.path == path and tab.file_label.text() == "daily.wav"
    run(qtbot, tab)
    qtbot.mouseClick(tab.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.startswith("# daily.wav\n")
    assert "| Enviar o briefing | Ana | sexta-feira |" in copied
    assert "| Revisar o vídeo | — | — |" in copied and copied.rstrip().endswith(SPOKEN)
    for name, kind in (("ata", "Text (*.txt)"), ("ata.md", "Markdown (*.md)")):
        target = tmp_path / name
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, t=target, k=kind, **kw: (str(t), k)))
        qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: (tmp_path / "ata.txt").exists() and (tmp_path / "ata.md").exists(),
                    timeout=10_000)
    text = (tmp_path / "ata.txt").read_text(encoding="utf-8")
    assert text.startswith("daily.wav\n=========\n")
    assert "  - Enviar o briefing (owner: Ana; due: sexta-feira)" in text
    assert (tmp_path / "ata.md").read_text(encoding="utf-8") == copied
    qtbot.waitUntil(lambda: tab.meetings.rowCount() == 1, timeout=10_000)
    other = on_worker(lambda core: core.workspaces.add("Cliente B"))
    tab.set_workspace(other)
    qtbot.waitUntil(lambda: tab.meetings.rowCount() == 0 and tab.view.meeting is None,
                    timeout=10_000)
    tab.set_workspace(on_worker(lambda core: core.workspaces.get("default")))
    qtbot.waitUntil(lambda: tab.view.meeting is not None, timeout=10_000)
    seen: list[str] = []
    answer_dialog("Cancel", seen=seen)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert "cannot be undone" in seen[0] and tab.meetings.rowCount() == 1
    answer_dialog("Delete")
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.meetings.rowCount() == 0 and tab.view.meeting is None,
                    timeout=10_000)
    assert tab.view.placeholder.isVisible() and not tab.copy_button.isEnabled()


def test_a_damaged_file_is_one_sentence(tab: MeetingsTab, qtbot: Any, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch, emulator: Any) -> None:
    bad = tmp_path / "gravação.mp3"
    bad.write_bytes(b"ID3" + b"\x13\x37" * 3000)
    pick(monkeypatch, bad)
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    run(qtbot, tab)
    level, text = tab.ctx.messenger.last or ("", "")
    assert level == "error" and text.startswith("gravação.mp3 could not be read as audio")
    assert tab.run_button.isEnabled() and not emulator.requests
    assert tab.view.meeting is None


@pytest.mark.parametrize("code", ["en", "pt_BR"])
def test_meetings_tab_fits_and_is_pictured(code: str, bridge: CoreBridge, qtbot: Any,
                                           tmp_path: Path, emulator: Any,
                                           monkeypatch: pytest.MonkeyPatch,
                                           on_worker: Callable[..., Any],
                                           theme: themes.Theme) -> None:  # noqa: F811
    on_worker(lambda core: prepare(core, emulator))
    emulator.listener("openai", listener)
    emulator.replier("openai", summariser([]))
    with language(code):
        window = started_window(bridge, qtbot, tmp_path / "ui.ini")
        page = window.page(MeetingsTab)
        assert isinstance(page, MeetingsTab)
        show_tab(window, page)
        pick(monkeypatch, write_wav(tmp_path / "Reunião com a Padaria.wav", pcm(SCRIPT)))
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
        run(qtbot, page)
        qtbot.waitUntil(lambda: page.meetings.rowCount() == 1, timeout=10_000)
        problems: list[str] = []
        if code == "en":  # Portuguese mnemonics are the translator's choice
            problems += mnemonic_clashes(window)
        for scheme in (themes.LIGHT, themes.DARK):
            theme.set_choice(scheme)
            for width, height in SIZES:
                window.resize(width, height)
                qtbot.wait(80)
                size = f"{width}x{height}"
                problems += [f"{scheme} {size}: {p}" for p in cut_off(page, window)]
                shoot(window, f"meetings-{code}-{scheme}-{size}")
        theme.set_choice(themes.LIGHT)
        window.resize(*SIZES[0])
        page.view.transcript_button.setChecked(True)
        qtbot.wait(80)
        shoot(window, f"meetings-{code}-light-transcript-1024x640")
        assert not problems, "\n".join(problems)
