"""Bulk messages: 1,000 leads against the emulator in its own process (as bench/router.py
runs it) answering every call after 200 ms, 16 at a time.

- Throughput in messages per second against the bound that concurrency allows
  (16 / 0.2 s = 80/s); at least 0.9 of it is ok. Measured after a warm-up job (SDK import,
  one connection per slot, price tables), on a job of its own: claims, router calls (usage,
  audit and cache rows) and each message's own transaction included.
- The router's added latency per call under that load: the median of each call's wall
  time (Router.ask, as the runner measures it) minus the emulator's 200 ms.
- SQLite: the time the bulk tables' writes take per message (the claim and the answer's
  transaction, each its own), and their share of the run's wall time: they must not be
  what bounds the throughput.
- With `limits.requests_per_hour` at 300, a fresh job of 1,000 in another workspace (no
  request counted yet this hour, another brief so no cached answer helps): exactly 300
  messages written, 700 left pending, and the run's stop naming the limit.

    python bench/bulk.py [--leads 1000] [--concurrency 16] [--latency 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = ("Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gabriela", "Heitor", "Iara",
         "João", "Karen", "Lucas", "Marina", "Nuno", "Olga", "Paulo", "Rafael", "Sara")
LAST = ("Lima", "Alves", "Dias", "Rocha", "Melo", "Reis", "Nunes", "Pires", "Costa", "Prado")
BRIEF = ("Convide {nome}, da {empresa}, para a semana de ofertas de {cidade}: desconto de "
         "20% em toda a loja. Tom próximo, até 3 frases, para WhatsApp.")


def write_leads(path: Path, count: int) -> Path:
    lines = ["Nome;Empresa;Cidade;Idioma"]
    for i in range(count):
        name = f"{FIRST[i % len(FIRST)]} {LAST[i // len(FIRST) % len(LAST)]} {i}"
        lines.append(f"{name};Empresa {i};Cidade {i % 40};{'en' if i % 10 == 9 else 'pt'}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def line(name: str, value: float, unit: str, target: str, ok: bool | None) -> bool:
    verdict = "" if ok is None else (" ok" if ok else " MISS")
    print(f"{name}: {value:.2f} {unit} ({target}){verdict}")
    return ok is not False


class Timed:
    """Wall time of each call of a function (the bulk tables' writes)."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name = module, name
        self.original: Callable[..., Any] = getattr(module, name)
        self.times: list[float] = []

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.times.append((time.perf_counter() - began) * 1000)

        setattr(module, name, timed)


def main() -> int:
    parser = argparse.ArgumentParser(description="Bulk-message benchmark.")
    parser.add_argument("--leads", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per call")
    parser.add_argument("--limit", type=int, default=300, help="requests_per_hour")
    args = parser.parse_args()

    from aidesk.features import bulk_jobs, bulk_run
    from aidesk.features.bulk import read_leads_file
    from tests.emulator.remote import RemoteEmulator
    from tests.support import configure, make_core

    with tempfile.TemporaryDirectory() as tmp, RemoteEmulator() as emu:
        folder = Path(tmp)
        core = make_core(folder / "data")
        ws = core.workspaces.get()
        configure(core, ws, emu, "openai")
        emu.latency("openai", args.latency)
        warm = read_leads_file(write_leads(folder / "warm.csv", args.concurrency * 2))
        leads = read_leads_file(write_leads(folder / "leads.csv", args.leads))
        warm_job = bulk_jobs.create_job(core.db, ws.tenant_id, warm, "Aquecimento: " + BRIEF)
        job = bulk_jobs.create_job(core.db, ws.tenant_id, leads, BRIEF)
        # The limit part in a workspace of its own: the hour's requests so far are others'.
        other = core.workspaces.add("Limite")
        configure(core, other, emu, "openai")
        core.workspaces.set_limit(other.tenant_id, "requests_per_hour", args.limit)
        limited = bulk_jobs.create_job(core.db, other.tenant_id, leads,
                                       "Outra campanha: " + BRIEF)
        claims = Timed(bulk_jobs, "claim")
        finishes = Timed(bulk_jobs, "finish")

        async def measure() -> tuple[Any, float, Any]:
            try:
                await bulk_run.run_job(core.router, core.db, ws, warm_job.id,
                                       concurrency=args.concurrency)
                claims.times.clear()
                finishes.times.clear()
                began = time.perf_counter()
                report = await bulk_run.run_job(core.router, core.db, ws, job.id,
                                                concurrency=args.concurrency)
                seconds = time.perf_counter() - began
                stopped = await bulk_run.run_job(core.router, core.db, other, limited.id,
                                                 concurrency=args.concurrency)
                return report, seconds, stopped
            finally:
                await core.router.aclose()

        report, seconds, stopped = asyncio.run(measure())
        left = bulk_jobs.counts(core.db, limited.id)
        core.close()

    bound = args.concurrency / args.latency
    rate = report.written / seconds
    added = statistics.median(report.latencies_ms) - args.latency * 1000
    writes = [c + f for c, f in zip(claims.times, finishes.times, strict=False)]
    share = (sum(claims.times) + sum(finishes.times)) / (seconds * 1000)
    print(f"bulk: {report.written} of {args.leads} messages in {seconds:.2f} s, "
          f"{args.concurrency} at a time, {args.latency * 1000:.0f} ms per call "
          f"(emulator in its own process)")
    ok = report.status == "done" and report.written == args.leads
    ok = line(f"bulk {args.leads} leads throughput", rate, "msg/s",
              f"bound {bound:.0f} msg/s; {rate / bound:.2f}x, target >= 0.9x",
              rate >= 0.9 * bound) and ok
    ok = line("router added latency per call under load, median", added, "ms",
              f"over the emulator's {args.latency * 1000:.0f} ms; target < 20 ms",
              added < 20) and ok
    line("bulk tables' writes per message (claim + answer), median",
         statistics.median(writes), "ms", "report only", None)
    ok = line("bulk tables' writes, share of the run's wall time", share * 100, "%",
              "target < 10 %", share < 0.10) and ok
    named = stopped.stop is not None and "requests per hour" in stopped.stop.user_message
    exact = (stopped.written == args.limit and left.pending == args.leads - args.limit
             and left.failed == 0 and named)
    reason = stopped.stop.user_message if stopped.stop is not None else "(no stop)"
    print(f"limit: requests_per_hour {args.limit}: {stopped.written} messages written, "
          f"{left.pending} refused and left pending; the run said: {reason}")
    print(f"limit {args.limit}/hour on {args.leads} leads: {stopped.written} written, "
          f"{left.pending} refused with the limit named (target {args.limit} and "
          f"{args.leads - args.limit}) {'ok' if exact else 'MISS'}")
    return 0 if ok and exact else 1


if __name__ == "__main__":
    sys.exit(main())
