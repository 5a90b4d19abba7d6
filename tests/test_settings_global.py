"""The global settings the desktop's Settings dialog adds: language and currency rate."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidesk import i18n, settings
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.workspaces import Workspace


def test_language_is_global_and_read_at_start(core: Core, ws: Workspace,
                                              data_dir: Path) -> None:
    assert settings.get(core.workspaces, ws, "ui.language") == "system"
    settings.set(core.workspaces, ws, "ui.language", "pt-br")
    other = core.workspaces.add("Outro cliente")
    assert settings.get(core.workspaces, other, "ui.language") == "pt_BR"
    assert i18n.saved_choice(data_dir / "aidesk.db") == "pt_BR"
    settings.set(core.workspaces, ws, "ui.language", "EN")
    assert settings.get(core.workspaces, ws, "ui.language") == "en"
    with pytest.raises(ConfigError, match=r"ui\.language must be one of system, pt_BR, en"):
        settings.set(core.workspaces, ws, "ui.language", "klingon")
    assert "ui.language" in settings.setting_names()


@pytest.mark.parametrize(("value", "shown"), [
    ("5,40", "5.4"), ("5.40", "5.4"), ("0", "0"), (" 1.234,50 ", "1234.5"), ("R$ 6", "6"),
    ("none", "none"),
])
def test_currency_rate_accepts_decimal_commas(core: Core, ws: Workspace, value: str,
                                              shown: str) -> None:
    settings.set(core.workspaces, ws, "currency.brl_per_usd", value)
    assert settings.get(core.workspaces, ws, "currency.brl_per_usd") == shown
    assert settings.brl_per_usd(core.workspaces) == (None if shown == "none" else float(shown))


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "cinco", "1e9"])
def test_currency_rate_refuses_what_is_not_a_rate(core: Core, ws: Workspace,
                                                  value: str) -> None:
    settings.set(core.workspaces, ws, "currency.brl_per_usd", "5")
    with pytest.raises(ConfigError, match=r"^currency\.brl_per_usd must be"):
        settings.set(core.workspaces, ws, "currency.brl_per_usd", value)
    assert settings.brl_per_usd(core.workspaces) == 5.0


def test_auto_translate_is_off_until_turned_on(core: Core, ws: Workspace) -> None:
    assert settings.auto_translate(core.workspaces) is False
    assert settings.get(core.workspaces, ws, "chat.auto_translate") == "false"
    settings.set(core.workspaces, ws, "chat.auto_translate", "yes")
    assert settings.auto_translate(core.workspaces) is True
    assert settings.get(core.workspaces, ws, "chat.auto_translate") == "true"
    with pytest.raises(ConfigError, match=r"^chat\.auto_translate must be true or false"):
        settings.set(core.workspaces, ws, "chat.auto_translate", "talvez")
    assert settings.auto_translate(core.workspaces) is True
