"""The Images tab through its widgets: presets, size and count, Generate with progress and
Cancel, the gallery (thumbnails made off the UI thread), open, copy, save as, delete with
confirmation, the details; a failure in one sentence; workspaces kept apart. Screenshots in
English and Brazilian Portuguese, light and dark, at 1024×640 and 1600×1000."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QFileDialog

from aidesk.ui import theme as themes
from aidesk.ui.assistant.tab import AssistantTab
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.ui.images.tab import ImagesTab
from aidesk.workspaces import Workspace
from tests.media_support import audit_rows, png_size, usage_rows
from tests.support import configure
from tests.ui.conftest import answer_dialog, shoot
from tests.ui.test_assistant import type_text
from tests.ui.test_chat_screens import SIZES, cut_off, theme  # noqa: F401 (fixture)
from tests.ui.test_i18n_ui import language, show_tab, started_window

Wait = Callable[..., Any]


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Wait) -> Callable[[Callable[[Any], Any]], Any]:
    return lambda fn: wait_job(bridge.call(fn), timeout=20_000)


@pytest.fixture
def ws(on_worker: Callable[..., Any], emulator: Any) -> Workspace:
    workspace: Workspace = on_worker(lambda core: core.workspaces.get())
    on_worker(lambda core: configure(core, workspace, emulator, "anthropic", "stability",
                                     "openai"))
    return workspace


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> ImagesTab:
    page = ImagesTab(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 680)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    qtbot.waitUntil(lambda: page.form.selector.count() > 1, timeout=10_000)
    return page


def make(qtbot: Any, tab: ImagesTab, text: str = "Um café com arte latte", *,
         count: int = 1) -> None:
    tab.form.prompt.clear()
    type_text(tab.form.prompt.viewport(), text)
    tab.form.set_count(count)
    before = tab.model.total()
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None and tab.model.total() == before + count,
                    timeout=20_000)


def test_generate_with_a_preset_fills_the_gallery(tab: ImagesTab, qtbot: Any, emulator: Any,
                                                  ctx: UiContext, bridge: CoreBridge,
                                                  qtmodeltester: Any) -> None:
    selector = tab.form.selector
    assert [selector.itemData(i)[0] for i in range(1, selector.count())] == [
        "stability", "openai"]  # image providers only, in the user's order
    tab.form.preset_box.setCurrentIndex(tab.form.preset_box.findData("banner"))
    assert tab.form.chosen_size() == "16:9" and "banner" in tab.form.preset_hint.text()
    make(qtbot, tab, count=2)
    sent = emulator.requests_for("stability")[-1].body
    assert sent["aspect_ratio"] == "16:9" and sent["prompt"].endswith("Um café com arte latte")
    assert ctx.messenger.last == ("info", "Made 2 images with Stability AI (core), US$\xa00.06.")
    qtbot.waitUntil(lambda: all(tab.model.has_thumbnail(r.id) for r in tab.model.rows),
                    timeout=10_000)
    qtmodeltester.check(tab.model)
    current = tab.current()
    assert current is not None and current.id == tab.model.rows[0].id
    assert tab.details.provider.text() == "Stability AI"
    assert tab.details.cost.text() == "US$\xa00.03"
    assert tab.details.size_label.text() == "16:9 (8×8 px)"
    assert tab.details.prompt.text() == "Um café com arte latte"  # the user's own words
    assert tab.details.preset.text() == "Banner"
    assert tab.model.data(tab.model.index(0), Qt.ItemDataRole.DecorationRole) is not None


def test_open_copy_save_as_and_delete(tab: ImagesTab, qtbot: Any, ctx: UiContext,
                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                      bridge: CoreBridge) -> None:
    make(qtbot, tab, count=2)
    image = tab.current()
    assert image is not None
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(open_url))
    qtbot.mouseClick(tab.open_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(image.path))]

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(tab.copy_image_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not QGuiApplication.clipboard().image().isNull(), timeout=10_000)
    copied = QGuiApplication.clipboard().image()
    assert (copied.width(), copied.height()) == (8, 8)

    target = tmp_path / "para o cliente.png"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    qtbot.mouseClick(tab.save_as_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(target.exists, timeout=10_000)
    assert target.read_bytes() == image.path.read_bytes() and png_size(target.read_bytes())

    seen: list[str] = []
    answer_dialog("Cancel", seen=seen)
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    assert image.path.exists() and tab.model.total() == 2 and "cannot be undone" in seen[0]
    answer_dialog("Delete")
    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.model.total() == 1, timeout=10_000)
    assert not image.path.exists()
    assert ctx.messenger.last == ("info", "Image deleted.")


def test_cancel_stops_the_call_and_records_it(tab: ImagesTab, qtbot: Any, emulator: Any,
                                              ctx: UiContext, on_worker: Callable[..., Any]
                                              ) -> None:
    emulator.latency("stability", 3.0)
    type_text(tab.form.prompt.viewport(), "Vitrine")
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    assert tab.progress.isVisible() and not tab.generate_button.isEnabled()
    qtbot.waitUntil(lambda: bool(emulator.requests_for("stability")), timeout=10_000)
    qtbot.mouseClick(tab.progress.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None, timeout=10_000)
    assert ctx.messenger.last == ("info", "Stopped: no image was made.")
    assert tab.model.total() == 0 and tab.generate_button.isEnabled()
    rows = on_worker(lambda core: usage_rows(core))
    assert [r["outcome"] for r in rows] == ["cancelled"]


def test_a_failure_is_one_sentence_and_an_empty_prompt_a_hint(
        tab: ImagesTab, qtbot: Any, emulator: Any, ctx: UiContext) -> None:
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    assert ctx.messenger.last == ("warning", "Describe the image first.")
    assert tab.job is None
    emulator.fault("stability", "moderated")
    emulator.fault("openai", "quota")
    type_text(tab.form.prompt.viewport(), "Algo proibido")
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.job is None, timeout=20_000)
    level, text = ctx.messenger.last or ("", "")
    assert level == "error" and "flagged by moderation" in text and "no credit" in text
    assert "aidesk" not in text  # the desktop's words, not a command


def test_fallback_is_named_and_workspaces_keep_their_galleries(
        tab: ImagesTab, qtbot: Any, emulator: Any, ctx: UiContext,
        on_worker: Callable[..., Any]) -> None:
    emulator.fault("stability", "overloaded")
    make(qtbot, tab)
    assert ctx.messenger.last is not None
    assert ctx.messenger.last[1].endswith("Fell back from Stability AI.")
    assert tab.details.provider.text() == "OpenAI"
    current = tab.current()
    request_id = current.request_id if current is not None else ""
    audit = on_worker(lambda core: audit_rows(core, request_id))
    assert audit[0]["response"].endswith(".png")
    other = on_worker(lambda core: core.workspaces.add("Ótica Visão"))
    tab.set_workspace(other)
    qtbot.waitUntil(lambda: tab.model.total() == 0, timeout=10_000)
    # no image provider there yet: Automatic only
    qtbot.waitUntil(lambda: tab.form.selector.count() == 1, timeout=10_000)


def test_the_assistant_never_offers_stability(window: Any, qtbot: Any, emulator: Any,
                                              on_worker: Callable[..., Any]) -> None:
    ws = window.current
    on_worker(lambda core: configure(core, ws, emulator, "stability", "openai"))
    assistant = window.page(AssistantTab)
    show_tab(window, assistant)
    assistant.selector.reload()
    qtbot.waitUntil(lambda: assistant.selector.count() == 2, timeout=10_000)
    assert assistant.selector.providers() == ["openai"]


@pytest.mark.parametrize("code", ["en", "pt_BR"])
def test_images_tab_fits_and_is_pictured(code: str, bridge: CoreBridge, qtbot: Any,
                                         tmp_path: Path, emulator: Any,
                                         on_worker: Callable[..., Any],
                                         theme: themes.Theme) -> None:  # noqa: F811
    ws = on_worker(lambda core: core.workspaces.get())
    on_worker(lambda core: configure(core, ws, emulator, "stability", "openai"))
    with language(code):
        window = started_window(bridge, qtbot, tmp_path / "ui.ini")
        tab = window.page(ImagesTab)
        assert isinstance(tab, ImagesTab)
        show_tab(window, tab)
        qtbot.waitUntil(lambda: tab.form.selector.count() > 1, timeout=10_000)
        tab.form.preset_box.setCurrentIndex(tab.form.preset_box.findData("social"))
        make(qtbot, tab, "Pão de queijo quentinho numa mesa de madeira, luz da manhã",
             count=3)
        qtbot.waitUntil(lambda: all(tab.model.has_thumbnail(r.id) for r in tab.model.rows),
                        timeout=10_000)
        problems: list[str] = []
        for scheme in (themes.LIGHT, themes.DARK):
            theme.set_choice(scheme)
            for width, height in SIZES:
                window.resize(width, height)
                qtbot.wait(80)
                size = f"{width}x{height}"
                problems += [f"images {scheme} {size}: {p}" for p in cut_off(tab, window)]
                shoot(window, f"images-{code}-{scheme}-{size}")
        assert not problems, "\n".join(problems)


def test_integrations_has_a_stability_card_with_its_key_test(
        window: Any, qtbot: Any, emulator: Any, on_worker: Callable[..., Any]) -> None:
    from aidesk.ui.integrations.tab import IntegrationsTab
    from tests.ui.test_integrations import click, point_at, test_once

    tab = window.page(IntegrationsTab)
    window.tabs.setCurrentWidget(tab.parentWidget())
    qtbot.waitUntil(lambda: all(c.isEnabled() for c in tab.cards.values()), timeout=10_000)
    card = tab.cards["stability"]
    assert card.title() == "Stability AI" and card.key_edit.placeholderText()
    point_at(card, emulator, qtbot)
    test_once(card, qtbot, emulator.key("stability"))
    assert card.outcome == "verified" and "6 models" in card.status.text()
    assert [r.path for r in emulator.requests_for("stability")] == [
        "/stability/v1/user/balance"]
    assert card.model_box.currentText() == "core"
    click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: card.config is not None and card.config.key_mask is not None,
                    timeout=10_000)
    qtbot.waitUntil(lambda: any("Stability AI (images only)" in tab.fallback.list.item(i).text()
                                for i in range(tab.fallback.list.count())), timeout=10_000)
    test_once(card, qtbot, "sk-wrong-0123456789abcdef")
    assert card.outcome == "rejected"
