"""Alembic environment for the platform's central PostgreSQL (not the local SQLite file).

Run only from aidesk.sync.central.migrate(), which passes an open SQLAlchemy connection in
`config.attributes["connection"]`; the version is kept in `aidesk_central_version`, so the
platform's own migration table is never touched.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("central migrations run from aidesk.sync.central.migrate() only")

context.configure(connection=connection, target_metadata=None,
                  version_table="aidesk_central_version")
with context.begin_transaction():
    context.run_migrations()
