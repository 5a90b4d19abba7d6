"""Cold start of `aidesk --smoke` against a bare PySide6 window started the same way.

Each run is a new process (fresh data dir for AIDesk); the figure is the wall-clock time
from just before the process is spawned to the window shown (each process prints the
epoch time of its marks). Runs alternate, so both see the same machine state.

    python bench/startup.py [--runs 11]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EPOCHS = re.compile(r"^epochs: ([\d. ]+)$", re.MULTILINE)


def start(args: list[str], env: dict[str, str]) -> list[float]:
    """Milliseconds from spawn to each mark the process prints."""
    spawned = time.time()
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                         timeout=120, cwd=ROOT)
    found = EPOCHS.search(out.stdout)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(args)} failed: {out.stderr.strip()}")
    return [(float(mark) - spawned) * 1000 for mark in found[1].split()]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs
    bare: list[float] = []
    app: list[float] = []
    ready: list[float] = []
    tab: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
                "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        start(["bench/bare_window.py"], base)  # warm the OS file cache for both
        for i in range(runs):
            bare.append(start(["bench/bare_window.py"], base)[0])
            env = base | {"AIDESK_DATA_DIR": str(Path(tmp) / f"data{i}")}
            shown, built, core = start(["-m", "aidesk", "--smoke"], env)
            app.append(shown)
            tab.append(built)
            ready.append(core)
    ratio = statistics.median(app) / statistics.median(bare)
    print(f"bare PySide6 window shown, median: {statistics.median(bare):.0f} ms "
          "(target: baseline) ok")
    print(f"aidesk window shown, median: {statistics.median(app):.0f} ms (target: report) ok")
    print(f"aidesk first tab built, median: {statistics.median(tab):.0f} ms "
          "(target: report) ok")
    print(f"aidesk core ready, median: {statistics.median(ready):.0f} ms (target: report) ok")
    ok = ratio <= 1.5
    print(f"startup ratio aidesk/bare: {ratio:.2f} x (target <= 1.5) {'ok' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
