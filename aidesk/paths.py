"""Where AIDesk keeps its data: platformdirs' user data dir, or AIDESK_DATA_DIR.

The folder holds clients' prompts and answers: on POSIX it is kept 0700
(aidesk.storage.files), created so and tightened when found looser.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    override = os.environ.get("AIDESK_DATA_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("AIDesk", appauthor=False))


def db_path() -> Path:
    return data_dir() / "aidesk.db"


def ensure_data_dir(path: Path | None = None) -> Path:
    """The data directory, created (0700 on POSIX) or tightened to 0700 if looser."""
    from aidesk.storage.files import private_dir

    return private_dir(path or data_dir())
