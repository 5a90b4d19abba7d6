"""Plain SQL on the hot path: the router's per-call statements skip SQLAlchemy's statement
machinery (about 20 µs a statement, more than SQLite itself takes for them) and run on the
sqlite3 connection underneath, inside the transaction SQLAlchemy began."""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import Connection


def driver(conn: Connection) -> sqlite3.Connection:
    """The sqlite3 connection under `conn`, in the same transaction."""
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return raw
