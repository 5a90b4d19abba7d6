"""Private files and folders: the data directory holds clients' prompts and answers.

On POSIX the data directory is 0700 and every file AIDesk writes there (the database,
its -wal/-shm, logs, the spool, backups) 0600, whatever the umask. Elsewhere (Windows)
the user's profile folder already keeps other users out; these helpers do nothing there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
POSIX = os.name == "posix"


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) and make the leaf 0700 if it is looser."""
    path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    tighten(path, PRIVATE_DIR)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if missing, 0600 from the start (no window at umask's mode);
    tighten it if it exists looser."""
    if POSIX:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:
            tighten(path, PRIVATE_FILE)
        else:
            os.close(fd)
            path.chmod(PRIVATE_FILE)  # the umask may have removed our own bits: set exactly
    return path


def tighten(path: Path, mode: int) -> None:
    """chmod `path` to `mode` when it grants anything more (group/other bits)."""
    if not POSIX:
        return
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)
    except FileNotFoundError:
        return


def open_private(path: str, flags: int) -> int:
    """An `opener` for open(): new files get 0600."""
    return os.open(path, flags, PRIVATE_FILE)


def write_whole(path: Path, data: str | bytes) -> Path:
    """Write a file the user asked for so it appears complete or not at all: a reader (or a
    crash) never sees half of it. Plain permissions: the file is the user's, not AIDesk's."""
    part = path.with_name(path.name + ".part")
    if isinstance(data, str):
        part.write_text(data, encoding="utf-8")
    else:
        part.write_bytes(data)
    part.replace(path)
    return path
