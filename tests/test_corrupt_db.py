"""A damaged database gets one clear message with the fix: never a traceback, never a
silent fresh database in its place; `aidesk db check|restore` repair it from a backup."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from aidesk.cli import main
from aidesk.storage import DatabaseCorrupt, backup, open_database
from aidesk.storage.health import marker_path
from tests.support import MemoryKeyring, make_core


def _not_a_db(path: Path) -> None:
    with path.open("r+b") as file:
        file.write(b"this is no SQLite file at all" * 4)


def _corrupt_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = b"\xa5" * (len(data) - page)  # page 1 (the header, sqlite_master) intact
    path.write_bytes(bytes(data))


def _truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _emptied(path: Path) -> None:
    path.write_bytes(b"")


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "notadb": (_not_a_db, "not an SQLite database"),
    "corrupt": (_corrupt_pages, "malformed"),
    "truncated": (_truncated, "truncated"),
    "empty": (_emptied, "empty (0 bytes)"),
}


def prepared(data_dir: Path, kind: str, *, with_backup: bool = True) -> tuple[Path, bytes]:
    core = make_core(data_dir, MemoryKeyring())
    core.workspaces.add("Padaria")
    path = core.db.path
    core.close()  # last connection: WAL checkpointed into the file
    for old in backup.list_backups(data_dir):
        old.unlink()
    if with_backup:
        backup.backup_now(path)
    KINDS[kind][0](path)
    return path, path.read_bytes()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_open_core_names_the_damage_and_the_fix(data_dir: Path, kind: str) -> None:
    path, damaged = prepared(data_dir, kind)
    with pytest.raises(DatabaseCorrupt) as caught:
        make_core(data_dir, MemoryKeyring())
    message = caught.value.user_message
    assert KINDS[kind][1] in message and str(path) in message
    assert "aidesk db restore" in message and backup.list_backups(data_dir)[0].name in message
    assert path.read_bytes() == damaged  # not replaced by a fresh database


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_cli_says_one_sentence_and_exits_1(data_dir: Path, kind: str, keyring_backend: Any,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path, damaged = prepared(data_dir, kind, with_backup=False)
    assert main(["workspace", "list"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith("aidesk: The AIDesk database")
    assert "no backup yet" in err
    assert path.read_bytes() == damaged


def test_a_missing_file_is_a_new_database_but_an_emptied_one_is_not(tmp_path: Path) -> None:
    path = tmp_path / "aidesk.db"
    open_database(path).close()
    assert marker_path(path).exists()
    path.unlink()
    open_database(path).close()  # deleted on purpose: a new one
    path.write_bytes(b"")
    with pytest.raises(DatabaseCorrupt, match="empty"):
        open_database(path)


def test_db_check_then_restore_latest_brings_the_data_back(
        data_dir: Path, keyring_backend: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, damaged = prepared(data_dir, "corrupt")
    assert main(["db", "check"]) == 1
    out, err = capsys.readouterr()
    assert "damaged" in out and "aidesk db restore latest" in err

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal: --yes needed
    assert main(["db", "restore", "latest"]) == 1
    assert "--yes" in capsys.readouterr().err and path.read_bytes() == damaged

    assert main(["db", "restore"]) == 0
    assert backup.list_backups(data_dir)[0].name in capsys.readouterr().out
    assert main(["db", "restore", "latest", "--yes"]) == 0
    out, _ = capsys.readouterr()
    [aside] = [p for p in data_dir.glob("aidesk.db.broken-*")
               if not p.name.endswith(("-wal", "-shm"))]
    assert str(aside) in out and aside.read_bytes() == damaged  # kept, never deleted
    assert main(["db", "check"]) == 0
    assert main(["workspace", "list"]) == 0
    assert "Padaria" in capsys.readouterr().out
