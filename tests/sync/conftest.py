"""Fixtures for the sync tests: fresh databases on the real PostgreSQL at 127.0.0.1:5432.

`AIDESK_TEST_PG` names the admin connection (trust auth, database `test`, as CI has it).
Each test gets its own database, and its tenant roles are dropped after it, so tests never
see each other's rows; roles are cluster-wide, hence their random names.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

ADMIN = os.environ.get("AIDESK_TEST_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(ADMIN, autocommit=True, connect_timeout=10)


@dataclass(frozen=True)
class Central:
    """A fresh central database: `conninfo` as its owner (a superuser here)."""

    name: str
    conninfo: str
    host: str = "127.0.0.1"
    port: int = 5432

    def dsn(self, role: str) -> str:
        """The DSN a desktop configures (`sync.dsn`) to log in as `role`."""
        return f"postgresql://{role}@{self.host}:{self.port}/{self.name}"

    def connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.conninfo, autocommit=True)

    def as_role(self, role: str) -> str:
        """The owner's conninfo with another login role (trust auth: no password)."""
        params = psycopg.conninfo.conninfo_to_dict(self.conninfo)
        params["user"] = role
        return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()})


@pytest.fixture
def central_db() -> Iterator[Central]:
    """An empty database (no schema): drop it after the test."""
    name = f"aidesk_test_{secrets.token_hex(4)}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    params = psycopg.conninfo.conninfo_to_dict(ADMIN)
    params["dbname"] = name
    yield Central(name, psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in params.items()
                                                          if v is not None}))
    with _admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


@pytest.fixture
def central(central_db: Central) -> Central:
    """A central database migrated to the head of aidesk.sync.central."""
    from aidesk.sync.central import migrate

    migrate(central_db.conninfo)
    return central_db


@pytest.fixture
def tenant_role(central: Central) -> Iterator[Callable[[str], str]]:
    """Make a login role of `aidesk_desktop` mapped to a tenant; dropped after the test."""
    made: list[str] = []

    def make(tenant_id: str) -> str:
        role = f"aidesk_t_{secrets.token_hex(4)}"
        with central.connect() as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE aidesk_desktop").format(
                sql.Identifier(role)))
            conn.execute("INSERT INTO ai_tenant_roles (role_name, tenant_id) VALUES (%s, %s)",
                         (role, tenant_id))
        made.append(role)
        return role

    yield make
    with _admin() as conn:
        for role in made:
            conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
