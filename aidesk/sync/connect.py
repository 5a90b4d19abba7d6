"""The connection to the central PostgreSQL, and its failures as one sentence each.

The DSN (aidesk.sync.target) names user, host, port and database; the password comes from
the OS keyring (`{tenant}:sync`, set by `aidesk sync login`). A host that is not local
gets `sslmode=require` (or the stronger mode the DSN names). psycopg reports connection
failures without a SQLSTATE, so they are told apart by libpq's message; failures of
statements (permission, row-level security, a missing table) by their SQLSTATE.

The connection is in autocommit mode: push and pull open their own transactions
(`with pg.transaction(): …`).
"""

from __future__ import annotations

from typing import Any

import psycopg

from aidesk.errors import (
    KeyringUnavailable,
    SyncAuthFailed,
    SyncError,
    SyncRefused,
    SyncSchemaMissing,
    SyncUnreachable,
)
from aidesk.i18n import _
from aidesk.keys import KeyStore
from aidesk.sync.target import Dsn, is_local, parse_dsn

LOCK_TIMEOUT_S = 60  # a central table locked longer: this pass gives up, the next retries
STATEMENT_TIMEOUT_S = 600  # a batch of 5,000 rows takes about 0.1 s
PASSWORD = "sync"  # the keyring name of the sync password: entry `{tenant}:sync`
CONNECT_TIMEOUT_S = 10

Connection = psycopg.Connection[tuple[Any, ...]]


def conninfo(dsn: str, password: str | None) -> str:
    """libpq's conninfo for `dsn` (checked) and `password` (None: none, or libpq's own
    ~/.pgpass)."""
    from psycopg.conninfo import make_conninfo

    d = parse_dsn(dsn)
    params: dict[str, str] = {"host": d.host, "port": str(d.port), "dbname": d.dbname,
                              "user": d.user, "connect_timeout": str(CONNECT_TIMEOUT_S),
                              "application_name": "aidesk",
                              # a link dropped mid-pass (Wi-Fi gone) fails in about a minute
                              # instead of hanging the pass
                              "keepalives": "1", "keepalives_idle": "30",
                              "keepalives_interval": "10", "keepalives_count": "3"}
    params |= d.params
    if not is_local(d.host):
        params.setdefault("sslmode", "require")
    if password:
        params["password"] = password
    return make_conninfo(**params)


def password_of(keys: KeyStore, tenant_id: str) -> str | None:
    """The saved sync password; None when none is saved or the keyring is unusable (a
    trust-auth or ~/.pgpass centre needs none; one that asks says so in its error)."""
    try:
        return keys.get_secret(tenant_id, PASSWORD)
    except KeyringUnavailable:
        return None


def open_connection(dsn: str, password: str | None) -> Connection:
    """A plain autocommit connection, its failures as SyncErrors (no schema check)."""
    d = parse_dsn(dsn)
    try:
        return psycopg.connect(conninfo(dsn, password), autocommit=True)
    except psycopg.Error as exc:
        raise failure(exc, d, password=password) from None


def connect(keys: KeyStore, tenant_id: str, dsn: str) -> Connection:
    """A connection for a sync pass: logged in, the schema at HEAD, the role mapped to
    this tenant. Raises a SyncError subclass (the connection closed) otherwise."""
    d = parse_dsn(dsn)
    conn = open_connection(dsn, password_of(keys, tenant_id))
    try:
        check_schema(conn, d)
        check_tenant(conn, d, tenant_id)
        # a pass never hangs: a lock held too long or a statement gone astray ends it, and
        # the outbox keeps its rows for the next one
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT_S}s'")
        conn.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_S}s'")
    except psycopg.Error as exc:
        conn.close()
        raise failure(exc, d) from None
    except BaseException:
        conn.close()
        raise
    return conn


def login(keys: KeyStore, tenant_id: str, dsn: str, password: str, *,
          force: bool = False) -> SyncError | None:
    """Test `password` against the centre, then keep it in the keyring (`aidesk sync login`,
    the desktop's Settings, Sync). A refused password, or an unreachable centre without
    `force`, raises and saves nothing; what is left to do once logged in (migrations, the
    role's tenant) is returned, the password saved all the same."""
    d = parse_dsn(dsn)
    keys.check()
    note: SyncError | None = None
    try:
        pg = open_connection(dsn, password)
    except SyncUnreachable as exc:
        if not force:
            raise
        note = exc
    else:
        try:
            check_schema(pg, d)
            check_tenant(pg, d, tenant_id)
        except SyncError as exc:
            note = exc
        finally:
            pg.close()
    keys.set_secret(tenant_id, PASSWORD, password)
    return note


def migrate_central(keys: KeyStore, tenant_id: str, dsn: str) -> str | None:
    """Run the centre's migrations with the configured login (it must be allowed to create
    tables); return the revision the centre had before (None: none)."""
    from aidesk.sync import central

    d = parse_dsn(dsn)
    password = password_of(keys, tenant_id)
    open_connection(dsn, password).close()  # a clear sentence for a wrong password or host
    try:
        return central.migrate(conninfo(dsn, password))
    except Exception as exc:
        orig = getattr(exc, "orig", None) or exc.__cause__ or exc
        if isinstance(orig, psycopg.Error):
            raise failure(orig, d, migrating=True) from None
        raise


def check_schema(conn: Connection, d: Dsn) -> None:
    """SyncSchemaMissing unless the centre's schema is at this AIDesk's HEAD."""
    from aidesk.sync import central

    try:
        found = central.current(conn)
    except psycopg.errors.InsufficientPrivilege:  # a desktop role may not read the version
        found = central.HEAD if _tables_exist(conn) else None
    except psycopg.Error as exc:
        raise failure(exc, d) from None
    if found == central.HEAD:
        return
    known = sorted(p.name.split("_", 1)[0] for p in (central.SCRIPTS / "versions").glob("c*.py"))
    if found is not None and found not in known:
        raise SyncError(_("The central database at {host} has AIDesk tables of revision "
                          "{found}, newer than this AIDesk knows ({head}): update AIDesk on "
                          "this computer.").format(host=d.where, found=found,
                                                   head=central.HEAD))
    raise SyncSchemaMissing(d.where, d.dbname, can_migrate=may_migrate(conn, found),
                            found=found, expected=central.HEAD)


# What HEAD made, for a login that may not read the version table: all there or not.
TABLES = ("ai_tenant_roles", "ai_configs", "ai_usage_logs", "ai_audit_logs", "ai_images",
          "ai_bulk_messages", "ai_team_policies")


def _tables_exist(conn: Connection) -> bool:
    query = ("SELECT bool_and(to_regclass(t) IS NOT NULL) "
             "AND to_regprocedure('aidesk_tenant()') IS NOT NULL FROM unnest(%s::text[]) AS t")
    try:
        row = conn.execute(query, (list(TABLES),)).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def may_migrate(conn: Connection, found: str | None) -> bool:
    """Whether this login may create (found None) or upgrade the centre's tables."""
    from aidesk.sync import central

    if found is None:
        query = ("SELECT rolsuper OR (has_schema_privilege('public', 'CREATE') AND "
                 "(rolcreaterole OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = %s))) "
                 "FROM pg_roles WHERE rolname = current_user")
        params: tuple[str, ...] = (central.DESKTOP_ROLE,)
    else:
        query = ("SELECT rolsuper OR EXISTS (SELECT 1 FROM pg_tables WHERE tablename = %s "
                 "AND pg_has_role(tableowner, 'USAGE')) FROM pg_roles "
                 "WHERE rolname = current_user")
        params = (central.VERSION_TABLE,)
    try:
        row = conn.execute(query, params).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


# A login that row-level security does not apply to (a superuser, BYPASSRLS, the tables'
# owner: the platform's admin) may sync any tenant's rows, each of which names its tenant.
_ABOVE_RLS = ("SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(session_user, c.relowner, "
              "'USAGE') FROM pg_roles r, pg_class c "
              "WHERE r.rolname = session_user AND c.oid = 'ai_usage_logs'::regclass")


def _above_rls(conn: Connection) -> bool:
    row = conn.execute(_ABOVE_RLS).fetchone()
    return bool(row and row[0])


def check_tenant(conn: Connection, d: Dsn, tenant_id: str) -> None:
    """SyncRefused unless the login role is mapped to this workspace's tenant."""
    try:
        row = conn.execute("SELECT aidesk_tenant()").fetchone()
    except psycopg.Error as exc:
        if exc.sqlstate == "42501":  # not a member of aidesk_desktop
            raise SyncRefused(_(
                "The central database at {host} does not let {user} sync: ask the platform's "
                "admin to make it a member of the aidesk_desktop role and map it to tenant "
                "{tenant}.").format(host=d.where, user=d.user, tenant=tenant_id)) from None
        raise failure(exc, d) from None
    mapped = None if row is None else row[0]
    if mapped is None and not _above_rls(conn):
        raise SyncRefused(_(
            "The central database at {host} maps {user} to no tenant: ask the platform's "
            "admin to map it to tenant {tenant} (table ai_tenant_roles).").format(
                host=d.where, user=d.user, tenant=tenant_id))
    if mapped is not None and mapped != tenant_id:
        raise SyncRefused(_(
            "The central database at {host} maps {user} to tenant {mapped}, not to this "
            "workspace's tenant {tenant}: use that tenant's login in the DSN, or ask the "
            "admin to map {user} to {tenant}.").format(
                host=d.where, user=d.user, mapped=mapped, tenant=tenant_id))


def failure(exc: psycopg.Error, d: Dsn, *, password: str | None = None,
            migrating: bool = False) -> SyncError:
    """The SyncError that tells the user what `exc` means and what to do."""
    if not exc.sqlstate:  # libpq's own failure (connecting, or the link lost): its message
        return _connection_failure(str(exc), d, password)
    state = exc.sqlstate
    detail = _first_line(str(exc))
    if state == "42501":
        if migrating:
            return SyncRefused(_(
                "{user} may not create the AIDesk tables in the central database at {host} "
                "({detail}): ask the platform's admin to run `aidesk sync migrate` with the "
                "owner's login.").format(user=d.user, host=d.where, detail=detail))
        return SyncRefused(_(
            "The central database at {host} refused {user} ({detail}): ask the platform's "
            "admin to check the role's rights and its tenant.").format(
                host=d.where, user=d.user, detail=detail))
    if state in ("42P01", "42883"):  # a table or aidesk_tenant() is missing
        return SyncSchemaMissing(d.where, d.dbname, can_migrate=False)
    if state.startswith("08") or state.startswith("57P"):  # connection lost, server shut down
        return SyncUnreachable(d.where, detail)
    if state in ("55P03", "57014"):  # lock_timeout, statement_timeout
        return SyncError(_("The central database at {host} is busy ({detail}): the rows stay "
                           "in the outbox and the next pass sends them.").format(
                               host=d.where, detail=detail))
    return SyncError(_("The central database at {host} refused the sync ({detail}); try "
                       "again, and if it persists tell the platform's admin.").format(
                           host=d.where, detail=detail))


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else ""
    return first.removeprefix("ERROR:").strip()


def _connection_failure(text: str, d: Dsn, password: str | None) -> SyncError:
    low = text.lower()
    if "no password supplied" in low or "password is required" in low:
        return SyncAuthFailed(d.where, d.user, missing=True)
    if "authentication failed" in low:
        return SyncAuthFailed(d.where, d.user, missing=password is None)
    if "pg_hba.conf" in low:
        return SyncRefused(_(
            "The central database at {host} does not accept {user} from this computer "
            "(pg_hba.conf): ask the platform's admin to allow it.").format(
                host=d.where, user=d.user))
    if "role" in low and "does not exist" in low:
        return SyncRefused(_(
            "The central database at {host} has no login {user}: check the user in the DSN "
            "(`aidesk config set sync.dsn …`) or ask the platform's admin for one.").format(
                host=d.where, user=d.user))
    if "database" in low and "does not exist" in low:
        return SyncRefused(_(
            "The server at {host} has no database {database}: check the database name in the "
            "DSN (`aidesk config set sync.dsn …`).").format(host=d.where, database=d.dbname))
    if "ssl" in low and ("does not support" in low or "required" in low):
        detail = _("it offers no encrypted connection, which a host that is not local needs")
    elif "resolve host" in low or "could not translate host name" in low:
        detail = _("unknown host name")
    elif "timeout" in low or "timed out" in low:
        detail = _("no answer in {seconds} s").format(seconds=CONNECT_TIMEOUT_S)
    elif "connection refused" in low:
        detail = _("connection refused: is the server running and listening there?")
    else:
        lines = [line for line in text.splitlines() if line.strip()]
        detail = (lines[0].rpartition(" failed: ")[2] if lines else "").strip()
    return SyncUnreachable(d.where, detail)
