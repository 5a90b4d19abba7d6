"""Cold start of `aidesk --smoke` against a bare PySide6 window started the same way.

Each run is a new process (fresh data dir for AIDesk); the figure is the time from
process start to the window shown, as each process reports it. Runs alternate.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOWN = re.compile(r"window shown in (\d+) ms")
READY = re.compile(r"core ready in (\d+) ms")
TAB = re.compile(r"first tab built in (\d+) ms")


def start(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                         timeout=120, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


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
            bare.append(float(SHOWN.search(start(["bench/bare_window.py"], base))[1]))
            env = base | {"AIDESK_DATA_DIR": str(Path(tmp) / f"data{i}")}
            out = start(["-m", "aidesk", "--smoke"], env)
            app.append(float(SHOWN.search(out)[1]))
            ready.append(float(READY.search(out)[1]))
            tab.append(float(TAB.search(out)[1]))
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
