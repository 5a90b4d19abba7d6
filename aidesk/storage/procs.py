"""Which process holds a row: its pid and start time, and whether that process still runs.

The start time tells a live process from a new one that reuses a dead one's pid. On
Linux it is field 22 of /proc/<pid>/stat (clock ticks since boot); elsewhere psutil's
`create_time()` when psutil is installed, else unknown (None).
"""

from __future__ import annotations

import os
from pathlib import Path


def start_time(pid: int) -> str | None:
    """An opaque start-time stamp of `pid`, or None when the process is gone or it is unknown."""
    stat = Path(f"/proc/{pid}/stat")
    try:
        raw = stat.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None if _LINUX else _psutil_start(pid)
    fields = raw[raw.rfind(")") + 2:].split()  # fields 3.. (the name may hold spaces)
    if len(fields) < 20 or fields[0] in ("Z", "X"):  # a zombie holds nothing any more
        return None
    return f"linux:{fields[19]}"


def _psutil_start(pid: int) -> str | None:
    try:
        import psutil  # type: ignore[import-untyped]  # optional; not a dependency
    except ImportError:
        return None
    try:
        proc = psutil.Process(pid)
        if proc.status() == psutil.STATUS_ZOMBIE:
            return None
        return f"psutil:{proc.create_time():.3f}"
    except (psutil.Error, OSError):
        return None


_me: tuple[int, str | None] | None = None


def me() -> tuple[int, str | None]:
    """This process: (pid, start time); recomputed after a fork."""
    global _me
    pid = os.getpid()
    if _me is None or _me[0] != pid:
        _me = (pid, start_time(pid))
    return _me


def gone(pid: int, started: str | None) -> bool:
    """True when the process that wrote (pid, started) has certainly ended."""
    kind = (started or "").split(":")[0]
    if kind == "linux" and _LINUX:
        return start_time(pid) != started
    if kind == "psutil" and not _LINUX and _has_psutil():
        return _psutil_start(pid) != started
    return not _exists(pid)


_LINUX = Path("/proc/self/stat").exists()


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def _exists(pid: int) -> bool:
    if os.name != "posix":
        return True  # unknown: keep the reservation until it expires
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True
