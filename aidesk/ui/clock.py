"""Process age, for start-up figures (kept import-free so a bare baseline can use it too)."""

from __future__ import annotations

import os
import time

_IMPORTED = time.perf_counter()


def process_age_ms() -> float:
    """Milliseconds since this process started (Linux /proc; elsewhere since this import)."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
    except (OSError, ValueError, IndexError):
        return (time.perf_counter() - _IMPORTED) * 1000
