"""Daily online backups (last 7 kept), private file modes, and read-only commands that work
while another process holds the write lock."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aidesk.cli import main
from aidesk.core import open_core
from aidesk.keys import KeyStore
from aidesk.storage import backup, open_database, spool
from tests.support import MemoryKeyring, make_core

DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The loosest umask: modes must not depend on it."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_at_most_one_backup_a_day_and_the_last_seven_kept(tmp_path: Path) -> None:
    db = open_database(tmp_path / "aidesk.db")
    db.close()
    taken = [backup.maybe_backup(db.path, DAY1 + timedelta(hours=h)) for h in (0, 5, 23)]
    assert taken[0] is not None and taken[1:] == [None, None]
    for day in range(1, 10):
        assert backup.maybe_backup(db.path, DAY1 + timedelta(days=day)) is not None
    kept = backup.list_backups(tmp_path)
    assert len(kept) == 7
    assert [backup.taken_at(p) for p in kept] == [DAY1 + timedelta(days=d)
                                                   for d in range(9, 2, -1)]
    assert all(backup.check(p) == ["ok"] for p in kept)


@pytest.mark.parametrize(("name", "expected"), [
    ("aidesk-20261125-143005.db", datetime(2026, 11, 25, 14, 30, 5, tzinfo=UTC)),
    ("aidesk-20261325-143005.db", None),  # month 13
    ("aidesk-2026112-5143005.db", None),
    ("aidesk-20261125-14300x.db", None),
    ("aidesk-20261125-1430051.db", None),
    ("aidesk-copy.db", None),
])
def test_the_time_of_a_backup_comes_from_its_name(name: str, expected: datetime | None) -> None:
    assert backup.taken_at(Path(name)) == expected


def test_the_core_backs_up_when_it_opens_for_writing_only(data_dir: Path) -> None:
    read_only = open_core(data_dir, keys=KeyStore(MemoryKeyring()), read_only=True)
    read_only.close()
    assert backup.list_backups(data_dir) == []
    core = make_core(data_dir)
    core.workspaces.add("Padaria")
    core.close()
    [first] = backup.list_backups(data_dir)
    make_core(data_dir).close()  # the same day: no second one
    assert backup.list_backups(data_dir) == [first]


def test_data_dir_and_every_file_are_private_whatever_the_umask(
        data_dir: Path, open_umask: None) -> None:
    core = make_core(data_dir)
    core.workspaces.add("Padaria")
    logging.getLogger("aidesk.test").warning("a line for the log file")
    spool.append(spool.spool_path(core.db.path), spool.Entry("r", {}))
    assert mode(data_dir) == 0o700 and mode(data_dir / "backups") == 0o700
    files = [core.db.path, data_dir / "aidesk.db-wal", data_dir / "aidesk.db-shm",
             data_dir / "aidesk.log", data_dir / "spool.jsonl", data_dir / "aidesk.db.created",
             *backup.list_backups(data_dir)]
    try:
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        core.close()


def test_looser_modes_left_by_an_older_version_are_tightened(
        data_dir: Path, open_umask: None) -> None:
    make_core(data_dir).close()
    for handler in logging.getLogger().handlers:  # let the next open add the handler again
        if getattr(handler, "baseFilename", "").startswith(str(data_dir)):
            logging.getLogger().removeHandler(handler)
            handler.close()
    (data_dir / "aidesk.log").write_text("old\n")
    data_dir.chmod(0o755)
    for name in ("aidesk.db", "aidesk.log"):
        (data_dir / name).chmod(0o644)
    make_core(data_dir).close()
    assert mode(data_dir) == 0o700
    assert mode(data_dir / "aidesk.db") == 0o600 and mode(data_dir / "aidesk.log") == 0o600


_HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO app_state (key, value) VALUES ('held', 'yes')")
    print("locked", flush=True)
    time.sleep(30)
""")


def test_read_only_commands_work_while_another_process_holds_the_write_lock(
        data_dir: Path, keyring_backend: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["workspace", "add", "Padaria"]) == 0
    assert main(["workspace", "use", "Padaria"]) == 0
    assert main(["config", "set", "cache.ttl_days", "9"]) == 0
    capsys.readouterr()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(data_dir / "aidesk.db")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        for argv, expected in ((["workspace", "list"], "Padaria"), (["keys", "list"], "openai"),
                               (["config", "get", "cache.ttl_days"], "9"),
                               (["config", "list"], "cache.ttl_days")):
            started = time.perf_counter()
            code = main(argv)
            elapsed = time.perf_counter() - started
            out, err = capsys.readouterr()
            assert (code, err) == (0, ""), argv
            assert expected in out and elapsed < 2.0, (argv, elapsed)  # busy timeout is 5 s
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
