"""Workspace names in any script; ids folded to ASCII letters, stable, never colliding."""

from __future__ import annotations

import io
from typing import Any

import pytest

from aidesk.cli import main
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.workspaces import slug


@pytest.mark.parametrize(("name", "expected"), [
    ("Ótica Visão", "otica-visao"),
    ("Padaria Pão Quente", "padaria-pao-quente"),
    ("Açaí & Cia.", "acai-cia"),
    ("Straße Ærø Łódź", "strasse-aero-lodz"),
    ("Crème Brûlée Nº 5", "creme-brulee-no-5"),
    ("ＦＵＬＬ　ｗｉｄｔｈ", "full-width"),
    ("O\u0301tica", "otica"),  # decomposed input, same id
])
def test_slug_keeps_letters_as_ascii(name: str, expected: str) -> None:
    assert slug(name) == expected


@pytest.mark.parametrize("name", ["مطعم الشام", "東京ベーカリー", "🚀🔥", "Пекарня"])
def test_slug_without_latin_letters_is_a_stable_hash(name: str) -> None:
    assert slug(name) == slug(name)
    assert slug(name).startswith("workspace-") and len(slug(name)) == len("workspace-") + 8


def test_names_in_any_script_through_the_cli(data_dir: Any, keyring_backend: Any,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    names = ["مطعم الشام", "東京ベーカリー", "大阪ベーカリー", "🚀 Rocket Café", "Пекарня",
             "Ótica Visão", "Otica Visao!"]
    for name in names:
        assert main(["workspace", "add", name]) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert main(["workspace", "list"]) == 0
    listing = capsys.readouterr().out
    for name in names:
        assert name in listing
    for name in names:
        assert main(["workspace", "use", name]) == 0
        assert main(["config", "set", "cache.ttl_days", "2"]) == 0
        assert main(["keys", "list", "--workspace", name]) == 0
    out = capsys.readouterr().out
    assert "Current workspace: 東京ベーカリー." in out


def test_ids_never_collide(core: Core) -> None:
    ws = core.workspaces
    a, b = ws.add("東京"), ws.add("大阪")
    assert a.tenant_id != b.tenant_id and a.tenant_id.startswith("workspace-")
    c, d, e = ws.add("Café 東京"), ws.add("Café 大阪"), ws.add("café")
    ids = {c.tenant_id, d.tenant_id, e.tenant_id}
    assert c.tenant_id == "cafe" and len(ids) == 3
    assert all(i.startswith("cafe-") for i in ids - {"cafe"})
    with pytest.raises(ConfigError, match="already used"):
        ws.add("Another", tenant_id="cafe")
    # NFC and NFD spellings of one name are one workspace.
    ws.add("Ótica")
    with pytest.raises(ConfigError, match="already exists"):
        ws.add("O\u0301tica")
    assert ws.find("O\u0301tica") is not None


def test_read_only_commands_write_nothing_before_the_first_workspace(
        core: Core) -> None:
    before = core.workspaces.all()
    ws = core.workspaces.get(create=False)
    assert (ws.id, ws.name, core.workspaces.all()) == ("", "default", before)
    assert core.workspaces.get().name == "default" and len(core.workspaces.all()) == 1
