"""The Integrations tab, clicked like a user would, against the provider emulator."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QListWidget, QWidget

from aidesk import settings
from aidesk.ui.integrations.provider_card import ProviderCard
from aidesk.ui.integrations.tab import IntegrationsTab
from aidesk.ui.main_window import MainWindow
from aidesk.workspaces import Workspace
from tests.emulator.server import Emulator
from tests.support import MemoryKeyring, configure
from tests.ui.conftest import answer_dialog, shoot

WRONG_KEY = "sk-wrong-0123456789abcdef"


@pytest.fixture
def default_workspace(bridge: Any, qtbot: Any) -> None:
    """Create the first workspace before the window lists them (it lists, then creates)."""
    on_worker(bridge, qtbot, lambda core: core.workspaces.get())


@pytest.fixture
def tab(default_workspace: None, window: MainWindow, qtbot: Any) -> IntegrationsTab:
    page = window.page(IntegrationsTab)
    assert isinstance(page, IntegrationsTab)
    window.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: all(c.isEnabled() for c in page.cards.values()), timeout=10_000)
    return page


def on_worker(bridge: Any, qtbot: Any, fn: Callable[[Any], Any]) -> Any:
    """Run fn(core) on the bridge's worker thread and return its result."""
    box: dict[str, Any] = {}
    job = bridge.call(fn)
    job.done.connect(lambda result: box.setdefault("done", result))
    job.failed.connect(lambda exc: box.setdefault("failed", exc))
    qtbot.waitUntil(lambda: bool(box), timeout=10_000)
    if "failed" in box:
        raise box["failed"]
    return box["done"]


def workspace_of(tab: IntegrationsTab) -> Workspace:
    """The workspace the tab shows (the `tab` fixture waits until it has one)."""
    assert tab.workspace is not None
    return tab.workspace


def reload(tab: IntegrationsTab, qtbot: Any) -> None:
    """Reload the tab from the core, as a workspace switch does."""
    assert tab.workspace is not None
    before = tab.fallback.list.count()
    tab.cards["openai"].setEnabled(False)
    tab.set_workspace(tab.workspace)
    qtbot.waitUntil(lambda: tab.cards["openai"].isEnabled() and tab.fallback.list.count()
                    == before, timeout=10_000)


def point_at(card: ProviderCard, emulator: Emulator, qtbot: Any) -> None:
    """Type the emulator's address into the card's base URL field, as a user would."""
    url = emulator.base_url(card.provider)
    if card.meta.needs_key:
        qtbot.mouseClick(card.advanced_button, Qt.MouseButton.LeftButton)
    card.base_url_edit.clear()
    qtbot.keyClicks(card.base_url_edit, url)
    qtbot.keyClick(card.base_url_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: card.config is not None and card.config.base_url == url)


def snap(qtbot: Any, widget: QWidget, name: str) -> None:
    """Let pending layout requests settle, then save a screenshot."""
    qtbot.wait(50)
    shoot(widget, name)


def click(qtbot: Any, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_once(card: ProviderCard, qtbot: Any, key: str | None = None) -> None:
    if key is not None:
        card.key_edit.clear()
        qtbot.keyClicks(card.key_edit, key)
    card.outcome = None
    click(qtbot, card.test_button)
    assert card.test_button.text() == "&Cancel test" and not card.save_button.isEnabled()
    qtbot.waitUntil(lambda: card.outcome not in (None, "busy"), timeout=15_000)
    assert card.test_button.isEnabled()


test_once.__test__ = False  # type: ignore[attr-defined]


def texts(root: QWidget) -> Iterator[str]:
    """Every text a widget tree shows or announces."""
    for w in [root, *root.findChildren(QWidget)]:
        for name in ("text", "placeholderText", "toolTip", "windowTitle", "accessibleName",
                     "statusTip", "title", "plainText"):
            getter = getattr(w, name, None)
            if callable(getter):
                try:
                    value = getter()
                except TypeError:
                    continue
                if isinstance(value, str):
                    yield value
        if isinstance(w, QComboBox):
            yield from (w.itemText(i) for i in range(w.count()))
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                yield w.item(i).text()
                yield w.item(i).toolTip()


def test_valid_key_verifies_and_fills_models(tab: IntegrationsTab, emulator: Emulator,
                                             qtbot: Any) -> None:
    card = tab.cards["openai"]
    assert card.key_edit.echoMode() == card.key_edit.EchoMode.Password
    assert card.key_edit.placeholderText().startswith("No key")
    point_at(card, emulator, qtbot)
    test_once(card, qtbot, emulator.key("openai"))
    assert card.outcome == "verified"
    assert "Verified" in card.status.text() and "6 models" in card.status.text()
    models = [card.model_box.itemText(i) for i in range(card.model_box.count())]
    assert models == sorted(emulator.models("openai"))
    assert card.model_box.currentText() == "gpt-4o-mini"
    snap(qtbot, tab.window(), "integrations-verified")


def test_wrong_key_is_rejected_and_saved_only_with_override(
        tab: IntegrationsTab, emulator: Emulator, qtbot: Any, keyring_backend: MemoryKeyring,
        bridge: Any) -> None:
    card = tab.cards["openai"]
    point_at(card, emulator, qtbot)
    test_once(card, qtbot, WRONG_KEY)
    assert card.outcome == "rejected"
    assert "Rejected" in card.status.text() and "paste it here" in card.status.text()
    snap(qtbot, tab.window(), "integrations-rejected")

    seen: list[str] = []
    answer_dialog("Cancel", seen=seen)
    click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: bool(seen))
    assert "rejected this key" in seen[0]
    qtbot.waitUntil(lambda: "not saved" in card.status.text())
    assert keyring_backend.entries == {}

    answer_dialog("Save rejected key anyway")
    click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: bool(keyring_backend.entries))
    qtbot.waitUntil(lambda: "skipped: key failing" in tab.fallback.skipped().get("openai", ""))
    config = on_worker(bridge, qtbot, lambda core: core.workspaces.config(
        workspace_of(tab).tenant_id, "openai"))
    assert config.last_test_status == "rejected"


def test_overloaded_provider_is_unverified(tab: IntegrationsTab, emulator: Emulator,
                                           qtbot: Any) -> None:
    card = tab.cards["anthropic"]
    point_at(card, emulator, qtbot)
    emulator.fault("anthropic", "overloaded")
    test_once(card, qtbot, emulator.key("anthropic"))
    assert card.outcome == "unverified"
    assert "Not verified" in card.status.text() and "overloaded" in card.status.text()
    assert "the key may still be fine" in card.status.text()

    seen: list[str] = []
    answer_dialog("Save without verifying", seen=seen)
    click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: (card.config is not None and card.config.key_mask is not None))
    assert "could not verify" in seen[0]


def test_slow_provider_times_out_as_unverified(tab: IntegrationsTab, emulator: Emulator,
                                              qtbot: Any, bridge: Any) -> None:
    ws = workspace_of(tab)
    on_worker(bridge, qtbot, lambda core: (
        settings.set(core.workspaces, ws, "providers.groq.base_url", emulator.base_url("groq")),
        settings.set(core.workspaces, ws, "providers.groq.timeout_s", "1")))
    reload(tab, qtbot)
    emulator.latency("groq", 3.0)
    card = tab.cards["groq"]
    test_once(card, qtbot, emulator.key("groq"))
    assert card.outcome == "unverified"
    assert "no answer within 1 s" in card.status.text()


def test_save_verified_key_then_remove(tab: IntegrationsTab, window: MainWindow,
                                       emulator: Emulator, qtbot: Any,
                                       keyring_backend: MemoryKeyring, bridge: Any) -> None:
    card = tab.cards["gemini"]
    point_at(card, emulator, qtbot)
    key = emulator.key("gemini")
    qtbot.keyClicks(card.key_edit, key)
    with qtbot.waitSignal(bridge.configs_changed, timeout=15_000):
        click(qtbot, card.save_button)  # tests first; a verified key is saved without asking
    qtbot.waitUntil(lambda: card.config is not None and card.config.key_mask is not None)
    assert keyring_backend.entries == {("aidesk", f"{workspace_of(tab).tenant_id}:gemini"): key}
    assert card.key_edit.text() == ""
    assert card.config is not None and card.config.key_mask is not None
    assert card.config.key_mask in card.key_edit.placeholderText()
    assert card.key_edit.placeholderText().startswith("Stored key:")
    assert card.outcome == "verified" and "Saved" in card.status.text()
    assert card.remove_button.isEnabled()
    assert not [t for t in texts(window) if key in t]

    answer_dialog("Remove key")
    click(qtbot, card.remove_button)
    qtbot.waitUntil(lambda: keyring_backend.entries == {})
    qtbot.waitUntil(lambda: card.key_edit.placeholderText().startswith("No key"))
    assert not card.remove_button.isEnabled()


def test_stored_key_test_never_reaches_the_ui(tab: IntegrationsTab, emulator: Emulator,
                                              qtbot: Any, bridge: Any) -> None:
    ws = workspace_of(tab)
    on_worker(bridge, qtbot, lambda core: configure(core, ws, emulator, "openai"))
    reload(tab, qtbot)
    card = tab.cards["openai"]
    assert "Stored key:" in card.key_edit.placeholderText()
    test_once(card, qtbot)  # empty field: the stored key is read on the worker
    assert card.outcome == "verified"
    assert emulator.requests_for("openai")[-1].headers["authorization"].endswith(
        emulator.key("openai"))
    config = on_worker(bridge, qtbot, lambda core: core.workspaces.config(ws.tenant_id,
                                                                             "openai"))
    assert config.last_test_status == "verified"
    assert not [t for t in texts(tab.window()) if emulator.key("openai") in t]


def test_keyring_unavailable_is_explained(tab: IntegrationsTab, window: MainWindow,
                                          emulator: Emulator, qtbot: Any,
                                          keyring_backend: MemoryKeyring) -> None:
    card = tab.cards["openai"]
    point_at(card, emulator, qtbot)
    keyring_backend.priority = 0  # what a fail/plain-text backend has
    qtbot.keyClicks(card.key_edit, emulator.key("openai"))
    click(qtbot, card.save_button)
    qtbot.waitUntil(lambda: card.outcome == "error", timeout=15_000)
    assert "No secure key store" in card.status.text()
    assert "No secure key store" in window.status_label.text()
    assert keyring_backend.entries == {}
    assert not window.ctx.messenger.crash_reports


def test_local_provider_has_no_key_field(tab: IntegrationsTab, emulator: Emulator,
                                         qtbot: Any) -> None:
    card = tab.cards["local"]
    assert card.key_edit.isHidden() and card.save_button.isHidden()
    point_at(card, emulator, qtbot)
    test_once(card, qtbot)
    assert card.outcome == "verified"
    assert "the server answers" in card.status.text()
    assert card.model_box.findText("qwen2.5") >= 0


def test_fallback_order_and_skip_reasons(tab: IntegrationsTab, emulator: Emulator, qtbot: Any,
                                         bridge: Any) -> None:
    ws = workspace_of(tab)
    on_worker(bridge, qtbot, lambda core: configure(core, ws, emulator,
                                                       "openai", "anthropic", "groq"))
    reload(tab, qtbot)
    fallback = tab.fallback
    assert fallback.order()[:3] == ["openai", "anthropic", "groq"]
    skipped = fallback.skipped()
    assert set(skipped) == {"gemini", "openrouter", "local", "stability"}
    assert "skipped: no key" in skipped["gemini"]
    assert "skipped: disabled" in skipped["local"]

    # Keyboard users: select groq, Move up twice.
    fallback.list.setCurrentRow(2)
    for _ in range(2):
        with qtbot.waitSignal(bridge.configs_changed):
            click(qtbot, fallback.up_button)
    order = on_worker(bridge, qtbot, lambda core: list(core.workspaces.configs(ws.tenant_id)))
    assert order[:3] == ["groq", "openai", "anthropic"]
    assert fallback.list.item(0).text() == "1. Groq"
    assert not fallback.up_button.isEnabled()

    # A drop moves the row through the model, as drag and drop does.
    with qtbot.waitSignal(bridge.configs_changed):
        fallback.list.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    order = on_worker(bridge, qtbot, lambda core: list(core.workspaces.configs(ws.tenant_id)))
    assert order[:3] == ["anthropic", "groq", "openai"]
    configs = on_worker(bridge, qtbot, lambda core: core.workspaces.configs(ws.tenant_id))
    assert not configs["local"].enabled  # ordering never switches a provider on

    # Disabling a provider in its card shows up in the list.
    with qtbot.waitSignal(bridge.configs_changed):
        click(qtbot, tab.cards["groq"].enabled_box)
    qtbot.waitUntil(lambda: "skipped: disabled" in fallback.skipped().get("groq", ""))


def test_check_all_keys(tab: IntegrationsTab, emulator: Emulator, qtbot: Any,
                        bridge: Any) -> None:
    ws = workspace_of(tab)
    on_worker(bridge, qtbot, lambda core: configure(
        core, ws, emulator, "openai", "anthropic", "gemini", "groq",
        keys={"groq": "gsk_wrongwrongwrongwrong1234"}))
    reload(tab, qtbot)
    emulator.fault("anthropic", "overloaded")
    emulator.latency("openai", 0.3)
    click(qtbot, tab.check_all_button)
    assert tab.progress.isVisible() and not tab.check_all_button.isEnabled()
    assert tab.cards["openai"].outcome == "busy"
    qtbot.waitUntil(lambda: not tab.progress.isVisible(), timeout=20_000)
    outcomes = {p: tab.cards[p].outcome for p in ("openai", "anthropic", "gemini", "groq")}
    assert outcomes == {"openai": "verified", "anthropic": "unverified", "gemini": "verified",
                        "groq": "rejected"}
    assert "2 verified" in tab.summary.text() and "1 rejected" in tab.summary.text()
    assert "skipped: key failing" in tab.fallback.skipped()["groq"]
    assert tab.cards["gemini"].model_box.count() == len(emulator.models("gemini"))
    tab.card_scroll.ensureWidgetVisible(tab.cards["groq"])
    snap(qtbot, tab.window(), "integrations-checked-all")


def test_keyboard_reaches_the_test_button(tab: IntegrationsTab, emulator: Emulator,
                                         qtbot: Any) -> None:
    window = tab.window()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    card = tab.cards["openai"]
    point_at(card, emulator, qtbot)
    card.enabled_box.setFocus()
    qtbot.waitUntil(card.enabled_box.hasFocus)
    QTest.keyClick(card.enabled_box, Qt.Key.Key_Tab)
    assert card.key_edit.hasFocus()
    QTest.keyClick(card.key_edit, Qt.Key.Key_Tab)
    assert card.test_button.hasFocus()
    QTest.keyClick(card.test_button, Qt.Key.Key_Space)
    assert card.outcome == "error"  # no key typed: it says what to do
    assert "paste the key" in card.status.text()

    QTest.keyClick(card.test_button, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert card.key_edit.hasFocus()
    QTest.keyClicks(card.key_edit, emulator.key("openai"))
    QTest.keyClick(card.key_edit, Qt.Key.Key_Tab)
    QTest.keyClick(card.test_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: card.outcome == "verified", timeout=15_000)
    assert card.test_button.hasFocus()  # focus comes back after "Testing…"

    QTest.keyClick(card.test_button, Qt.Key.Key_F, Qt.KeyboardModifier.AltModifier)
    assert tab.fallback.list.hasFocus()  # Alt+F: the fallback order


def test_switching_workspace_reloads_the_cards(tab: IntegrationsTab, window: MainWindow,
                                               emulator: Emulator, qtbot: Any,
                                               bridge: Any) -> None:
    ws = workspace_of(tab)
    on_worker(bridge, qtbot, lambda core: configure(core, ws, emulator, "openai"))
    reload(tab, qtbot)
    assert "Stored key:" in tab.cards["openai"].key_edit.placeholderText()
    window.create_workspace("Padaria Pão Quente")
    qtbot.waitUntil(lambda: tab.workspace is not None and tab.workspace.name
                    == "Padaria Pão Quente" and tab.cards["openai"].key_edit
                    .placeholderText().startswith("No key"), timeout=10_000)
    assert tab.cards["openai"].outcome == "info"
    assert "skipped: no key" in tab.fallback.skipped()["openai"]


def test_a_slow_key_test_can_be_cancelled(tab: IntegrationsTab, qtbot: Any,
                                          emulator: Emulator) -> None:
    card = tab.cards["openai"]
    point_at(card, emulator, qtbot)
    emulator.latency("openai", 30)  # accepts the connection, then keeps silent
    qtbot.keyClicks(card.key_edit, emulator.key("openai"))
    click(qtbot, card.test_button)
    qtbot.waitUntil(lambda: card.test_button.text().replace("&", "") == "Cancel test")
    assert card.test_button.isEnabled() and not card.save_button.isEnabled()
    snap(qtbot, card, "integrations-key-test-cancellable")
    click(qtbot, card.test_button)
    qtbot.waitUntil(lambda: "cancelled" in card.status.text(), timeout=3_000)
    assert card.test_button.text().replace("&", "") == "Test connection"
    assert card.config is not None and card.config.key_fingerprint is None, "nothing saved"
