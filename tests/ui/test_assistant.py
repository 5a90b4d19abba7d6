"""The Assistant tab against the provider emulator: streaming, stop, fallback, cache, limits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from aidesk.features.marketing import MarketingFields, build_prompt
from aidesk.storage import tables as t
from aidesk.ui.assistant.tab import AssistantTab
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.emulator import reply_text
from tests.support import configure
from tests.ui.conftest import shoot

Wait = Callable[..., Any]
PRODUCT = "Pão de fermentação natural, assado todo dia às 6h"
AUDIENCE = "Famílias do bairro"
OPENAI, ANTHROPIC = ("openai", "gpt-4o-mini"), ("anthropic", "claude-3-5-haiku-latest")


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Wait) -> Callable[[Callable[[Any], Any]], Any]:
    return lambda fn: wait_job(bridge.call(fn))


@pytest.fixture
def ws(on_worker: Callable[..., Any]) -> Workspace:
    return on_worker(lambda core: core.workspaces.get())


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any) -> AssistantTab:
    page = AssistantTab(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 680)
    page.show()
    qtbot.waitExposed(page)
    return page


def open_workspace(qtbot: Any, tab: AssistantTab, ws: Workspace) -> None:
    with qtbot.waitSignal(tab.selector.loaded, timeout=10_000):
        tab.set_workspace(ws)


def setup(qtbot: Any, tab: AssistantTab, ws: Workspace, on_worker: Any, emulator: Any,
          *providers: str) -> None:
    on_worker(lambda core: configure(core, ws, emulator, *providers))
    open_workspace(qtbot, tab, ws)


def type_text(widget: QWidget, text: str) -> None:
    """Type like a keyboard, accents included (QTest.keyClicks takes ASCII only)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


def fill(qtbot: Any, tab: AssistantTab, product: str = PRODUCT,
         audience: str = AUDIENCE) -> None:
    form = tab.form
    form.product.clear()
    type_text(form.product, product)
    form.audience.clear()
    type_text(form.audience, audience)
    assert (form.product.text(), form.audience.text()) == (product, audience)


def expected(tab: AssistantTab, provider_model: tuple[str, str]) -> str:
    _, user = build_prompt(*tab.form.state())
    return reply_text(*provider_model, user)


def generate(qtbot: Any, tab: AssistantTab, button: QWidget | None = None) -> None:
    qtbot.mouseClick(button or tab.generate_button, Qt.MouseButton.LeftButton)
    assert tab.running


def wait_idle(qtbot: Any, tab: AssistantTab, timeout: int = 15_000) -> None:
    qtbot.waitUntil(lambda: not tab.running, timeout=timeout)


def audit_rows(on_worker: Any) -> list[Any]:
    def read(core: Any) -> list[Any]:
        with core.db.connect() as conn:
            return conn.execute(sa.select(t.ai_audit_logs)
                                .order_by(t.ai_audit_logs.c.created_at)).all()

    return on_worker(read)


def test_idle_form_defaults_and_screenshot(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                           on_worker: Any, emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai", "anthropic")
    form = tab.form
    assert form.language.currentData() == "pt" and form.length.currentData() == "medium"
    assert [form.preset.itemData(i) for i in range(form.preset.count())][:6] == [
        "social_post", "ad_copy", "email_subjects", "landing_headline", "whatsapp", "rewrite"]
    assert tab.selector.providers() == ["openai", "anthropic"] and tab.hint.isHidden()
    assert not tab.stop_button.isEnabled() and not tab.regenerate_button.isEnabled()
    assert not tab.copy_button.isEnabled()
    fill(qtbot, tab)
    type_text(form.prompt, "Mencione a entrega grátis aos sábados.")
    shoot(tab, "assistant-idle-filled")


def test_no_provider_shows_how_to_set_one_up(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                             ctx: UiContext) -> None:
    open_workspace(qtbot, tab, ws)
    assert tab.hint.isVisible() and "Integrations" in tab.hint.text()
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert ctx.messenger.last is not None and "No AI provider" in ctx.messenger.last[1]
    assert tab.output.state() == "failed"


def test_generation_streams_into_the_editor(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                            on_worker: Any, emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    emulator.latency("openai", 0, per_chunk=0.03)
    fill(qtbot, tab)
    want = expected(tab, OPENAI)
    lengths: list[int] = []
    tab.output.editor.textChanged.connect(lambda: lengths.append(len(tab.output.text())))
    generate(qtbot, tab)
    assert not tab.generate_button.isEnabled() and tab.stop_button.isEnabled()
    assert tab.output.editor.isReadOnly()
    qtbot.waitUntil(lambda: len(tab.output.text()) > len(want) // 3, timeout=10_000)
    assert tab.running and len(tab.output.text()) < len(want)
    shoot(tab, "assistant-streaming")
    wait_idle(qtbot, tab)
    assert tab.output.text() == want
    steps = sorted(set(lengths))
    assert len(steps) > 10 and steps[-1] == len(want), "the text must grow in steps"
    assert tab.generate_button.isEnabled() and not tab.stop_button.isEnabled()
    assert tab.regenerate_button.isEnabled() and tab.copy_button.isEnabled()
    meta = tab.output.meta.text().replace("\u00a0", " ")
    assert "OpenAI — gpt-4o-mini" in meta and "tokens" in meta and "US$ 0.0" in meta
    assert tab.output.badge.isHidden() and tab.output.note.isHidden()
    [audit] = audit_rows(on_worker)
    assert audit.success and audit.module == "marketing" and audit.response == want


def test_stop_keeps_the_partial_text(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                     on_worker: Any, emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    emulator.latency("openai", 0, per_chunk=0.05)
    fill(qtbot, tab)
    want = expected(tab, OPENAI)
    generate(qtbot, tab)
    qtbot.waitUntil(lambda: len(tab.output.text()) > 20, timeout=10_000)
    qtbot.mouseClick(tab.stop_button, Qt.MouseButton.LeftButton)
    assert not tab.stop_button.isEnabled()
    wait_idle(qtbot, tab)
    partial = tab.output.text()
    assert partial and len(partial) < len(want) and want.startswith(partial)
    assert tab.output.state() == "stopped" and "incomplete" in tab.output.status.text()
    assert not tab.output.editor.isReadOnly() and tab.generate_button.isEnabled()
    shoot(tab, "assistant-stopped")
    [audit] = audit_rows(on_worker)
    assert not audit.success and audit.error_message == "cancelled"


def test_fallback_cache_badge_and_regenerate(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                             on_worker: Any, emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai", "anthropic")
    emulator.fault("openai", "overloaded", times=1)
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    out = tab.output
    assert out.text() == expected(tab, ANTHROPIC)
    assert out.note.isVisible()
    assert "OpenAI failed: the service is overloaded or down" in out.note.text()
    assert "Anthropic (Claude) answered" in out.note.text()
    meta = out.meta.text().replace("\u00a0", " ")
    assert "Anthropic (Claude) — claude-3-5-haiku-latest" in meta
    assert out.badge.isHidden()

    calls = len(emulator.requests)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert out.badge.isVisible() and "US$\u00a00.00" in out.meta.text()
    assert out.text() == expected(tab, ANTHROPIC) and len(emulator.requests) == calls
    assert out.note.isHidden(), "the cached answer needed no fallback"

    generate(qtbot, tab, tab.regenerate_button)
    wait_idle(qtbot, tab)
    assert out.badge.isHidden() and len(emulator.requests) > calls
    assert out.text() == expected(tab, OPENAI), "fresh answer from the first provider"


def test_done_screenshot_with_fallback_note_and_badge(tab: AssistantTab, qtbot: Any,
                                                      ws: Workspace, on_worker: Any,
                                                      emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai", "anthropic")
    emulator.fault("openai", "rate_limit", times=1, retry_after=30)
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert "rate limit" in tab.output.note.text() and "30 s" in tab.output.note.text()
    shoot(tab, "assistant-done-fallback")
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert tab.output.badge.isVisible()
    shoot(tab, "assistant-done-from-cache")


def test_limit_warning_then_refusal_in_the_banner(tab: AssistantTab, qtbot: Any,
                                                  ws: Workspace, on_worker: Any,
                                                  emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    on_worker(lambda core: core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 1))
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    banner = tab.banner
    assert banner.isVisible() and banner.kind == "warning"
    assert "1 of 1 requests per hour" in banner.message() and "resets" in banner.message()
    assert tab.output.text() == expected(tab, OPENAI)

    fill(qtbot, tab, product="Bolo de cenoura")  # not cached: needs a new request
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert banner.isVisible() and banner.kind == "refused"
    text = banner.message()
    assert "requests per hour limit is 1" in text and "local time" in text
    assert "It resets at " in text or "It resets on " in text
    assert tab.output.state() == "failed" and "limit" in tab.output.status.text()
    shoot(tab, "assistant-limit-refused")
    qtbot.mouseClick(banner.dismiss, Qt.MouseButton.LeftButton)
    assert banner.isHidden()


def test_80_percent_warning_banner(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                   on_worker: Any, emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    on_worker(lambda core: core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 1000))
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert tab.banner.kind == "warning" and tab.banner.isVisible()
    text = tab.banner.message()
    assert "Almost at a limit" in text and "of 1,000 tokens per day" in text
    assert tab.output.state() == "" and tab.output.text() == expected(tab, OPENAI)
    shoot(tab, "assistant-limit-warning")


def test_other_failures_are_reported(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                     on_worker: Any, emulator: Any, ctx: UiContext) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    emulator.fault("openai", "bad_request", times=1)
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert tab.output.state() == "failed"
    assert "The call failed: openai: the request was refused" in tab.output.status.text()
    assert ctx.messenger.last is not None and ctx.messenger.last[0] == "error"
    assert tab.banner.isHidden() and tab.generate_button.isEnabled()


def test_incomplete_form_says_what_to_fill(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                           on_worker: Any, emulator: Any,
                                           ctx: UiContext) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    tab.activateWindow()
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    assert not tab.running
    assert ctx.messenger.last == ("warning", "Describe the product or service first.")
    assert tab.form.product.hasFocus()
    tab.form.preset.setCurrentIndex(tab.form.preset.findData("rewrite"))
    assert tab.form.prompt_label.text() == "Te&xt to rewrite:"
    qtbot.mouseClick(tab.generate_button, Qt.MouseButton.LeftButton)
    assert ctx.messenger.last == ("warning", "Write the text to rewrite first.")


def test_copy_and_save(tab: AssistantTab, qtbot: Any, ws: Workspace, on_worker: Any,
                       emulator: Any, tmp_path: Path, ctx: UiContext) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    text = tab.output.text()
    qtbot.mouseClick(tab.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == text
    target = tmp_path / "post.txt"
    assert tab.save_to(target)
    assert target.read_bytes() == text.encode("utf-8") and "ã" in target.read_text("utf-8")
    assert ctx.messenger.last == ("info", f"Saved to {target}.")
    assert not tab.save_to(tmp_path / "missing" / "post.txt")
    assert ctx.messenger.last is not None and ctx.messenger.last[0] == "error"
    assert "Could not save" in ctx.messenger.last[1]


def test_keyboard_generate_stop_and_tab_order(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                              on_worker: Any, emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    emulator.latency("openai", 0, per_chunk=0.05)
    tab.activateWindow()
    qtbot.waitUntil(tab.isActiveWindow)
    fill(qtbot, tab)
    tab.form.prompt.setFocus()
    qtbot.keyClick(tab.form.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert tab.running and tab.form.prompt.toPlainText() == ""
    qtbot.waitUntil(lambda: len(tab.output.text()) > 10, timeout=10_000)
    qtbot.keyClick(tab.form.product, Qt.Key.Key_Escape)
    wait_idle(qtbot, tab)
    assert tab.output.state() == "stopped"

    tab.form.preset.setFocus()
    seen: list[QWidget] = []
    for _ in range(20):
        widget = QApplication.focusWidget()
        assert widget is not None
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    wanted = [*tab.form.fields_in_tab_order(), tab.generate_button, tab.regenerate_button,
              tab.output.editor, tab.copy_button, tab.save_button]
    for widget in wanted:
        assert widget in seen, f"{widget.accessibleName() or widget} is not reachable by Tab"


def test_switching_workspace_clears_and_restores(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                                 on_worker: Any, emulator: Any) -> None:
    other = on_worker(lambda core: core.workspaces.add("Padaria Pão Quente"))
    on_worker(lambda core: configure(core, other, emulator, "anthropic"))
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    on_worker(lambda core: core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 1))
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert tab.output.text() and tab.banner.isVisible()

    open_workspace(qtbot, tab, other)
    assert tab.output.text() == "" and tab.banner.isHidden()
    assert tab.form.product.text() == "" and not tab.regenerate_button.isEnabled()
    assert tab.selector.providers() == ["anthropic"]
    open_workspace(qtbot, tab, ws)
    assert tab.form.product.text() == PRODUCT and tab.selector.providers() == ["openai"]


def test_switch_during_a_stream_cancels_it(tab: AssistantTab, qtbot: Any, ws: Workspace,
                                           on_worker: Any, emulator: Any) -> None:
    other = on_worker(lambda core: core.workspaces.add("Outra"))
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    emulator.latency("openai", 0, per_chunk=0.05)
    fill(qtbot, tab)
    generate(qtbot, tab)
    qtbot.waitUntil(lambda: len(tab.output.text()) > 10, timeout=10_000)
    open_workspace(qtbot, tab, other)
    assert not tab.running and tab.output.text() == ""
    qtbot.waitUntil(lambda: len(audit_rows(on_worker)) == 1)
    assert not audit_rows(on_worker)[0].success
    assert tab.output.text() == "", "late text of the old workspace must not appear"


def test_in_the_main_window(ws: Workspace, window: Any, qtbot: Any, on_worker: Any,
                            emulator: Any) -> None:
    # `ws` comes first: it creates the workspace before the window lists them.
    tab = window.page(AssistantTab)
    window.tabs.setCurrentWidget(tab)
    on_worker(lambda core: configure(core, window.current, emulator, "openai"))
    with qtbot.waitSignal(tab.selector.loaded):
        window._switch(window.switcher.currentIndex())
    assert tab.selector.providers() == ["openai"]
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    assert tab.output.text() == expected(tab, OPENAI)
    shoot(window, "assistant-main-window")


def test_fields_language_and_length_reach_the_request(tab: AssistantTab, qtbot: Any,
                                                      ws: Workspace, on_worker: Any,
                                                      emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai")
    fill(qtbot, tab)
    form = tab.form
    form.language.setCurrentIndex(form.language.findData("es"))
    form.length.setCurrentIndex(form.length.findData("short"))
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    body = emulator.requests_for("openai")[-1].body
    system, user = build_prompt("social_post", MarketingFields(
        product=PRODUCT, audience=AUDIENCE, tone="Friendly", language="es", length="short"))
    assert [m["content"] for m in body["messages"]] == [system, user]
    assert "Spanish" in system and (body.get("max_tokens") or body.get(
        "max_completion_tokens")) == 300


def test_skipped_providers_and_a_truncated_answer_are_shown(tab: AssistantTab, qtbot: Any,
                                                            ws: Workspace, on_worker: Any,
                                                            emulator: Any) -> None:
    setup(qtbot, tab, ws, on_worker, emulator, "openai", "anthropic")
    on_worker(lambda core: core.workspaces.update_config(ws.tenant_id, "openai", enabled=False))
    emulator.fault("anthropic", "truncated", after_chunks=3)
    fill(qtbot, tab)
    generate(qtbot, tab)
    wait_idle(qtbot, tab)
    out = tab.output
    note = out.note.text()
    assert out.note.isVisible()
    assert "Skipped: OpenAI (disabled)." in note and "Anthropic (Claude) answered." in note
    assert "cut short" in note and "Regenerate" in note
    assert out.text() and expected(tab, ANTHROPIC).startswith(out.text().rstrip())
    shoot(tab, "assistant-skipped-and-truncated")
    generate(qtbot, tab)  # the truncated answer was not cached: a fresh call is made
    wait_idle(qtbot, tab)
    assert out.badge.isHidden()
