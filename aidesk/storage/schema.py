"""Migrating the database to the newest schema (Alembic), and knowing when nothing is to do.

An up-to-date database costs one read of `alembic_version` on a sqlite3 connection:
neither Alembic nor SQLAlchemy is imported unless a migration actually runs.
"""

from __future__ import annotations

import ast
import functools
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.errors import StorageError
from aidesk.i18n import _

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

    from aidesk.storage.db import Database

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# `revision: str = "0003"` / `down_revision: str | None = "0002"` at the start of a line.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\b[^=\n]*=(.*)$", re.MULTILINE)


def migrate(db: Database) -> None:
    """Upgrade `db` to the newest migration; cheap when it is already there."""
    with db.raw() as raw:
        if current_revisions(raw) == script_heads():
            return
    with db.begin_immediate() as conn:  # the write lock: one process migrates, others wait
        driver = conn.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        current = current_revisions(driver)
        if current == script_heads():
            return
        _check_known(current, db.path)
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.set_main_option("path_separator", "os")
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revisions(conn: sqlite3.Connection) -> set[str]:
    """The revisions stamped in the database (none for a new file)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if has_table is None:
        return set()
    return {str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")}


def _check_known(revisions: set[str], path: Path) -> None:
    known = {script.revision for script in _script_directory().walk_revisions()}
    for revision in sorted(revisions - known):
        raise StorageError(
            _("The AIDesk database ({path}) was written by a newer version of AIDesk (schema "
              "{revision}). Update AIDesk to open it.").format(path=path, revision=revision)
        )


@functools.cache
def _script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR))


@functools.cache
def script_heads() -> frozenset[str]:
    """The head revision(s) of the shipped migrations, read once per process.

    Read from the `revision`/`down_revision` assignments in `versions/*.py` without
    importing alembic (that import alone costs over 100 ms) nor parsing whole files, so
    opening an up-to-date database stays fast. A test checks this against alembic's own
    answer.
    """
    parents: dict[str, tuple[str, ...]] = {}
    for file in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = _revision_constants(file)
        if "revision" not in found:
            continue
        down = found.get("down_revision")
        parents[str(found["revision"])] = (
            () if down is None else (down,) if isinstance(down, str) else tuple(down)
        )
    return frozenset(parents) - {rev for downs in parents.values() for rev in downs}


def _revision_constants(file: Path) -> dict[str, Any]:
    text = file.read_text(encoding="utf-8")
    try:  # one-line assignments (every migration file alembic renders): their values only
        return {m[1]: ast.literal_eval(m[2].strip()) for m in _ASSIGNMENT.finditer(text)}
    except (ValueError, SyntaxError):  # a value over several lines: parse the module
        pass
    found: dict[str, Any] = {}
    for node in ast.parse(text, str(file)).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            found[target.id] = ast.literal_eval(value)
    return found
