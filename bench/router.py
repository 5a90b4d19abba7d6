"""Router overhead over a raw SDK call to the same emulator.

The emulator runs in its own process (as a provider would), so it does not compete with
the client for the GIL. Raw openai-SDK calls and routed calls alternate in one run, so
both see the same machine state; the figure is the median (and p95) of the paired
differences. A cache hit makes no SDK call: its whole latency is router overhead.

    python bench/router.py [--calls 400]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aidesk.core import Core
from aidesk.workspaces import Workspace
from tests.emulator.remote import RemoteEmulator
from tests.support import configure, make_core


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def line(name: str, value: float, target: float | None) -> bool:
    ok = target is None or value < target
    goal = f"target < {target:g} ms" if target is not None else "target: report only"
    print(f"{name}: {value:.3f} ms ({goal}) {'ok' if ok else 'MISS'}")
    return ok


async def measure(
    core: Core, ws: Workspace, emu: RemoteEmulator, calls: int
) -> dict[str, list[float]]:
    import openai

    raw = openai.AsyncOpenAI(api_key=emu.key("openai"), base_url=emu.base_url("openai"),
                             max_retries=0)
    router = core.router
    out: dict[str, list[float]] = {"raw": [], "miss": [], "miss_limits": [], "hit": []}

    async def raw_call(i: int) -> float:
        start = time.perf_counter()
        await raw.chat.completions.create(model="gpt-4o-mini", max_tokens=1024,
                                          messages=[{"role": "user", "content": f"raw {i}"}])
        return (time.perf_counter() - start) * 1000

    async def routed(prompt: str) -> float:
        start = time.perf_counter()
        await router.ask(ws, prompt)
        return (time.perf_counter() - start) * 1000

    for i in range(30):  # warm up: imports, connection pools, statement caches, price tables
        await raw_call(i)
        await routed(f"warm {i}")
    await routed("the cached prompt")
    for phase in ("miss", "miss_limits"):
        if phase == "miss_limits":
            core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 1_000_000)
            core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 10**12)
            core.workspaces.set_limit(ws.tenant_id, "cost_per_month", 10**6)
        for i in range(calls):
            base = await raw_call(i)
            out["raw"].append(base)
            out[phase].append(await routed(f"{phase} {i}") - base)
    for _ in range(calls):
        out["hit"].append(await routed("the cached prompt"))
    await raw.close()
    await router.aclose()
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, RemoteEmulator() as emu:
        core = make_core(Path(tmp))
        ws = core.workspaces.get()
        configure(core, ws, emu, "openai")
        results = asyncio.run(measure(core, ws, emu, args.calls))
        core.close()
    ok = [
        line("raw sdk call median (baseline)", statistics.median(results["raw"]), None),
        line("router added, cache miss, median", statistics.median(results["miss"]), 2.0),
        line("router added, cache miss, p95", pct(results["miss"], 0.95), None),
        line("router added, miss with limits, median",
             statistics.median(results["miss_limits"]), 2.0),
        line("router added, miss with limits, p95", pct(results["miss_limits"], 0.95), None),
        line("router cache hit, median", statistics.median(results["hit"]), 1.0),
        line("router cache hit, p95", pct(results["hit"], 0.95), None),
    ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
