"""Where AIDesk keeps its data: platformdirs' user data dir, or AIDESK_DATA_DIR."""

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
