"""The core objects the CLI and the UI share: database, key store, workspaces, router."""

from __future__ import annotations

import getpass
import logging
import logging.handlers
import os
from dataclasses import dataclass
from pathlib import Path

from aidesk import paths
from aidesk.keys import KeyStore
from aidesk.redact import install_log_redaction
from aidesk.router import Router, cache
from aidesk.storage import Database, open_database
from aidesk.storage.types import utcnow
from aidesk.workspaces import Workspaces


@dataclass
class Core:
    data_dir: Path
    db: Database
    keys: KeyStore
    workspaces: Workspaces
    router: Router
    user_id: str

    async def aclose(self) -> None:
        await self.router.aclose()

    def close(self) -> None:
        self.db.close()


def current_user() -> str:
    return os.environ.get("AIDESK_USER") or getpass.getuser()


def open_core(data_dir: Path | None = None, *, keys: KeyStore | None = None) -> Core:
    data_dir = data_dir or paths.data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    setup_logging(data_dir)
    db = open_database(data_dir / "aidesk.db")
    with db.begin() as conn:  # expired answers are never served; drop them once per start
        cache.purge_expired(conn, utcnow())
    keys = keys or KeyStore()
    user = current_user()
    return Core(data_dir, db, keys, Workspaces(db), Router(db, keys, user_id=user), user)


def setup_logging(data_dir: Path) -> None:
    """A rotating log file in the data directory; every record passes the key redaction."""
    install_log_redaction()
    root = logging.getLogger()
    log_file = data_dir / "aidesk.log"
    if any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
        return
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    for noisy in ("httpx2", "httpcore", "openai", "anthropic", "google_genai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
