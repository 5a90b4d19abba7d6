"""Key rollout: an admin sends a provider key to the central `ai_configs`, so the platform's
servers use it. The one place a key leaves the OS keyring for a database.

Two conditions, each refused in one sentence when unmet:
- the key now in the keyring passed a connection test in THIS process (its fingerprint is
  the one aidesk.router.keycheck remembered), so a key nobody saw work never spreads;
- the admin confirmed a question that names the tenant (workspace name and tenant id) and
  the provider (`question`), asked by the caller (the CLI's prompt, the desktop's dialog).

The central row is upserted on (tenant_id, provider) with the key, its fingerprint, when and
by whom; keys are never read back (the desktop role cannot). Then a local audit row (module
`sync`, no key) records it, and syncs like any audit row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aidesk import providers
from aidesk.errors import ConfigError
from aidesk.i18n import _
from aidesk.keys import fingerprint
from aidesk.router.keycheck import REJECTED, verified_in_process
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow
from aidesk.workspaces import Workspace

if TYPE_CHECKING:
    import psycopg

    from aidesk.core import Core

MODULE = "sync"
_UPSERT = """
INSERT INTO ai_configs (tenant_id, provider, api_key, key_fingerprint, key_rolled_out_at,
    key_rolled_out_by, model, base_url, enabled, position, options, created_at, updated_at,
    client_uuid, source_device)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (tenant_id, provider) DO UPDATE SET api_key = %s, key_fingerprint = %s,
    key_rolled_out_at = %s, key_rolled_out_by = %s
"""  # parameters, not EXCLUDED.api_key: reading that needs SELECT on api_key, which the
# desktop role does not have (keys are never read back)
_AUDIT = ("INSERT INTO ai_audit_logs (id, tenant_id, request_id, user_id, provider, model, "
          "module, prompt, response, tokens_used, success, error_message, hops, created_at, "
          "finish_reason, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, NULL, '[]', "
          "?, NULL, 0)")


class RolloutRefused(ConfigError):
    """A rollout whose conditions are not met: not tested, rejected, no key, not confirmed."""

    code = "rollout_refused"


@dataclass(frozen=True, slots=True)
class RolloutResult:
    tenant_id: str
    workspace: str
    provider: str
    fingerprint: str
    at: datetime
    by: str
    audit_id: str

    def as_json(self) -> dict[str, Any]:
        return {"tenant_id": self.tenant_id, "workspace": self.workspace,
                "provider": self.provider, "key_fingerprint": self.fingerprint,
                "rolled_out_at": self.at.isoformat(), "rolled_out_by": self.by}


def question(ws: Workspace, provider: str) -> str:
    """The confirmation to ask, naming the tenant and the provider."""
    return _("Roll out the {provider} key to tenant {tenant} (workspace {workspace})? The "
             "platform's servers of that tenant will use it.").format(
                 provider=provider, tenant=ws.tenant_id, workspace=ws.name)


def ready(core: Core, ws: Workspace, provider: str) -> str:
    """The key to roll out, when it passed a connection test in this process; else
    RolloutRefused in one sentence."""
    meta = providers.info(provider)
    if not meta.needs_key:
        raise RolloutRefused(_("{provider} needs no key, so there is none to roll "
                               "out.").format(provider=provider))
    key = core.keys.get(ws.tenant_id, provider)
    if key is None:
        raise RolloutRefused(_("Workspace {workspace} has no {provider} key to roll out; save "
                               "and test one first.").format(workspace=ws.name,
                                                             provider=provider))
    fp = fingerprint(key)
    if verified_in_process(ws.tenant_id, provider) == fp:
        return key
    config = core.workspaces.config(ws.tenant_id, provider)
    if config.last_test_status == REJECTED and config.key_fingerprint == fp:
        raise RolloutRefused(_("The {provider} key of workspace {workspace} was rejected at its "
                               "last test; replace it, test it, then roll it out.").format(
                                   provider=provider, workspace=ws.name))
    raise RolloutRefused(_("The {provider} key of workspace {workspace} has not passed a "
                           "connection test in this session; test it, then roll it "
                           "out.").format(provider=provider, workspace=ws.name))


def tested_this_session(core: Core, ws: Workspace, provider: str) -> bool:
    """Whether a rollout of `provider`'s key would pass its test condition now (the desktop
    enables its "Roll out to team…" button on it)."""
    try:
        ready(core, ws, provider)
    except ConfigError:
        return False
    return True


def rollout(core: Core, ws: Workspace, provider: str, *, confirmed: bool = False,
            pg: psycopg.Connection[Any] | None = None,
            device: str | None = None) -> RolloutResult:
    """Send the tested key of `provider` to the centre for the workspace's tenant.

    `confirmed`: the admin answered yes to `question(ws, provider)`. `pg`: an open
    connection to the centre (by default: the workspace's sync.dsn, aidesk.sync.connect).
    """
    key = ready(core, ws, provider)
    if not confirmed:
        raise RolloutRefused(_("The {provider} key was not rolled out to tenant {tenant}: the "
                               "rollout was not confirmed.").format(provider=provider,
                                                                     tenant=ws.tenant_id))
    from aidesk.sync import target

    device = device or target.device_id(core.db)
    at = utcnow()
    if pg is not None:
        _send(core, ws, provider, key, at, pg, device)
    else:
        dsn = target.dsn_of(core.db, ws.tenant_id)
        if dsn is None:
            raise RolloutRefused(
                _("Workspace {workspace} has no central database to roll the key out "
                  "to.").format(workspace=ws.name),
                cli_hint=_("Set one with `aidesk config set sync.dsn "
                           "postgresql://USER@HOST:PORT/DB`."),
                gui_hint=_("Set one in Settings, Sync."))
        import psycopg as pglib

        from aidesk.sync import connect

        conn = connect.connect(core.keys, ws.tenant_id, dsn)
        try:
            _send(core, ws, provider, key, at, conn, device)
        except pglib.Error as exc:
            raise connect.failure(exc, target.parse_dsn(dsn)) from None
        finally:
            conn.close()
    audit_id = _audit(core, ws, provider, fingerprint(key), at)
    return RolloutResult(ws.tenant_id, ws.name, provider, fingerprint(key), at, core.user_id,
                         audit_id)


def _send(core: Core, ws: Workspace, provider: str, key: str, at: datetime,
          pg: psycopg.Connection[Any], device: str) -> None:
    """Upsert the key into the central row (its other columns only when the row is new)."""
    from psycopg.types.json import Jsonb

    config = core.workspaces.config(ws.tenant_id, provider)
    with core.db.raw() as conn:
        row = conn.execute("SELECT id, created_at, updated_at FROM ai_configs "
                           "WHERE tenant_id = ? AND provider = ?",
                           (ws.tenant_id, provider)).fetchone()
    local_id, created, updated = (str(row[0]), _naive(str(row[1])), _naive(str(row[2]))) \
        if row else (None, _naive(utc_text(at)), _naive(utc_text(at)))
    options = {k: v for k, v in config.options.items() if isinstance(k, str)}
    fp = fingerprint(key)
    with pg.transaction():
        pg.execute(_UPSERT, (ws.tenant_id, provider, key, fp, at, core.user_id,
                             config.model, config.base_url, config.enabled, config.position,
                             Jsonb(options), created, updated, local_id, device,
                             key, fp, at, core.user_id))


def _naive(stamp: str) -> datetime:
    """A local UTC text as the centre's TIMESTAMP (naive UTC)."""
    return utc_from_text(stamp).astimezone(UTC).replace(tzinfo=None)


def _audit(core: Core, ws: Workspace, provider: str, fp: str, at: datetime) -> str:
    """The local audit row of the rollout (no key: its fingerprint only)."""
    audit_id = new_id()
    prompt = _("Key rollout: {provider} → tenant {tenant} (workspace {workspace})").format(
        provider=provider, tenant=ws.tenant_id, workspace=ws.name)
    response = _("Key {fingerprint} sent to the central database for the platform's "
                 "servers.").format(fingerprint=fp)
    model = core.workspaces.config(ws.tenant_id, provider).model
    with core.db.writing() as conn:
        conn.execute(_AUDIT, (audit_id, ws.tenant_id, new_id(), core.user_id, provider, model,
                              MODULE, prompt, response, utc_text(at)))
    return audit_id
