"""The centre's schema: Alembic migrations of their own, run by `aidesk sync migrate`."""

from __future__ import annotations

from pathlib import Path

HEAD = "c0001"
VERSION_TABLE = "aidesk_central_version"
DESKTOP_ROLE = "aidesk_desktop"  # the group role every tenant's login role is a member of
SCRIPTS = Path(__file__).parent


def migrate(conninfo: str) -> str | None:
    """Bring the centre's schema to HEAD; return the revision it had before (None: none).

    Needs a role that may create tables and roles (the platform's owner or an admin); the
    whole upgrade is one transaction.
    """
    import psycopg
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext

    engine = sa.create_engine("postgresql+psycopg://", poolclass=sa.pool.NullPool,
                              creator=lambda: psycopg.connect(conninfo))
    try:
        with engine.begin() as conn:
            before = MigrationContext.configure(
                conn, opts={"version_table": VERSION_TABLE}).get_current_revision()
            config = Config()
            config.set_main_option("script_location", str(SCRIPTS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            return before
    finally:
        engine.dispose()


def current(conn: object) -> str | None:
    """The centre's schema revision over an open psycopg connection (None: not migrated)."""
    import psycopg

    assert isinstance(conn, psycopg.Connection)
    exists = conn.execute("SELECT to_regclass(%s)", (VERSION_TABLE,)).fetchone()
    if exists is None or exists[0] is None:
        return None
    row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return None if row is None else str(row[0])
