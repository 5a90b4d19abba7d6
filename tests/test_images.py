"""The Images feature: presets, the gallery (files 0600 under the data folder, one row each),
delete, and `aidesk images generate|list|delete`, through the emulator."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from aidesk.cli import main
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.features import images
from aidesk.features.image_store import ImageStore, dimensions
from aidesk.providers.media import GeneratedImage
from aidesk.router.media_results import MediaInputError
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.media_support import audit_rows, png_size, run
from tests.support import configure


def generate(core: Core, ws: Workspace, description: str = "Pão de queijo na mesa",
             **kw: Any) -> images.Generated:
    store = ImageStore(core.db, core.data_dir)
    return run(core, lambda: images.generate(core.router, store, ws, description, **kw))


def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("preset", "size"), [("campaign", "1536x1024"), ("social", "1:1"),
                                              ("banner", "16:9"), (None, "1024x1024")])
def test_presets_wrap_the_description_and_pick_a_size(core: Core, ws: Workspace,
                                                      emulator: Emulator, preset: str | None,
                                                      size: str) -> None:
    configure(core, ws, emulator, "stability")
    made = generate(core, ws, preset=preset)
    assert made.result.size == size
    sent = emulator.requests_for("stability")[-1].body
    assert sent["prompt"].endswith("Pão de queijo na mesa")
    assert (sent["prompt"] != "Pão de queijo na mesa") == (preset is not None)
    assert made.images[0].preset == preset
    assert made.images[0].prompt == "Pão de queijo na mesa"  # the user's words, not the wrapper


def test_gallery_keeps_each_image_with_its_details(core: Core, ws: Workspace,
                                                   emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    made = generate(core, ws, size="9:16", count=3)
    assert len(made.images) == 3
    folder = core.data_dir / "images" / ws.tenant_id
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for image, data in zip(made.images, made.result.images, strict=True):
        assert image.path.parent == folder and image.path.read_bytes() == data.data
        assert stat.S_IMODE(image.path.stat().st_mode) == 0o600
        assert (image.width, image.height) == png_size(data.data) == (8, 8)
        assert image.provider == "openai" and image.size == "9:16"
        assert made.result.cost_usd is not None
        assert image.cost_usd == pytest.approx(made.result.cost_usd / 3)
        assert image.file_name in audit_rows(core, made.result.request_id)[0]["response"]
    store = ImageStore(core.db, core.data_dir)
    listed = store.gallery(ws.tenant_id)
    assert {i.id for i in listed} == {i.id for i in made.images}
    assert not list(folder.glob(".*.part"))


def test_workspaces_keep_their_own_galleries_and_delete_removes_file_and_row(
        core: Core, ws: Workspace, emulator: Emulator) -> None:
    configure(core, ws, emulator, "stability")
    other = core.workspaces.add("Ótica Visão")
    configure(core, other, emulator, "stability")
    mine = generate(core, ws).images[0]
    theirs = generate(core, other).images[0]
    store = ImageStore(core.db, core.data_dir)
    assert [i.id for i in store.gallery(ws.tenant_id)] == [mine.id]
    assert [i.id for i in store.gallery(other.tenant_id)] == [theirs.id]
    assert not store.delete(ws.tenant_id, theirs.id)  # not this workspace's image
    assert theirs.path.exists()
    assert store.delete(ws.tenant_id, mine.id)
    assert not mine.path.exists() and store.get(ws.tenant_id, mine.id) is None
    assert not store.delete(ws.tenant_id, mine.id)


def test_an_odd_tenant_id_stays_inside_the_images_folder(core: Core) -> None:
    store = ImageStore(core.db, core.data_dir)
    for tenant in ("../x", "a/b", ".hidden"):
        folder = store.folder(tenant)
        assert folder.parent == core.data_dir / "images" and folder.name.startswith("t-")
    assert store.folder("acme-01").name == "acme-01"


def test_unknown_preset_and_bad_input(core: Core, ws: Workspace, emulator: Emulator) -> None:
    configure(core, ws, emulator, "stability")
    with pytest.raises(ConfigError):
        generate(core, ws, preset="poster")
    with pytest.raises(MediaInputError):
        generate(core, ws, "   ")
    assert not emulator.requests_for("stability")


def test_dimensions_of_jpeg_and_webp() -> None:
    jpeg = (b"\xff\xd8" + b"\xff\xe0\x00\x04ab" + b"\xff\xc0\x00\x11\x08" +
            (300).to_bytes(2, "big") + (500).to_bytes(2, "big") + b"\x03" + b"\0" * 9)
    assert dimensions(GeneratedImage(jpeg, "image/jpeg")) == (500, 300)
    webp = (b"RIFF\0\0\0\0WEBPVP8X" + b"\0" * 8 + (639).to_bytes(3, "little")
            + (479).to_bytes(3, "little"))
    assert dimensions(GeneratedImage(webp, "image/webp")) == (640, 480)
    assert dimensions(GeneratedImage(b"junk", "image/png")) == (None, None)


def test_cli_generate_list_delete(core: Core, ws: Workspace, emulator: Emulator,
                                  capsys: Any, monkeypatch: Any, tmp_path: Path) -> None:
    configure(core, ws, emulator, "stability", "openai")
    emulator.fault("stability", "overloaded", times=2)  # both of its requests: it is down
    out_dir = tmp_path / "saida"
    code, out, err = cli(capsys, monkeypatch, "images", "generate", "Vitrine de Natal",
                         "--preset", "banner", "--count", "2", "--out", str(out_dir))
    assert code == 0, err
    copies = [Path(line) for line in out.splitlines()]
    assert len(copies) == 2 and all(p.parent == out_dir and p.exists() for p in copies)
    assert "fell back from stability" in err and "2 images" in err and "US$" in err
    code, out, err = cli(capsys, monkeypatch, "images", "generate", "Logo", "--size", "16:9",
                         "--provider", "stability", "--json")
    data = json.loads(out)
    assert code == 0 and data["provider"] == "stability" and data["size"] == "16:9"
    assert data["cost_usd"] == pytest.approx(0.03)
    assert Path(data["images"][0]["file"]).exists() and data["images"][0]["copy"] is None
    code, out, err = cli(capsys, monkeypatch, "images", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and len(listed) == 3 and listed[0]["prompt"].endswith("Logo")
    code, out, err = cli(capsys, monkeypatch, "images", "list")
    assert code == 0 and "stability" in out and "US$" in out
    code, out, err = cli(capsys, monkeypatch, "images", "delete", listed[0]["id"])
    assert code == 0 and not Path(listed[0]["file"]).exists()
    code, out, err = cli(capsys, monkeypatch, "images", "delete", listed[0]["id"])
    assert code == 1 and "No image" in err and "aidesk images list" in err


def test_cli_refusals_are_one_sentence(core: Core, ws: Workspace, emulator: Emulator,
                                       capsys: Any, monkeypatch: Any) -> None:
    configure(core, ws, emulator, "anthropic")
    code, _out, err = cli(capsys, monkeypatch, "images", "generate", "Logo")
    assert code == 1 and "No provider for image generation is set up" in err
    assert "Traceback" not in err
    code, _out, err = cli(capsys, monkeypatch, "images", "generate", "Logo", "--count", "9")
    assert code == 2
    code, _out, err = cli(capsys, monkeypatch, "images", "list")
    assert code == 0 and "No images yet" in err


def test_0005_adds_the_images_table_to_a_0004_database(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from aidesk.storage import Database, open_database
    from aidesk.storage.db import MIGRATIONS_DIR

    path = tmp_path / "v4.db"
    old = Database(path)
    with old.begin_immediate() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = conn
        command.upgrade(config, "0004")
    with old.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO leads (id, tenant_id, name, external_id, company, email, phone, "
            "created_at, updated_at) VALUES ('l1', 'acme', 'Ana', 'ana', '', '', '', "
            "'2026-11-24 10:05:00.000000', '2026-11-24 10:05:00.000000')")
    old.close()
    db = open_database(path)
    with db.raw() as conn:
        assert conn.execute("SELECT name FROM leads").fetchall() == [("Ana",)]
        assert conn.execute("SELECT count(*) FROM images").fetchone() == (0,)
    db.close()
