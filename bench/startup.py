"""Cold starts: the desktop app against a bare PySide6 window, and a one-shot `aidesk ask`
against a plain openai-SDK script making the same call.

Every run is a new Python process (no shared interpreter), and the two sides of a figure
alternate, so both see the same machine state.

Desktop: `aidesk --smoke` (fresh data dir each run) against `bench/bare_window.py`; the
figure is the wall-clock time from just before the process is spawned to the window
shown (each process prints the epoch time of its marks).

CLI: the provider emulator runs in its own process (bench/router.py's RemoteEmulator),
the `local` provider points at it in a temporary AIDESK_DATA_DIR, then each pair runs
`bench/raw_ask.py` (the openai SDK's sync client: one chat call, same model, max_tokens and
prompt) and `python -m aidesk ask --no-cache PROMPT`, in alternating order; the figure is
the median of the pairs' wall-time ratios, spawn to exit. `python -m aidesk`, not the
`aidesk` console script: it starts the same interpreter the same way as the baseline and
needs no installed wrapper (the wrapper itself would only skip runpy, slightly faster).
Both figures read bytecode from a private cache (PYTHONPYCACHEPREFIX in the temp dir, filled
by one warm-up run of each) as an installed package or the bundle does; with
`--no-bytecode-cache` they run as this checkout does under PYTHONDONTWRITEBYTECODE=1, where
AIDesk's own modules are compiled on every start (the SDK's are cached in site-packages).

    python bench/startup.py [--runs 11] [--only desktop|cli] [--no-bytecode-cache]
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
PROMPT = "Três slogans para uma padaria artesanal"
CLI_TARGET = 1.2
DESKTOP_TARGET = 1.5


def start(args: list[str], env: dict[str, str]) -> list[float]:
    """Milliseconds from spawn to each mark the process prints."""
    spawned = time.time()
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                         timeout=120, cwd=ROOT)
    found = EPOCHS.search(out.stdout)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(args)} failed: {out.stderr.strip()}")
    return [(float(mark) - spawned) * 1000 for mark in found[1].split()]


def run(args: list[str], env: dict[str, str]) -> float:
    """Milliseconds from spawn to exit of `python ARGS` (which must succeed)."""
    began = time.perf_counter()
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                         timeout=120, cwd=ROOT)
    took = (time.perf_counter() - began) * 1000
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed: {out.stderr.strip()}")
    return took


def report(name: str, value: float, unit: str, target: str, ok: bool = True) -> bool:
    print(f"{name}: {value:.{2 if unit == 'x' else 0}f} {unit} ({target}) "
          f"{'ok' if ok else 'MISS'}")
    return ok


def bytecode(env: dict[str, str], tmp: str, cached: bool) -> dict[str, str]:
    """`env` reading bytecode from a private cache in `tmp` (as an installed package or the
    bundle does), or compiling AIDesk's modules on every start (`cached` False)."""
    if cached:
        env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
    return env


def desktop(runs: int, bytecode_cache: bool) -> bool:
    bare: list[float] = []
    app: list[float] = []
    ready: list[float] = []
    tab: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = bytecode({**os.environ, "QT_QPA_PLATFORM": "offscreen",
                         "XDG_CONFIG_HOME": str(Path(tmp) / "config")}, tmp, bytecode_cache)
        start(["bench/bare_window.py"], base)  # warm the OS file cache for both
        start(["-m", "aidesk", "--smoke"], base | {"AIDESK_DATA_DIR": str(Path(tmp) / "w")})
        for i in range(runs):
            bare.append(start(["bench/bare_window.py"], base)[0])
            env = base | {"AIDESK_DATA_DIR": str(Path(tmp) / f"data{i}")}
            shown, built, core = start(["-m", "aidesk", "--smoke"], env)
            app.append(shown)
            tab.append(built)
            ready.append(core)
    ratio = statistics.median(app) / statistics.median(bare)
    report("bare PySide6 window shown, median", statistics.median(bare), "ms",
           "target: baseline")
    report("aidesk window shown, median", statistics.median(app), "ms", "target: report")
    report("aidesk first tab built, median", statistics.median(tab), "ms", "target: report")
    report("aidesk core ready, median", statistics.median(ready), "ms", "target: report")
    return report("startup ratio aidesk/bare", ratio, "x", f"target <= {DESKTOP_TARGET}",
                  ratio <= DESKTOP_TARGET)


def cli(runs: int, bytecode_cache: bool) -> bool:
    from router import RemoteEmulator  # bench/router.py: this script's folder is sys.path[0]

    from aidesk.providers import PROVIDERS

    with tempfile.TemporaryDirectory() as tmp, RemoteEmulator() as emu:
        env = bytecode({**os.environ, "AIDESK_DATA_DIR": str(Path(tmp) / "data"),
                        "XDG_CONFIG_HOME": str(Path(tmp) / "config")}, tmp, bytecode_cache)
        url = emu.base_url("local")
        run(["-m", "aidesk", "config", "set", "providers.local.base_url", url], env)
        run(["-m", "aidesk", "config", "set", "fallback", "local"], env)
        raw_args = ["bench/raw_ask.py", url, PROMPT, PROVIDERS["local"].default_model]
        cli_args = ["-m", "aidesk", "ask", "--no-cache", PROMPT]
        run(raw_args, env)  # warm-up: OS file cache, bytecode cache, the daily backup
        run(cli_args, env)
        raw: list[float] = []
        ours: list[float] = []
        for i in range(runs):
            if i % 2 == 0:
                raw.append(run(raw_args, env))
                ours.append(run(cli_args, env))
            else:
                ours.append(run(cli_args, env))
                raw.append(run(raw_args, env))
    ratio = statistics.median(o / r for o, r in zip(ours, raw, strict=True))
    report("raw sdk script (bench/raw_ask.py), median", statistics.median(raw), "ms",
           "target: baseline")
    report("cli ask (python -m aidesk ask --no-cache), median", statistics.median(ours), "ms",
           "target: report")
    return report("cli ask / raw sdk script, median of pair ratios", ratio, "x",
                  f"target <= {CLI_TARGET}", ratio <= CLI_TARGET)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--only", choices=["desktop", "cli"])
    parser.add_argument("--no-bytecode-cache", action="store_true",
                        help="CLI runs compile AIDesk's modules each time (see the docstring)")
    args = parser.parse_args()
    ok = True
    if args.only in (None, "desktop"):
        ok &= desktop(args.runs, not args.no_bytecode_cache)
    if args.only in (None, "cli"):
        ok &= cli(args.runs, not args.no_bytecode_cache)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
