"""`aidesk bulk` through `aidesk.cli.main` and as real processes: the preview and estimate
printed before asking, --yes, the CSV, list and export, one sentence for bad input, and a
batch killed with SIGKILL (twice) and resumed: one provider call per lead plus at most the
calls in flight at each kill, and one message per lead."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from aidesk.cli import main
from aidesk.core import Core
from aidesk.features import bulk_jobs as jobs
from aidesk.workspaces import Workspace
from tests.bulk_support import write_csv, writer
from tests.support import configure

ROOT = Path(__file__).resolve().parent.parent
BRIEF = "Convide {nome} da {empresa} para o lançamento de sexta."


def leads(tmp_path: Path, count: int) -> Path:
    return write_csv(tmp_path / "leads.csv", ("Nome", "Empresa", "Idioma"),
                     [(f"Lead {i:03d}", f"Empresa {i}", "en" if i % 5 == 4 else "")
                      for i in range(count)])


def read_out(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def generations(emulator: Any, provider: str) -> int:
    return sum(1 for r in emulator.requests_for(provider) if r.method == "POST")


@pytest.fixture
def ready(core: Core, ws: Workspace, emulator: Any) -> Any:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", writer)
    return emulator


def test_run_prints_the_preview_and_estimate_then_writes_the_csv(
        ready: Any, core: Core, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "mensagens.csv"
    code = main(["bulk", "run", str(leads(tmp_path, 8)), "--brief", BRIEF, "--out", str(out),
                 "--yes", "--concurrency", "3"])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    lines = printed.out.splitlines()
    assert lines[0].startswith("Job ") and lines[0].endswith(": 8 leads from leads.csv.")
    assert lines[1] == "Preview (3 of 8):"
    assert "1. Lead 000 · Portuguese" in lines
    assert "   [Brazilian Portuguese (pt-BR)] Lead 000: Convide Lead 000 da Empresa 0 para o " \
           "lançamento de sexta." in lines
    assert any(line.startswith("Estimated cost of the 5 messages still to write: US$")
               for line in lines)
    assert lines[-1] == f"8 of 8 messages written, 0 failed, 0 left. Saved to {out}."
    rows = read_out(out)
    assert [r["Nome"] for r in rows] == [f"Lead {i:03d}" for i in range(8)]
    assert all(r["status"] == "done" and r["message"] for r in rows)
    assert rows[4]["language"] == "en" and rows[4]["message"].startswith("[English]")
    assert generations(ready, "openai") == 8

    assert main(["bulk", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].split()[:4] == ["JOB", "CREATED", "FILE", "STATUS"]
    assert "leads.csv" in listing[1] and "Finished" in listing[1]
    job_id = listing[1].split()[0]
    again = tmp_path / "again.csv"
    assert main(["bulk", "export", job_id, "--out", str(again)]) == 0
    assert capsys.readouterr().out == f"Wrote 8 leads to {again}.\n"
    assert again.read_bytes() == out.read_bytes()


def test_without_yes_a_pipe_is_not_a_confirmation(ready: Any, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    code = main(["bulk", "run", str(leads(tmp_path, 6)), "--brief", BRIEF, "--out",
                 str(tmp_path / "out.csv")])
    printed = capsys.readouterr()
    assert code == 1
    assert "Preview (3 of 6):" in printed.out and "Estimated cost" in printed.out
    assert printed.err == ("aidesk: Confirm with --yes to write the other messages when stdin "
                           "is not a terminal; the job is kept for `aidesk bulk resume`.\n")
    assert generations(ready, "openai") == 3  # the preview only
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--brief", "Oi {nome}, tudo bem em {cidade}?"],
     "aidesk: The brief uses {cidade}, which no column of leads.csv provides (placeholders: "
     "{nome}, {empresa}, {idioma}).\n"),
    (["--brief", "   "],
     "aidesk: The brief is empty: write what the message should say, e.g. “Convide {nome} "
     "para a promoção de Páscoa”. Pass it with --brief TEXT.\n"),
    (["--brief", BRIEF, "--concurrency", "64"],
     "aidesk: --concurrency must be between 1 and 32.\n"),
    (["--brief", BRIEF, "--map", "lead=Cliente"],
     "aidesk: leads.csv: there is no column “Cliente” (columns: Nome, Empresa, Idioma).\n"),
])
def test_bad_input_gets_one_sentence(ready: Any, tmp_path: Path, argv: list[str],
                                     message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bulk", "run", str(leads(tmp_path, 3)), "--out", str(tmp_path / "o.csv"),
                 "--yes", *argv])
    assert code in (1, 2)
    assert capsys.readouterr().err == message
    assert generations(ready, "openai") == 0


def test_an_unknown_job_is_one_sentence(ready: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bulk", "resume", "zzzz"]) == 1
    assert capsys.readouterr().err == ("aidesk: There is no bulk job “zzzz” in this workspace. "
                                       "List them with `aidesk bulk list`.\n")


def _aidesk(data_dir: Path, *argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, "AIDESK_DATA_DIR": str(data_dir), "AIDESK_USER": "tester",
           "LANGUAGE": "en"}
    return subprocess.Popen([sys.executable, "-m", "aidesk", *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _kill_when(core: Core, child: subprocess.Popen[str], done_at_least: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = jobs.list_jobs(core.db, "default")
        if found and found[0].counts.done >= done_at_least:
            break
        assert child.poll() is None, child.communicate()
        time.sleep(0.02)
    else:
        raise AssertionError("the batch did not get going")
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    child.stderr.close()


def test_a_batch_killed_with_sigkill_resumes_without_writing_a_lead_twice(
        core: Core, ws: Workspace, emulator: Any, tmp_path: Path, data_dir: Path) -> None:
    configure(core, ws, emulator, "local")  # no key: the child process needs no keyring
    emulator.replier("local", writer)
    emulator.latency("local", 0.15)
    total, concurrency = 40, 4
    out = tmp_path / "out.csv"
    child = _aidesk(data_dir, "bulk", "run", str(leads(tmp_path, total)), "--brief", BRIEF,
                    "--out", str(out), "--yes", "--concurrency", str(concurrency))
    _kill_when(core, child, 10)
    calls_at_first_kill = generations(emulator, "local")
    [job] = jobs.list_jobs(core.db, ws.tenant_id)
    assert job.status == "running" and job.counts.running > 0  # as the kill left it
    first_done = {i.seq: i.message for i in jobs.items(core.db, job.id) if i.state == "done"}
    assert [j.id for j in jobs.resumable(core.db)] == [job.id]  # offered for resume

    child = _aidesk(data_dir, "bulk", "resume", job.short_id)
    _kill_when(core, child, 25)
    calls_at_second_kill = generations(emulator, "local")
    kept = {i.seq: i.message for i in jobs.items(core.db, job.id) if i.state == "done"}
    assert {s: kept[s] for s in first_done} == first_done  # nothing redone or lost

    finish = _aidesk(data_dir, "bulk", "resume", job.short_id)
    stdout, stderr = finish.communicate(timeout=120)
    assert finish.returncode == 0, stderr
    assert stdout.strip().endswith(f"{total} of {total} messages written, 0 failed, 0 left. "
                                   f"Saved to {out}.")
    items = jobs.items(core.db, job.id)
    assert [i.state for i in items] == ["done"] * total
    assert all(i.message and f"Lead {i.seq:03d}" in i.message for i in items)
    assert {s: i.message for s, i in ((i.seq, i) for i in items) if s in kept} == kept
    rows = read_out(out)
    assert [r["Nome"] for r in rows] == [f"Lead {i:03d}" for i in range(total)]
    assert [r["message"] for r in rows] == [i.message for i in items]  # one message per lead
    calls = generations(emulator, "local")
    # One call per lead, plus at most the calls in flight at each kill (their answers were
    # lost with the process; one recorded before the kill is answered from the cache).
    assert total <= calls <= total + 2 * concurrency
    assert calls_at_first_kill <= calls_at_second_kill <= calls
