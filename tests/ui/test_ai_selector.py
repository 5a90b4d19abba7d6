"""The AI selector: what it lists, the choice it stores per module, refreshes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from PySide6.QtCore import Qt

from aidesk.core import Core
from aidesk.router.results import KeyRejected
from aidesk.storage import tables as t
from aidesk.ui.ai_selector import AUTOMATIC, AISelector
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.workspaces import Workspace
from tests.support import configure

Wait = Callable[..., Any]


def on_worker(bridge: CoreBridge, wait_job: Wait, fn: Callable[[Any], Any]) -> Any:
    return wait_job(bridge.call(fn))


def workspace(bridge: CoreBridge, wait_job: Wait, name: str | None = None) -> Workspace:
    if name:
        return on_worker(bridge, wait_job, lambda core: core.workspaces.add(name))
    return on_worker(bridge, wait_job, lambda core: core.workspaces.get())


def selector(ctx: UiContext, qtbot: Any, ws: Workspace, module: str = "marketing"
             ) -> AISelector:
    sel = AISelector(ctx, module)
    qtbot.addWidget(sel)
    with qtbot.waitSignal(sel.loaded, timeout=10_000):
        sel.set_workspace(ws)
    return sel


def labels(sel: AISelector) -> list[str]:
    return [sel.itemText(i) for i in range(sel.count())]


def pick(qtbot: Any, sel: AISelector, text: str) -> None:
    """Choose an entry the way a user does with the keyboard (the offscreen platform warns
    about popups): Home, then Down until it is current."""
    target = sel.findText(text)
    assert target >= 0, f"{text!r} not in {labels(sel)}"
    sel.setFocus()
    qtbot.keyClick(sel, Qt.Key.Key_Home)
    for _ in range(target):
        qtbot.keyClick(sel, Qt.Key.Key_Down)
    assert sel.currentText() == text


def stored_row(bridge: CoreBridge, wait_job: Wait, ws: Workspace, module: str) -> Any:
    c = t.ai_preferences.c

    def read(core: Any) -> Any:
        with core.db.connect() as conn:
            return conn.execute(sa.select(t.ai_preferences).where(
                c.tenant_id == ws.tenant_id, c.user_id == core.user_id,
                c.module == module)).first()

    return on_worker(bridge, wait_job, read)


def test_lists_only_configured_and_enabled_providers(ctx: UiContext, bridge: CoreBridge,
                                                     qtbot: Any, wait_job: Wait,
                                                     emulator: Any) -> None:
    ws = workspace(bridge, wait_job)
    sel = selector(ctx, qtbot, ws)
    assert labels(sel) == [AUTOMATIC] and sel.choice() == (None, None)
    assert "Integrations" in sel.toolTip()

    def setup(core: Any) -> None:
        configure(core, ws, emulator, "openai", "anthropic", "local", "groq")
        core.workspaces.update_config(ws.tenant_id, "groq", enabled=False)  # has a key, off
        core.workspaces.update_config(ws.tenant_id, "gemini", enabled=True)  # on, no key

    on_worker(bridge, wait_job, setup)
    with qtbot.waitSignal(sel.loaded):
        sel.reload()
    assert labels(sel) == [AUTOMATIC, "OpenAI — gpt-4o-mini",
                           "Anthropic (Claude) — claude-3-5-haiku-latest",
                           "Local server — llama3.2"]
    assert sel.providers() == ["openai", "anthropic", "local"]
    assert sel.currentText() == AUTOMATIC


def test_choice_is_stored_per_module_and_restored(ctx: UiContext, bridge: CoreBridge,
                                                  qtbot: Any, wait_job: Wait,
                                                  emulator: Any) -> None:
    ws = workspace(bridge, wait_job)
    on_worker(bridge, wait_job, lambda core: configure(core, ws, emulator, "openai",
                                                       "anthropic"))
    sel = selector(ctx, qtbot, ws)
    seen: list[tuple[Any, Any]] = []
    sel.choice_changed.connect(lambda provider, model: seen.append((provider, model)))
    pick(qtbot, sel, "Anthropic (Claude) — claude-3-5-haiku-latest")
    assert seen[-1] == ("anthropic", "claude-3-5-haiku-latest")
    assert sel.choice() == ("anthropic", "claude-3-5-haiku-latest")

    row = stored_row(bridge, wait_job, ws, "marketing")
    assert (row.provider, row.model, row.user_id) == ("anthropic", "claude-3-5-haiku-latest",
                                                      "tester")
    again = selector(ctx, qtbot, ws)
    assert again.choice() == ("anthropic", "claude-3-5-haiku-latest")
    other_module = selector(ctx, qtbot, ws, module="sales")
    assert other_module.choice() == (None, None)

    pick(qtbot, again, AUTOMATIC)
    row = stored_row(bridge, wait_job, ws, "marketing")
    assert row.provider is None and row.model is None
    assert selector(ctx, qtbot, ws).choice() == (None, None)


def test_each_workspace_keeps_its_own_choice(ctx: UiContext, bridge: CoreBridge, qtbot: Any,
                                             wait_job: Wait, emulator: Any) -> None:
    first = workspace(bridge, wait_job)
    second = workspace(bridge, wait_job, "Padaria Pão Quente")
    for ws in (first, second):
        def setup(core: Core, ws: Workspace = ws) -> None:
            configure(core, ws, emulator, "openai", "groq")

        on_worker(bridge, wait_job, setup)
    sel = selector(ctx, qtbot, first)
    pick(qtbot, sel, "Groq — llama-3.1-8b-instant")
    with qtbot.waitSignal(sel.loaded):
        sel.set_workspace(second)
    assert sel.choice() == (None, None)
    with qtbot.waitSignal(sel.loaded):
        sel.set_workspace(first)
    assert sel.choice() == ("groq", "llama-3.1-8b-instant")


def test_refreshes_when_configs_change(ctx: UiContext, bridge: CoreBridge, qtbot: Any,
                                       wait_job: Wait, emulator: Any) -> None:
    ws = workspace(bridge, wait_job)
    on_worker(bridge, wait_job, lambda core: configure(core, ws, emulator, "openai", "groq"))
    sel = selector(ctx, qtbot, ws)
    pick(qtbot, sel, "OpenAI — gpt-4o-mini")

    def change(core: Any) -> None:
        core.workspaces.update_config(ws.tenant_id, "openai", model="gpt-4o")
        configure(core, ws, emulator, "openai", "groq", "gemini")

    on_worker(bridge, wait_job, change)
    with qtbot.waitSignal(sel.loaded):
        bridge.configs_changed.emit()
    assert labels(sel)[1:] == ["OpenAI — gpt-4o", "Groq — llama-3.1-8b-instant",
                               "Google Gemini — gemini-2.5-flash"]
    assert sel.choice() == ("openai", "gpt-4o")

    on_worker(bridge, wait_job, lambda core: core.workspaces.update_config(
        ws.tenant_id, "openai", enabled=False))
    with qtbot.waitSignal(sel.loaded), qtbot.waitSignal(sel.choice_changed) as changed:
        bridge.configs_changed.emit()
    assert "OpenAI" not in " ".join(labels(sel))
    assert changed.args == [None, None] and sel.choice() == (None, None)
    # Only the user changes the stored choice: it comes back when OpenAI is enabled again.
    assert stored_row(bridge, wait_job, ws, "marketing").provider == "openai"
    on_worker(bridge, wait_job, lambda core: core.workspaces.update_config(
        ws.tenant_id, "openai", enabled=True))
    with qtbot.waitSignal(sel.loaded):
        bridge.configs_changed.emit()
    assert sel.choice() == ("openai", "gpt-4o")


def test_a_rejected_key_is_marked(ctx: UiContext, bridge: CoreBridge, qtbot: Any,
                                  wait_job: Wait, emulator: Any) -> None:
    ws = workspace(bridge, wait_job)
    on_worker(bridge, wait_job, lambda core: configure(core, ws, emulator, "openai"))
    sel = selector(ctx, qtbot, ws)
    on_worker(bridge, wait_job, lambda core: core.workspaces.record_test(
        ws.tenant_id, "openai", "rejected", "openai: the API key was rejected."))
    with qtbot.waitSignal(sel.loaded):
        bridge.router_event.emit(KeyRejected(ws.tenant_id, "openai", "rejected"))
    assert labels(sel)[1] == "OpenAI — gpt-4o-mini (key failing)"
    assert "Integrations" in sel.itemData(1, Qt.ItemDataRole.ToolTipRole)
