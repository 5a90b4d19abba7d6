"""Bulk messages through the router, the real SDKs and the emulator: preview and estimate,
languages, a 429 with retry-after in the middle of a batch (the provider paused, not
hammered; the other provider of the order used meanwhile), workspace limits stopping the
run cleanly, pause, resume and cancel."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from aidesk.core import Core
from aidesk.features import bulk_control, bulk_run
from aidesk.features import bulk_jobs as jobs
from aidesk.features.bulk import read_leads_file
from aidesk.features.bulk_estimate import estimate
from aidesk.features.bulk_jobs import Job
from aidesk.workspaces import Workspace
from tests.bulk_support import write_csv, writer
from tests.support import configure

T = TypeVar("T")
NAMES = ("Ana Lima", "Bruno Alves", "Carla Dias", "Diego Rocha", "Elisa Melo", "Fábio Reis",
         "Gabriela Nunes", "Heitor Pires", "Iara Costa", "João Prado", "Karen Souza",
         "Lucas Moura", "Marina Teixeira", "Nuno Faria", "Olga Ramos", "Paulo Brito",
         "Quésia Lopes", "Rafael Cunha", "Sara Vieira", "Tiago Campos")


def run(core: Core, coro: Coroutine[Any, Any, T]) -> T:
    async def main() -> T:
        try:
            return await coro
        finally:
            await core.router.aclose()

    return asyncio.run(main())


def make_job(core: Core, ws: Workspace, tmp_path: Path, count: int = 10,
             brief: str = "Convide {nome} ({empresa}) para a promoção de Páscoa.",
             languages: dict[int, str] | None = None) -> Job:
    rows = [(NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else f" {i}"), f"Empresa {i}",
             (languages or {}).get(i, "")) for i in range(count)]
    path = write_csv(tmp_path / "leads.csv", ("Nome", "Empresa", "Idioma"), rows)
    return jobs.create_job(core.db, ws.tenant_id, read_leads_file(path), brief)


def generations(emulator: Any, provider: str) -> int:
    return sum(1 for r in emulator.requests_for(provider) if r.method == "POST")


@pytest.fixture(autouse=True)
def no_pauses() -> Iterator[None]:
    """Rate-limit pauses are per process and workspace: none leaks into another test."""
    bulk_control._paused.clear()
    yield
    bulk_control._paused.clear()


@pytest.fixture
def openai(core: Core, ws: Workspace, emulator: Any) -> Any:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", writer)
    return emulator


def test_preview_estimate_then_the_run_reuses_the_preview(core: Core, ws: Workspace,
                                                          openai: Any, tmp_path: Path) -> None:
    job = make_job(core, ws, tmp_path, 10, languages={1: "en", 2: "es"})
    shown = run(core, bulk_run.preview(core.router, core.db, ws, job.id))
    assert [i.seq for i in sorted(shown.items, key=lambda i: i.seq)] == [0, 1, 2]
    by_seq = {i.seq: i.message for i in shown.items}
    assert by_seq[0] == ("[Brazilian Portuguese (pt-BR)] Ana Lima: Convide Ana Lima (Empresa 0) "
                         "para a promoção de Páscoa.")
    assert by_seq[1] is not None and by_seq[1].startswith("[English] Bruno Alves")
    assert by_seq[2] is not None and by_seq[2].startswith("[Spanish] Carla Dias")
    assert shown.status == "ready" and jobs.get_job(core.db, job.id).status == "ready"

    cost = estimate(core.router, core.db, ws, jobs.get_job(core.db, job.id), shown.samples)
    assert (cost.provider, cost.leads, cost.written, cost.calibrated) == ("openai", 7, 3, True)
    assert cost.model == core.workspaces.config(ws.tenant_id, "openai").model
    assert cost.cost_usd is not None and cost.cost_usd > 0 and cost.spent_usd is not None
    # the emulator counts a token per word: the estimate is measured on the preview's usage
    assert 7 * 20 < cost.prompt_tokens < 7 * 120
    text = cost.describe()
    assert text.startswith("Estimated cost of the 7 messages still to write: US$")
    assert "The 3 messages already written cost" in text

    report = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=4))
    assert (report.status, report.written, report.failed) == ("done", 7, 0)
    assert generations(openai, "openai") == 10  # one call per lead: the preview's kept
    items = jobs.items(core.db, job.id)
    assert [i.state for i in items] == ["done"] * 10
    assert {i.seq: i.message for i in items if i.seq < 3} == by_seq
    assert all(i.provider == "openai" and i.cost_usd for i in items)
    done = jobs.get_job(core.db, job.id)
    assert done.status == "done" and done.counts == jobs.Counts(done=10)


def test_an_unknown_price_is_said_so(core: Core, ws: Workspace, emulator: Any,
                                     tmp_path: Path) -> None:
    emulator.add_model("openai", "gpt-emulated-x")
    configure(core, ws, emulator, "openai")
    core.workspaces.update_config(ws.tenant_id, "openai", model="gpt-emulated-x")
    job = make_job(core, ws, tmp_path, 4)
    shown = run(core, bulk_run.preview(core.router, core.db, ws, job.id))
    cost = estimate(core.router, core.db, ws, jobs.get_job(core.db, job.id), shown.samples)
    assert cost.cost_usd is None
    assert "whose price is unknown (no cost can be estimated)" in cost.describe()


def test_a_429_pauses_that_provider_for_its_retry_after(core: Core, ws: Workspace,
                                                        openai: Any, tmp_path: Path) -> None:
    job = make_job(core, ws, tmp_path, 20)
    calls: list[float] = []
    lock = threading.Lock()

    def answer(prompt: str, schema: Any) -> str:
        with lock:
            calls.append(time.monotonic())
            if len(calls) == 6:  # in the middle of the batch: the next request gets a 429
                openai.fault("openai", "rate_limit", retry_after=1.5, times=1)
        return writer(prompt, schema)

    openai.replier("openai", answer)
    report = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=4))
    assert report.status == "done" and report.written == 20
    assert [(p, round(s, 1)) for p, _at, s in report.pauses] == [("openai", 1.5)]
    _provider, paused_at, seconds = report.pauses[0]
    # The 3 other workers' calls already on their way may land just after the 429; then
    # nothing until the pause ends.
    landing = [t for t in calls if paused_at < t <= paused_at + 0.25]
    assert len(landing) <= 3
    assert [t for t in calls if paused_at + 0.25 < t < paused_at + seconds - 0.05] == []
    assert any(t >= paused_at + seconds for t in calls)
    assert generations(openai, "openai") == 21  # each lead once, plus the refused request
    assert all(i.state == "done" for i in jobs.items(core.db, job.id))


def test_while_paused_the_next_provider_of_the_order_writes(core: Core, ws: Workspace,
                                                            emulator: Any,
                                                            tmp_path: Path) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    latency = 0.05
    arrived: list[float] = []  # when each answered openai request reached the server

    def answer(prompt: str, schema: Any) -> str:
        arrived.append(time.monotonic() - latency)
        return writer(prompt, schema)

    emulator.replier("openai", answer)
    emulator.replier("anthropic", writer)
    emulator.latency("openai", latency)
    emulator.latency("anthropic", latency)
    emulator.fault("openai", "rate_limit", retry_after=30, times=1)
    job = make_job(core, ws, tmp_path, 12)
    report = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=3))
    assert report.status == "done" and report.written == 12
    [(provider, paused_at, seconds)] = report.pauses
    assert (provider, seconds) == ("openai", 30)
    # The three workers started on openai together and one got the 429; a worker whose
    # answer came back before that 429 was read may have asked once more. Once the pause
    # was known, openai was never asked again: anthropic, next in the order, wrote the rest.
    assert all(t < paused_at + 0.02 for t in arrived)
    openai_calls = generations(emulator, "openai")
    assert 3 <= openai_calls <= 5
    by = [i.provider for i in jobs.items(core.db, job.id)]
    assert by.count("openai") == openai_calls - 1
    assert by.count("anthropic") == generations(emulator, "anthropic") == 13 - openai_calls
    assert bulk_control.paused_for(ws.tenant_id, "openai") > 20


def test_a_workspace_limit_stops_the_run_cleanly(core: Core, ws: Workspace, openai: Any,
                                                 tmp_path: Path) -> None:
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 5)
    openai.latency("openai", 0.05)
    job = make_job(core, ws, tmp_path, 12)
    report = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=4))
    assert report.status == "stopped" and report.written == 5
    assert report.stop is not None
    reason = report.stop.user_message
    assert reason.startswith("Workspace limit reached: requests per hour is 5 (used 5). It "
                             "resets at ")
    stored = jobs.get_job(core.db, job.id)
    assert stored.status == "stopped" and stored.stop_reason == reason
    assert stored.counts == jobs.Counts(pending=7, done=5)  # nothing lost, nothing failed
    assert generations(openai, "openai") == 5
    assert [j.id for j in jobs.resumable(core.db)] == [job.id]  # offered when the app opens

    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", None)
    again = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=4))
    assert again.status == "done" and again.written == 7
    assert generations(openai, "openai") == 12


def test_pause_resume_and_cancel(core: Core, ws: Workspace, openai: Any,
                                 tmp_path: Path) -> None:
    openai.latency("openai", 0.1)
    job = make_job(core, ws, tmp_path, 20)
    seen: list[bulk_control.RunProgress] = []

    async def steer() -> bulk_control.RunReport:
        control = bulk_control.Control()
        task = asyncio.create_task(bulk_run.run_job(
            core.router, core.db, ws, job.id, concurrency=2, control=control,
            progress=seen.append))
        await _until(lambda: bool(seen) and seen[-1].counts.done >= 4)
        control.pause()
        assert jobs.get_job(core.db, job.id).status == "paused"
        await asyncio.sleep(0.3)  # the two calls in flight end, no new one starts
        held = jobs.counts(core.db, job.id)
        await asyncio.sleep(0.4)
        assert jobs.counts(core.db, job.id) == held and held.running == 0
        assert seen[-1].paused
        control.resume()
        await _until(lambda: seen[-1].counts.done >= held.done + 4)
        assert seen[-1].per_second is not None and seen[-1].eta_s is not None
        control.cancel()
        return await task

    report = run(core, steer())
    assert report.status == "cancelled"
    left = jobs.get_job(core.db, job.id)
    assert left.status == "cancelled" and left.counts.running == 0
    assert left.counts.pending > 0 and left.counts.done == report.written
    assert generations(openai, "openai") == report.written


def test_one_failing_lead_does_not_stop_the_others(core: Core, ws: Workspace, openai: Any,
                                                   tmp_path: Path) -> None:
    job = make_job(core, ws, tmp_path, 5)
    openai.fault("openai", "bad_request", times=1)
    report = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=1))
    assert (report.status, report.written, report.failed) == ("done", 4, 1)
    [failed] = [i for i in jobs.items(core.db, job.id) if i.state == "failed"]
    assert failed.error is not None
    assert failed.error.lower().startswith("openai: the request was refused")
    assert failed.provider == "openai"


async def _until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


_DIES_AFTER_THE_ANSWER = """
import asyncio, os, sys
from pathlib import Path
from aidesk.core import open_core
from aidesk.features import bulk_jobs, bulk_run

written = 0
real = bulk_jobs.finish

def finish(*args, **kwargs):
    global written
    written += 1
    if written == 3:  # the answer is recorded (and cached): die before the lead's row
        os._exit(9)
    return real(*args, **kwargs)

bulk_jobs.finish = finish
core = open_core(Path(sys.argv[1]))
asyncio.run(bulk_run.run_job(core.router, core.db, core.workspaces.get(), sys.argv[2],
                             concurrency=1))
"""


def test_a_lead_answered_but_not_written_is_answered_from_the_cache(
        core: Core, ws: Workspace, emulator: Any, tmp_path: Path, data_dir: Path) -> None:
    import subprocess
    import sys

    configure(core, ws, emulator, "local")  # no key: the child needs no keyring
    emulator.replier("local", writer)
    job = make_job(core, ws, tmp_path, 6)
    child = subprocess.run([sys.executable, "-c", _DIES_AFTER_THE_ANSWER, str(data_dir),
                            job.id], cwd=Path(__file__).parent.parent, capture_output=True,
                           text=True, timeout=60)
    assert child.returncode == 9, child.stderr
    assert generations(emulator, "local") == 3
    left = jobs.get_job(core.db, job.id)
    assert left.counts == jobs.Counts(pending=3, running=1, done=2)
    report = run(core, bulk_run.run_job(core.router, core.db, ws, job.id, concurrency=1))
    assert report.status == "done" and report.written == 4
    # The third lead's answer was recorded before the process died: the router's cache
    # gives it back, so the provider is not asked again.
    assert generations(emulator, "local") == 6
    third = jobs.items(core.db, job.id)[2]
    assert third.state == "done" and third.message is not None
    assert third.message.startswith("[Brazilian Portuguese (pt-BR)] Carla Dias")


def test_the_estimate_names_a_limit_the_batch_will_reach(core: Core, ws: Workspace,
                                                         openai: Any, tmp_path: Path) -> None:
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 6)
    job = make_job(core, ws, tmp_path, 12)
    shown = run(core, bulk_run.preview(core.router, core.db, ws, job.id))
    found = estimate(core.router, core.db, ws, jobs.get_job(core.db, job.id), shown.samples)
    [note] = found.notes
    assert note.startswith("The workspace limit requests per hour (6) will stop the batch "
                           "after about 3 messages; it resets at ")
    assert found.describe().endswith(note)
