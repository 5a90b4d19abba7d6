"""Alembic environment for the AIDesk local database.

Migrations run only from `aidesk.storage.db.open_database`, which passes its
open connection (already inside a `BEGIN IMMEDIATE` transaction, so the whole
upgrade is atomic and two processes opening the same file can't both migrate)
through `config.attributes["connection"]`. There is no alembic.ini.

To add a migration, copy the newest file in `versions/` (or render
`script.py.mako`), bump `revision` (`"0002"`, …) and set `down_revision` to the
previous one. Never edit a released migration.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from aidesk.storage.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "AIDesk migrations run from aidesk.storage.db.open_database(), which supplies "
        "the connection; offline (--sql) mode and the alembic CLI upgrade are not supported."
    )

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite can't ALTER most things: batch mode copies the table.
)
with context.begin_transaction():
    context.run_migrations()
