"""The core objects the CLI and the UI share: database, key store, workspaces, router."""

from __future__ import annotations

import getpass
import logging
import logging.handlers
import os
from dataclasses import dataclass
from io import TextIOWrapper
from pathlib import Path

from aidesk import paths
from aidesk.keys import KeyStore
from aidesk.redact import install_log_redaction
from aidesk.router import Router, cache
from aidesk.storage import Database, open_database
from aidesk.storage.backup import maybe_backup
from aidesk.storage.files import PRIVATE_FILE, open_private, tighten
from aidesk.storage.values import utcnow
from aidesk.workspaces import Workspaces

log = logging.getLogger(__name__)


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


def open_core(data_dir: Path | None = None, *, keys: KeyStore | None = None,
              read_only: bool = False) -> Core:
    """Open the data directory's database and wire the core.

    Nothing on the way waits for the write lock, so read-only commands work while
    another process holds it: spooled call records are replayed and expired cache rows
    dropped only when the lock is free at once. With `read_only` nothing is written at
    all; otherwise the daily backup is taken when due.
    A damaged database raises aidesk.storage.health.DatabaseCorrupt.
    """
    data_dir = paths.ensure_data_dir(data_dir)
    setup_logging(data_dir)
    db = open_database(data_dir / "aidesk.db", replay_spool=not read_only)
    if not read_only:
        cache.try_purge_expired(db, utcnow())  # expired answers are never served: drop them
        maybe_backup(db.path)
    keys = keys or KeyStore()
    user = current_user()
    return Core(data_dir, db, keys, Workspaces(db), Router(db, keys, user_id=user), user)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are 0600 from creation (they may quote prompts)."""

    def _open(self) -> TextIOWrapper:
        stream = open(self.baseFilename, self.mode, encoding=self.encoding,  # noqa: SIM115
                      errors=self.errors, opener=open_private)
        assert isinstance(stream, TextIOWrapper)
        return stream


def setup_logging(data_dir: Path) -> None:
    """A rotating log file in the data directory; every record passes the key redaction."""
    install_log_redaction()
    root = logging.getLogger()
    log_file = data_dir / "aidesk.log"
    if any(getattr(h, "baseFilename", None) == str(log_file) for h in root.handlers):
        return
    for old in data_dir.glob("aidesk.log*"):  # files of older versions: tighten them
        tighten(old, PRIVATE_FILE)
    handler = PrivateRotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3,
                                         encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    for noisy in ("httpx2", "httpcore", "openai", "anthropic", "google_genai"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
