"""Crash reports: the redacted text of an unexpected error (a bug), kept in the data folder.

Both the desktop app and the command line write one file per crash to
`<data dir>/crash-reports/`, private to the user (0600), so a user can send it to whoever
supports AIDesk. Every key the process knew, and every key-shaped string, is masked.
"""

from __future__ import annotations

import platform
import traceback
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from aidesk import __version__
from aidesk.redact import redact

FOLDER = "crash-reports"
KEEP = 20  # the newest reports kept; older ones are removed when a new one is written


def report(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The redacted report: version, platform, Python, the traceback."""
    lines = [
        f"AIDesk {__version__} on {platform.platform()}, Python {platform.python_version()}",
        "",
        *traceback.format_exception(kind, exc, tb),
    ]
    return redact("\n".join(line.rstrip("\n") for line in lines))


def write(text: str, data_dir: Path | None = None, now: datetime | None = None) -> Path | None:
    """Save `text` (already a report) in the data folder; None when that is impossible
    (a read-only or full disk must not turn one crash into two)."""
    from aidesk import paths
    from aidesk.storage.files import private_dir, private_file

    now = now or datetime.now(UTC)
    try:
        folder = private_dir((data_dir or paths.data_dir()) / FOLDER)
        path = folder / f"crash-{now:%Y%m%d-%H%M%S-%f}.txt"
        private_file(path)
        path.write_text(redact(text) + "\n", encoding="utf-8")
        for old in sorted(folder.glob("crash-*.txt"), reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        return None
    return path


def save(kind: type[BaseException], exc: BaseException, tb: TracebackType | None,
         data_dir: Path | None = None) -> tuple[str, Path | None]:
    """Make the report of an exception and save it; (report, where it was saved)."""
    text = report(kind, exc, tb)
    return text, write(text, data_dir)
