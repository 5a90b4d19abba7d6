"""The packaged app (dist/aidesk/, from scripts/build) against the same app from source.

Cold starts alternate between `dist/aidesk/aidesk --smoke` and `python -m aidesk --smoke`
(offscreen, a fresh data folder each, so each opens and migrates a new database), so both
see the same machine state. Figures: the bundle's size on disk, the packaged window shown
(median, and its ratio to the source median), the packaged core ready (median).

    python bench/package.py [--runs 5] [--bundle dist/aidesk]
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
MB = 1024 * 1024
# 250 MB until issue 9, whose language detector (lingua) compiles the models of all 75
# languages into one 96 MB binary that cannot be trimmed to our five (lingua 1.x, one file
# per language in pure Python, took 15 s instead of 1.3 s to label 50,000 messages here);
# then issue 10's meeting recordings brought PyAV, FFmpeg's decoders for every format the
# users record in (m4a, webm, opus, mp3), 104 MB of which the video codecs FFmpeg links to
# cannot be left out; then issue 11's charts brought pyqtgraph, which needs numpy (42 MB
# with its BLAS) and Qt's OpenGL module. The biggest parts are printed beside the figure.
MAX_BUNDLE_MB = 480


def cold_start(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(window shown, core ready) in ms from just before the process was spawned."""
    spawned = time.time()
    out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                         cwd=ROOT)
    found = EPOCHS.search(out.stdout)
    if out.returncode != 0 or found is None:
        raise SystemExit(f"{' '.join(command)} failed ({out.returncode}): {out.stderr.strip()}")
    marks = [(float(mark) - spawned) * 1000 for mark in found[1].split()]
    return marks[0], marks[-1]


def size_of(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and not f.is_symlink())


def biggest(folder: Path, count: int = 6) -> str:
    """The largest top-level parts of the bundle's _internal folder, e.g. `lingua 96 MB`."""
    inner = folder / "_internal" if (folder / "_internal").is_dir() else folder
    parts = [(size_of(p) if p.is_dir() else p.lstat().st_size, p.name)
             for p in inner.iterdir() if not p.is_symlink()]
    top = sorted(parts, reverse=True)[:count]
    return ", ".join(f"{name} {size / MB:.0f} MB" for size, name in top)


def line(name: str, value: float, unit: str, target: str, ok: bool) -> bool:
    print(f"{name}: {value:.2f} {unit} ({target}) {'ok' if ok else 'MISS'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "aidesk")
    args = parser.parse_args()
    exe = args.bundle / "aidesk"
    if not exe.exists():
        raise SystemExit(f"{exe} does not exist: build it with scripts/build")
    packaged: list[tuple[float, float]] = []
    source: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
                "XDG_CONFIG_HOME": str(Path(tmp) / "config")}
        for i in range(args.runs + 1):  # the first pair warms the OS file cache: not counted
            env = base | {"AIDESK_DATA_DIR": str(Path(tmp) / f"p{i}")}
            p = cold_start([str(exe), "--smoke"], env)
            env = base | {"AIDESK_DATA_DIR": str(Path(tmp) / f"s{i}")}
            s = cold_start([sys.executable, "-m", "aidesk", "--smoke"], env)
            if i:
                packaged.append(p)
                source.append(s)
    shown = statistics.median(p[0] for p in packaged)
    shown_src = statistics.median(s[0] for s in source)
    ready = statistics.median(p[1] for p in packaged)
    size = size_of(args.bundle) / MB
    print(f"largest parts: {biggest(args.bundle)}")
    ok = [
        line("bundle size", size, "MB", f"target <= {MAX_BUNDLE_MB}", size <= MAX_BUNDLE_MB),
        line("source window shown, median", shown_src, "ms", "baseline", True),
        line("packaged window shown, median", shown, "ms", "report", True),
        line("packaged / source window shown", shown / shown_src, "x", "target <= 1.5",
             shown / shown_src <= 1.5),
        line("packaged core ready, median", ready / 1000, "s", "target <= 2", ready <= 2000),
    ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
