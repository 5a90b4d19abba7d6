"""Named settings: every value validated for type and range, one sentence when refused."""

from __future__ import annotations

import pytest

from aidesk import settings
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.workspaces import Workspace


def test_call_deadline_defaults_to_120_and_is_global(core: Core, ws: Workspace) -> None:
    assert core.workspaces.call_deadline_s() == 120.0
    assert settings.get(core.workspaces, ws, "calls.deadline_s") == "120"
    settings.set(core.workspaces, ws, "calls.deadline_s", "45.5")
    other = core.workspaces.add("Outro cliente")
    assert core.workspaces.call_deadline_s() == 45.5
    assert settings.get(core.workspaces, other, "calls.deadline_s") == "45.5"
    assert "calls.deadline_s" in settings.setting_names()


@pytest.mark.parametrize("value", ["0", "0.5", "601", "nan", "-3", "soon"])
def test_call_deadline_range(core: Core, ws: Workspace, value: str) -> None:
    with pytest.raises(ConfigError, match=r"calls\.deadline_s"):
        settings.set(core.workspaces, ws, "calls.deadline_s", value)
    assert core.workspaces.call_deadline_s() == 120.0
