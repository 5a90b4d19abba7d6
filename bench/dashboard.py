"""The Usage tab at a million rows: chart refresh over 90 days, peak memory, and the router's
time per call on that database against an empty one in the same run.

    python bench/dashboard.py [--db SEEDED.db] [--rows 1000000] [--calls 200]

Without --db a fresh database is seeded (bench/seed.py, in its own process so its memory
does not count). Each figure prints as `figure: value unit (target …) ok|MISS`; the exit
status is 1 when any target is missed. The Audit tab's figures (first page, filter change,
text search, CSV export, its peak memory) come from bench/audit.py, run on the same
database in a process of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from aidesk.core import Core
from aidesk.features import usage_stats
from aidesk.workspaces import Workspace
from tests.emulator.remote import RemoteEmulator
from tests.support import configure, make_core

SEED = Path(__file__).resolve().parent / "seed.py"
WORKSPACE = "Seed Agency"


def line(name: str, value: float, unit: str, target: str, ok: bool) -> bool:
    print(f"{name}: {value:,.1f} {unit} (target {target}) {'ok' if ok else 'MISS'}")
    return ok


def seeded(folder: Path, rows: int) -> Path:
    path = folder / "aidesk.db"
    subprocess.run([sys.executable, str(SEED), str(path), "--usage", str(rows),
                    "--audit", str(rows), "--workspace", WORKSPACE], check=True)
    return path


def chart_refresh_ms(core: Core, ws: Workspace, runs: int = 7) -> tuple[float, float]:
    """(query, query + drawing every chart) for the last 90 local days, median ms."""
    from PySide6.QtWidgets import QApplication

    from aidesk.ui.bridge import CoreBridge
    from aidesk.ui.context import UiContext
    from aidesk.ui.messages import Messenger
    from aidesk.ui.usage.tab import UsageTab

    app = QApplication.instance() or QApplication([])
    tab = UsageTab(UiContext(CoreBridge(lambda: core), Messenger()))
    tab.resize(1200, 900)
    tab.show()
    today = datetime.now().astimezone().date()
    query = usage_stats.Query(ws.tenant_id, today - timedelta(days=89), today)
    queries, totals = [], []
    for _ in range(runs):
        start = time.perf_counter()
        with core.db.reading() as conn:
            figures = usage_stats.figures(conn, query, datetime.now(UTC))
        queried = time.perf_counter()
        tab.show_figures(figures)
        app.processEvents()
        queries.append((queried - start) * 1000)
        totals.append((time.perf_counter() - start) * 1000)
    tab.close()
    return statistics.median(queries), statistics.median(totals)


async def routed_ms(core: Core, ws: Workspace, calls: int) -> float:
    """Median wall time of a routed call (cache miss, limits set) to the emulator."""
    router = core.router
    times = []
    for i in range(calls + 20):
        start = time.perf_counter()
        await router.ask(ws, f"dashboard bench {i} {time.time_ns()}")
        if i >= 20:  # the first calls warm imports, pools and statement caches
            times.append((time.perf_counter() - start) * 1000)
    await router.aclose()
    return statistics.median(times)


def router_core(folder: Path, emu: RemoteEmulator) -> tuple[Core, Workspace]:
    core = make_core(folder)
    ws = core.workspaces.get(WORKSPACE) if core.workspaces.find(WORKSPACE) else \
        core.workspaces.add(WORKSPACE)
    configure(core, ws, emu, "openai")
    core.workspaces.set_limit(ws.tenant_id, "requests_per_hour", 1_000_000)
    core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 10**12)
    core.workspaces.set_limit(ws.tenant_id, "cost_per_month", 10**6)
    return core, ws


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a database seeded by bench/seed.py")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, RemoteEmulator() as emu:
        big, empty = Path(tmp) / "big", Path(tmp) / "empty"
        big.mkdir()
        empty.mkdir()
        if args.db:
            shutil.copy(args.db, big / "aidesk.db")
        else:
            seeded(big, args.rows)
        core, ws = router_core(big, emu)
        with core.db.raw() as conn:
            rows = conn.execute("SELECT count(*) FROM ai_usage_logs").fetchone()[0]
        print(f"usage rows: {rows:,}")
        query_ms, refresh_ms = chart_refresh_ms(core, ws)
        core_empty, ws_empty = router_core(empty, emu)
        # alternate the two databases so both see the same machine state
        big_ms, empty_ms = [], []
        for _ in range(3):
            big_ms.append(asyncio.run(routed_ms(core, ws, args.calls // 3)))
            empty_ms.append(asyncio.run(routed_ms(core_empty, ws_empty, args.calls // 3)))
        core.close()
        core_empty.close()
        audit = subprocess.run([sys.executable, str(Path(__file__).with_name("audit.py")),
                                "--db", str(big / "aidesk.db")], check=False)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per_big, per_empty = statistics.median(big_ms), statistics.median(empty_ms)
    ok = [
        line("usage figures query, 90 days", query_ms, "ms", "report only", True),
        line("chart refresh, 90 days (query + every chart drawn)", refresh_ms, "ms",
             "≤ 300 ms", refresh_ms <= 300),
        line("peak RSS", rss_mb, "MB", "≤ 400 MB", rss_mb <= 400),
        line("router time per call, empty database", per_empty, "ms", "report only", True),
        line("router time per call, seeded database", per_big, "ms",
             "≤ empty + 1 ms: must not grow with the table", per_big <= per_empty + 1.0),
    ]
    return 0 if all(ok) and audit.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
