"""Where a workspace syncs: its central database's DSN (`sync_targets`), and this device's id.

A DSN names user, host, port and database, never a password (that lives in the OS keyring,
set by `aidesk sync login`):

    postgresql://USER@HOST[:PORT]/DB[?sslmode=verify-full&sslrootcert=PATH]

Configuring a target queues the tenant's existing rows in the outbox in the same SQLite
transaction (aidesk.sync.outbox.backfill), so what was written before sync was set up
reaches the centre too; removing it forgets the tenant's outbox.
"""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from aidesk.errors import ConfigError
from aidesk.i18n import _
from aidesk.redact import register_secret
from aidesk.storage import Database
from aidesk.storage.values import utc_text, utcnow

SCHEMES = ("postgresql", "postgres")
DEFAULT_PORT = 5432
DEVICE_KEY = "sync.device_id"  # app_state: this installation's id, sent as source_device
# Query parameters a DSN may carry: only stronger TLS than the default `require`.
SSL_MODES = ("require", "verify-ca", "verify-full")
PARAMS = ("sslmode", "sslrootcert")
SHAPE = "postgresql://USER@HOST:PORT/DB"


@dataclass(frozen=True)
class Dsn:
    """A checked DSN's parts (host: a name, an IP address, or a socket directory)."""

    user: str
    host: str
    port: int
    dbname: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """How messages name the server: host:port."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def text(self) -> str:
        """The canonical form stored in sync_targets."""
        host = (quote(self.host, safe="") if self.host.startswith("/") else
                f"[{self.host}]" if ":" in self.host else self.host)
        query = "&".join(f"{k}={quote(v, safe='/')}" for k, v in sorted(self.params.items()))
        return (f"postgresql://{quote(self.user, safe='')}@{host}:{self.port}/"
                f"{quote(self.dbname, safe='')}" + (f"?{query}" if query else ""))


def _bad(detail: str) -> ConfigError:
    return ConfigError(_("The sync DSN must look like {shape}: {detail}.").format(
        shape=SHAPE, detail=detail))


def parse_dsn(raw: str) -> Dsn:
    """The parts of a DSN, or ConfigError in one sentence (a password is refused unquoted)."""
    raw = raw.strip()
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.lower() not in SCHEMES:
        raise _bad(_("it starts with postgresql://"))
    netloc = rest.split("/", 1)[0].split("?", 1)[0]
    userinfo, at, _hostport = netloc.rpartition("@")
    if at and ":" in userinfo:
        register_secret(unquote(userinfo.partition(":")[2]))  # never echoed, never stored
        raise ConfigError(_("A password inside the sync DSN is refused (it would be stored "
                            "in plain text): give {shape} and set the password with `aidesk "
                            "sync login`.").format(shape=SHAPE))
    try:
        parts = urlsplit("postgresql://" + rest)
        port = parts.port or DEFAULT_PORT
    except ValueError:
        raise _bad(_("the port is a number from 1 to 65535")) from None
    if parts.fragment:
        raise _bad(_("remove the part after #"))
    user = unquote(parts.username or "")
    hostport = parts.netloc.rpartition("@")[2]
    if hostport.startswith("["):  # [::1]:5432
        hostport = hostport[1:].partition("]")[0]
    elif ":" in hostport:
        hostport = hostport.rpartition(":")[0]
    host = unquote(hostport)  # %2Fvar%2Frun%2Fpostgresql: a socket directory
    dbname = unquote(parts.path.lstrip("/"))
    if not user:
        raise _bad(_("name the user before @"))
    if not host:
        raise _bad(_("name the host after @"))
    if not dbname or "/" in dbname:
        raise _bad(_("name the database after the last /"))
    params: dict[str, str] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "password":
            register_secret(value)
            raise ConfigError(_("A password inside the sync DSN is refused (it would be "
                                "stored in plain text): give {shape} and set the password "
                                "with `aidesk sync login`.").format(shape=SHAPE))
        if key not in PARAMS:
            raise _bad(_("the only options it may carry are {options}").format(
                options=", ".join(PARAMS)))
        if key == "sslmode" and value not in SSL_MODES:
            raise _bad(_("sslmode may only be one of {modes} (a weaker one is refused)")
                       .format(modes=", ".join(SSL_MODES)))
        params[key] = value
    return Dsn(user, host.lower() if not host.startswith("/") else host, port, dbname, params)


def check_dsn(raw: str) -> str:
    """The DSN in its stored form, or ConfigError saying what is wrong with it."""
    return parse_dsn(raw).text()


def is_local(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1 or a Unix socket directory: no TLS needed."""
    if not host or host.startswith("/") or host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def configure(db: Database, tenant_id: str, dsn: str | None) -> int:
    """Make `tenant_id` sync to `dsn` (None: stop syncing). Return the rows queued.

    A new or changed target queues every existing row of the tenant (outbox.backfill) in
    the same transaction as the target row; the same DSN again changes nothing. None
    deletes the target and the tenant's outbox entries (the rows themselves stay).
    """
    if dsn is None:
        with db.writing("IMMEDIATE") as conn:
            conn.execute("DELETE FROM sync_targets WHERE tenant_id = ?", (tenant_id,))
            conn.execute("DELETE FROM sync_outbox WHERE tenant_id = ?", (tenant_id,))
        return 0
    dsn = check_dsn(dsn)
    from aidesk.sync import outbox

    now = utc_text(utcnow())
    with db.writing("IMMEDIATE") as conn:
        row = conn.execute("SELECT dsn FROM sync_targets WHERE tenant_id = ?",
                           (tenant_id,)).fetchone()
        if row is not None and row[0] == dsn:
            return 0
        if row is None:
            conn.execute("INSERT INTO sync_targets (tenant_id, dsn, last_pushed, last_pulled, "
                         "created_at, updated_at) VALUES (?, ?, '{}', 0, ?, ?)",
                         (tenant_id, dsn, now, now))
        else:  # another centre: it has none of our rows yet, so all of them go again
            conn.execute("UPDATE sync_targets SET dsn = ?, last_sync_at = NULL, "
                         "last_pushed = '{}', last_pulled = 0, last_error = NULL, "
                         "last_error_at = NULL, updated_at = ? WHERE tenant_id = ?",
                         (dsn, now, tenant_id))
        conn.execute("DELETE FROM sync_outbox WHERE tenant_id = ?", (tenant_id,))
        return outbox.backfill(conn, tenant_id)


def dsn_of(db: Database, tenant_id: str) -> str | None:
    """The tenant's DSN, None when it does not sync."""
    with db.raw() as conn:
        row = conn.execute("SELECT dsn FROM sync_targets WHERE tenant_id = ?",
                           (tenant_id,)).fetchone()
    return None if row is None else str(row[0])


def device_id(db: Database) -> str:
    """This installation's id (a UUID made once, kept in app_state)."""
    with db.raw() as conn:
        row = conn.execute("SELECT value FROM app_state WHERE key = ?", (DEVICE_KEY,)).fetchone()
    if row is not None:
        return str(row[0])
    with db.writing("IMMEDIATE") as conn:
        conn.execute("INSERT OR IGNORE INTO app_state (key, value) VALUES (?, ?)",
                     (DEVICE_KEY, str(uuid.uuid4())))
        row = conn.execute("SELECT value FROM app_state WHERE key = ?", (DEVICE_KEY,)).fetchone()
    return str(row[0])
