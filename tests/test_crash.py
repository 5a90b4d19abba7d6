"""Crash reports of the command line: one sentence on stderr, the redacted report on disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_a_bug_in_the_cli_saves_a_report_and_says_one_sentence(
        data_dir: Path, monkeypatch: Any, capsys: Any) -> None:
    from aidesk import cli
    from aidesk.cli import workspace_cmd

    def broken(_args: object) -> int:
        raise KeyError("oops")

    monkeypatch.setattr(workspace_cmd, "_list", broken)
    assert cli.main(["workspace", "list"]) == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "crash-" in err
    assert list((data_dir / "crash-reports").glob("crash-*.txt"))


def test_reports_are_redacted_private_and_capped(data_dir: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from aidesk import crash

    start = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    pasted = "gsk_" + "a1B2" * 13
    for i in range(crash.KEEP + 5):
        crash.write(f"report {i} with {pasted}", data_dir, start + timedelta(seconds=i))
    files = sorted((data_dir / crash.FOLDER).glob("crash-*.txt"))
    assert len(files) == crash.KEEP
    assert "report 24" in files[-1].read_text() and "report 5 " in files[0].read_text()
    assert all(pasted not in f.read_text() for f in files)
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
