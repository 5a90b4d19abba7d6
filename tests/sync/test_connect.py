"""The connection to the centre: TLS rules, and each failure as one sentence with its fix.

Real PostgreSQL at 127.0.0.1:5432 (trust auth) and, for a wrong password, which trust auth
never answers, tests/sync/fake_pg.py: a server that asks a cleartext password and refuses
it with SQLSTATE 28P01 as a real one does.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from aidesk.errors import (
    SyncAuthFailed,
    SyncError,
    SyncRefused,
    SyncSchemaMissing,
    SyncUnreachable,
)
from aidesk.keys import KeyStore
from aidesk.sync import central as centre
from aidesk.sync.connect import PASSWORD, connect, conninfo, login, migrate_central
from tests.support import MemoryKeyring
from tests.sync.conftest import ADMIN, Central
from tests.sync.fake_pg import fake_pg

SECRET = "Wr0ng-Passw0rd-xyz"


@pytest.fixture
def keys() -> KeyStore:
    return KeyStore(MemoryKeyring())


@pytest.fixture
def plain_role(central_db: Central) -> Iterator[Callable[[], str]]:
    """Login roles with no rights beyond PUBLIC's (and no tenant); dropped afterwards."""
    made: list[str] = []

    def make() -> str:
        role = f"aidesk_p_{secrets.token_hex(4)}"
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        made.append(role)
        return role

    yield make
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        for role in made:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


# -- conninfo: TLS off this computer, timeouts, the password only from the keyring ---------------

@pytest.mark.parametrize(("dsn", "sslmode"), [
    ("postgresql://bob@db.example.com/acme", "require"),
    ("postgresql://bob@10.1.2.3:6432/acme", "require"),
    ("postgresql://bob@[2001:db8::1]/acme", "require"),
    ("postgresql://bob@db.example.com/acme?sslmode=verify-full", "verify-full"),
    ("postgresql://bob@localhost/acme", None),
    ("postgresql://bob@127.0.0.1/acme", None),
    ("postgresql://bob@127.9.9.9/acme", None),
    ("postgresql://bob@[::1]/acme", None),
    ("postgresql://bob@%2Fvar%2Frun%2Fpostgresql/acme", None),
    ("postgresql://bob@localhost/acme?sslmode=verify-ca", "verify-ca"),
])
def test_sslmode_required_unless_local(dsn: str, sslmode: str | None) -> None:
    params = conninfo_to_dict(conninfo(dsn, None))
    assert params.get("sslmode") == sslmode
    assert params["connect_timeout"] == "10" and params["application_name"] == "aidesk"
    assert params["user"] == "bob" and params["dbname"] == "acme" and "password" not in params


def test_conninfo_carries_the_password() -> None:
    params = conninfo_to_dict(conninfo("postgresql://bob@db.example.com/acme", "p w'x"))
    assert params["password"] == "p w'x"


# -- failures -----------------------------------------------------------------------------------

def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_host_names_it_and_what_to_do(keys: KeyStore) -> None:
    port = _closed_port()
    with pytest.raises(SyncUnreachable) as caught:
        connect(keys, "acme", f"postgresql://bob@127.0.0.1:{port}/acme")
    text = caught.value.user_message
    assert f"127.0.0.1:{port}" in text and "connection refused" in text
    assert "aidesk config set sync.dsn" in text and "Traceback" not in text
    with pytest.raises(SyncUnreachable) as caught:
        connect(keys, "acme", "postgresql://bob@no-such-host.invalid/acme")
    assert "no-such-host.invalid:5432" in str(caught.value)
    assert "unknown host name" in str(caught.value)


def test_wrong_password_says_sync_login(keys: KeyStore) -> None:
    keys.set_secret("acme", PASSWORD, SECRET)
    with fake_pg() as server, pytest.raises(SyncAuthFailed) as caught:
        connect(keys, "acme", f"postgresql://bob@127.0.0.1:{server.port}/acme")
    assert server.passwords == [SECRET]  # the keyring's password, sent as asked
    assert server.startups[-1]["user"] == "bob" and server.startups[-1]["database"] == "acme"
    text = caught.value.user_message
    assert f"127.0.0.1:{server.port}" in text and "bob" in text
    assert "refused the password" in text and "aidesk sync login" in text
    assert SECRET not in text and SECRET not in repr(caught.value.args)


def test_no_saved_password_says_sync_login(keys: KeyStore) -> None:
    with fake_pg() as server, pytest.raises(SyncAuthFailed) as caught:
        connect(keys, "acme", f"postgresql://bob@127.0.0.1:{server.port}/acme")
    assert server.passwords == []  # libpq had none to send
    assert "none is saved" in str(caught.value) and "aidesk sync login" in str(caught.value)


def test_no_keyring_still_connects_without_password() -> None:
    """No usable keyring (CI's subprocesses): a centre that asks no password still works,
    one that asks says so instead of a keyring error."""
    import keyring.backends.fail

    keys = KeyStore(keyring.backends.fail.Keyring())
    with fake_pg() as server, pytest.raises(SyncAuthFailed):
        connect(keys, "acme", f"postgresql://bob@127.0.0.1:{server.port}/acme")


def test_server_without_tls_when_required(keys: KeyStore) -> None:
    with fake_pg() as server, pytest.raises(SyncUnreachable) as caught:
        connect(keys, "acme",
                f"postgresql://bob@127.0.0.1:{server.port}/acme?sslmode=require")
    assert server.ssl_requests >= 1 and server.passwords == []
    assert "encrypted" in str(caught.value)


def test_missing_schema_offers_migrate_to_a_role_that_may(central_db: Central,
                                                          keys: KeyStore,
                                                          plain_role: Callable[[], str]) -> None:
    owner = str(conninfo_to_dict(central_db.conninfo)["user"])
    with pytest.raises(SyncSchemaMissing) as caught:
        connect(keys, "acme", central_db.dsn(owner))
    assert caught.value.can_migrate
    assert central_db.name in str(caught.value) and "`aidesk sync migrate`" in str(caught.value)
    assert "Ask the platform's admin" not in str(caught.value)
    with pytest.raises(SyncSchemaMissing) as caught:
        connect(keys, "acme", central_db.dsn(plain_role()))
    assert not caught.value.can_migrate
    assert "Ask the platform's admin to run `aidesk sync migrate`" in str(caught.value)


def test_migrate_then_connect(central_db: Central, keys: KeyStore) -> None:
    owner = str(conninfo_to_dict(central_db.conninfo)["user"])
    assert migrate_central(keys, "acme", central_db.dsn(owner)) is None
    assert migrate_central(keys, "acme", central_db.dsn(owner)) == centre.HEAD
    with central_db.connect() as conn:
        role = f"aidesk_t_{secrets.token_hex(4)}"
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN IN ROLE aidesk_desktop").format(
            sql.Identifier(role)))
        conn.execute("INSERT INTO ai_tenant_roles VALUES (%s, 'acme')", (role,))
    try:
        pg = connect(keys, "acme", central_db.dsn(role))
        with pg:
            assert pg.autocommit
            assert pg.execute("SELECT current_setting('application_name')").fetchone() == (
                "aidesk",)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(role)))
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


def test_migrate_refused_for_a_role_that_may_not(central_db: Central, keys: KeyStore,
                                                 plain_role: Callable[[], str]) -> None:
    role = plain_role()
    with pytest.raises(SyncRefused) as caught:
        migrate_central(keys, "acme", central_db.dsn(role))
    assert role in str(caught.value) and "owner's login" in str(caught.value)
    with central_db.connect() as conn:
        assert centre.current(conn) is None


def test_newer_centre_says_update(central: Central, keys: KeyStore) -> None:
    role = str(conninfo_to_dict(central.conninfo)["user"])  # one that may read the version
    with central.connect() as conn:
        conn.execute(f"UPDATE {centre.VERSION_TABLE} SET version_num = 'c9999'")
    with pytest.raises(SyncError) as caught:
        connect(keys, "acme", central.dsn(role))
    assert "c9999" in str(caught.value) and "update AIDesk" in str(caught.value)
    assert not isinstance(caught.value, SyncSchemaMissing)


def test_role_of_another_tenant_or_none(central: Central, keys: KeyStore,
                                        tenant_role: Callable[[str], str],
                                        plain_role: Callable[[], str]) -> None:
    other = tenant_role("globex")
    with pytest.raises(SyncRefused) as caught:
        connect(keys, "acme", central.dsn(other))
    text = str(caught.value)
    assert "globex" in text and "acme" in text and other in text
    with central.connect() as conn:
        conn.execute("DELETE FROM ai_tenant_roles WHERE role_name = %s", (other,))
    with pytest.raises(SyncRefused) as caught:
        connect(keys, "acme", central.dsn(other))
    assert "to no tenant" in str(caught.value) and "ai_tenant_roles" in str(caught.value)
    outsider = plain_role()  # not even a member of aidesk_desktop
    with pytest.raises(SyncRefused) as caught:
        connect(keys, "acme", central.dsn(outsider))
    assert "aidesk_desktop" in str(caught.value)


def test_role_that_does_not_exist(central: Central, keys: KeyStore) -> None:
    with pytest.raises(SyncRefused) as caught:
        connect(keys, "acme", central.dsn("nobody_" + secrets.token_hex(3)))
    assert "has no login" in str(caught.value)
    with pytest.raises(SyncRefused) as caught:
        connect(keys, "acme", central.dsn("postgres").replace(central.name, "no_such_db_x"))
    assert "no database no_such_db_x" in str(caught.value)


def test_login_saves_a_working_password_and_says_what_is_left(
        central_db: Central, keys: KeyStore) -> None:
    owner = str(conninfo_to_dict(central_db.conninfo)["user"])
    note = login(keys, "acme", central_db.dsn(owner), "any-password-1")
    assert isinstance(note, SyncSchemaMissing) and note.can_migrate  # logged in: saved
    assert keys.get_secret("acme", PASSWORD) == "any-password-1"
    with fake_pg() as server, pytest.raises(SyncAuthFailed):
        login(keys, "acme", f"postgresql://bob@127.0.0.1:{server.port}/acme", SECRET)
    assert keys.get_secret("acme", PASSWORD) == "any-password-1"  # a refused one: not saved
    port = server.port
    with pytest.raises(SyncUnreachable):
        login(keys, "acme", f"postgresql://bob@127.0.0.1:{port}/acme", SECRET)
    note = login(keys, "acme", f"postgresql://bob@127.0.0.1:{port}/acme", SECRET, force=True)
    assert isinstance(note, SyncUnreachable) and keys.get_secret("acme", PASSWORD) == SECRET
    assert keys.remove_secret("acme", PASSWORD) and keys.get_secret("acme", PASSWORD) is None
    assert not keys.remove_secret("acme", PASSWORD)


def test_a_login_above_rls_syncs_any_tenant(central: Central, keys: KeyStore) -> None:
    """The platform's owner (here a superuser) is mapped to no tenant and still syncs: RLS
    does not apply to it, and every row it writes names its tenant."""
    owner = str(conninfo_to_dict(central.conninfo)["user"])
    with connect(keys, "acme", central.dsn(owner)) as pg:
        assert pg.execute("SELECT aidesk_tenant()").fetchone() == (None,)
