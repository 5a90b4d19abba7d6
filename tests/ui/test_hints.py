"""The GUI never tells a user to run a CLI command: the core's errors carry a hint per surface
(the desktop's names a place in the app), and `for_gui` rewrites what the command line stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidesk import i18n
from aidesk.errors import (
    AIDeskError,
    DeadlineExceeded,
    InvalidKey,
    LimitExceeded,
    ModelNotFound,
    NoProviderAvailable,
    NotConfigured,
)
from aidesk.storage.health import DatabaseCorrupt
from aidesk.storage.values import utcnow
from aidesk.ui.hints import for_gui
from aidesk.ui.main_window import MainWindow

CASES = [
    (NoProviderAvailable("default"), "Add a key in Integrations."),
    (NoProviderAvailable("default", [("openai", "no key")]), "in Integrations."),
    (InvalidKey("openai"), "Replace it in Integrations."),
    (ModelNotFound("openai", model="gpt-9"), "on its card in Integrations"),
    (DeadlineExceeded(30), "raise the deadline in Settings (Ctrl+,)."),
    (LimitExceeded("tokens_per_day", 1000, 990, utcnow()), "raise it in Settings (Ctrl+,)."),
    (NotConfigured("openai", "no API key is set.",
                   cli_hint="Add one with `aidesk keys set openai`.",
                   gui_hint="Add one in Integrations."), "Add one in Integrations."),
]


@pytest.mark.parametrize(("error", "place"), CASES, ids=lambda c: type(c).__name__)
def test_core_hints_become_places(error: AIDeskError, place: str) -> None:
    gui = error.message_for("gui")  # what the desktop shows: no command, the place
    assert "aidesk " not in gui and "`" not in gui
    assert place.lower() in gui.lower()
    assert "`aidesk " in error.message_for("cli")  # the command line names the command
    net = for_gui(error.message_for("cli"))  # a CLI message stored, then shown in the app
    assert "aidesk " not in net and "`" not in net
    assert place.lower() in net.lower()


def test_the_window_sets_the_gui_surface(window: MainWindow) -> None:
    assert i18n.surface() == "gui"
    text = NoProviderAvailable("default").user_message
    assert text.endswith("Add a key in Integrations.") and "aidesk " not in text


def test_unknown_or_translated_hints_still_name_a_place(tmp_path: Path) -> None:
    assert for_gui("Defina com `aidesk keys set groq`.") == "Defina com the Integrations tab."
    assert "Settings (Ctrl+,)" in for_gui("Mude com `aidesk config set cache.ttl_days 3`.")
    assert for_gui("No hint here.") == "No hint here."
    damaged = DatabaseCorrupt(tmp_path / "aidesk.db", "malformed")
    assert "aidesk db" not in for_gui(damaged.user_message)


def test_the_status_bar_shows_places_not_commands(window: MainWindow) -> None:
    window.ctx.messenger.failure(NoProviderAvailable("default"))
    text = window.status_label.text()
    assert "Add a key in Integrations." in text and "aidesk keys" not in text
    window.ctx.bridge.configs_changed.emit()  # a key was added: the error is old news
    assert window.ctx.messenger.last == ("info", "Ready.")
