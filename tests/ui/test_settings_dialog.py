"""Settings (Ctrl+,): everything `aidesk config` sets, the CLI's rules, errors beside the field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from aidesk import settings
from aidesk.ui.main_window import MainWindow
from aidesk.ui.menus import Menus
from aidesk.ui.settings_dialog import SettingsDialog
from aidesk.ui.settings_fields import TextField
from tests.ui.conftest import shoot
from tests.ui.test_assistant import type_text

Worker = Callable[[Callable[[Any], Any]], Any]


@pytest.fixture
def dialog(window: MainWindow, qtbot: Any) -> SettingsDialog:
    Menus.of(window).settings.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog)
                    or bool(window.findChildren(SettingsDialog)), timeout=5_000)
    found = window.findChildren(SettingsDialog)[-1]
    qtbot.waitUntil(found.save_button.isEnabled, timeout=5_000)
    return found


def retype(field: Any, text: str) -> None:
    assert isinstance(field, TextField)
    field.line.clear()
    type_text(field.line, text)


def current(window: MainWindow, wait_job: Callable[..., Any], key: str) -> str:
    ws = window.current
    assert ws is not None
    return str(wait_job(window.ctx.bridge.call(
        lambda core: settings.get(core.workspaces, core.workspaces.get(ws.name), key))))


def test_every_config_setting_has_a_field(dialog: SettingsDialog) -> None:
    assert set(settings.setting_names()) - {f"providers.{p}.enabled" for p in
                                            ("openai", "anthropic", "gemini", "groq",
                                             "openrouter", "local", "stability")
                                            } <= set(dialog.fields)
    assert {"ui.language", "ui.theme", "currency.brl_per_usd", "calls.deadline_s",
            "fallback", "cache.ttl_days"} <= set(dialog.fields)
    assert dialog.fields["calls.deadline_s"].line.text() == "120"  # type: ignore[attr-defined]
    assert dialog.fields["cache.ttl_days"].line.text() == "7"  # type: ignore[attr-defined]


def test_a_refused_value_is_shown_beside_its_field(dialog: SettingsDialog, window: MainWindow,
                                                   wait_job: Callable[..., Any],
                                                   qtbot: Any) -> None:
    dialog.resize(1024, 640)
    retype(dialog.fields["limits.requests_per_hour"], "2,7")
    retype(dialog.fields["limits.tokens_per_day"], "200000")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    field = dialog.fields["limits.requests_per_hour"]
    qtbot.waitUntil(field.error.isVisible, timeout=5_000)
    assert "whole number" in field.error.text() and dialog.isVisible()
    assert not dialog.fields["limits.tokens_per_day"].error.isVisible()
    assert current(window, wait_job, "limits.tokens_per_day") == "200000"  # the valid one
    assert current(window, wait_job, "limits.requests_per_hour") == "none"
    shoot(dialog, "settings-error-beside-field")

    retype(field, "100")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert current(window, wait_job, "limits.requests_per_hour") == "100"
    assert window.ctx.messenger.last is not None
    assert "Settings saved." in window.ctx.messenger.last[1]


def test_global_settings_and_limit_use(window: MainWindow, wait_job: Callable[..., Any],
                                       qtbot: Any, emulator: Any) -> None:
    from tests.support import configure

    ws = window.current
    assert ws is not None

    def prepare(core: Any) -> None:
        configure(core, ws, emulator, "openai", "groq")
        settings.set(core.workspaces, ws, "limits.requests_per_hour", "10")

    wait_job(window.ctx.bridge.call(prepare))
    Menus.of(window).settings.trigger()
    dialog = window.findChildren(SettingsDialog)[-1]
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5_000)
    assert "Used now: 0 of 10" in dialog.usage["limits.requests_per_hour"].text()
    assert dialog.fields["fallback"].value() == "openai,groq"
    fallback = dialog.fields["fallback"]
    fallback.list.setCurrentRow(1)  # type: ignore[attr-defined]
    qtbot.mouseClick(fallback.up, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert fallback.value() == "groq,openai"
    retype(dialog.fields["currency.brl_per_usd"], "5,40")
    retype(dialog.fields["calls.deadline_s"], "90")
    language = dialog.fields["ui.language"]
    language.combo.setCurrentIndex(language.combo.findData("pt_BR"))  # type: ignore[attr-defined]
    dialog.pages.setCurrentIndex(2)
    shoot(dialog, "settings-general")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)
    assert current(window, wait_job, "fallback") == "groq,openai"
    assert current(window, wait_job, "currency.brl_per_usd") == "5.4"
    assert current(window, wait_job, "calls.deadline_s") == "90"
    assert current(window, wait_job, "ui.language") == "pt_BR"
    assert window.ctx.messenger.last is not None
    assert "starts again" in window.ctx.messenger.last[1]
