"""What comes down from the centre: the tenant's team policies and provider configs (no keys).

Policies (`ai_team_policies`) are kept in the local `team_policies` table and applied through
aidesk.settings.set, as `aidesk config set` would (the lock bypassed: the team sets it):
a mandatory one whenever the local setting differs from it, a non-mandatory one only when
it is new or changed centrally (the user may change it afterwards). A policy removed
centrally is removed here, which unlocks its setting. A value the settings refuse, or a
setting that is not a workspace setting, is skipped with a note in the log, never a crash.

Configs (`ai_configs`, read by explicit columns: the desktop role may not read `api_key`)
that changed centrally from another device since the local row was written update the
local model, base URL, enabled flag, position and options; the local row takes the centre's
`updated_at`, and the outbox entries these writes queue are dropped in the same
transaction: nothing bounces back, and nothing shows as pending after a pass.

Configs are applied before policies: a mandatory policy wins over a config pulled with it.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aidesk import settings
from aidesk.errors import AIDeskError
from aidesk.providers import PROVIDERS
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_text, utcnow
from aidesk.sync.policies import POLICY_ONLY, check_value, normal
from aidesk.workspaces import Workspace, Workspaces

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger(__name__)

_CENTRAL_POLICIES = ("SELECT setting, value, mandatory, updated_at FROM ai_team_policies "
                     "WHERE tenant_id = %s ORDER BY setting")
_CENTRAL_CONFIGS = ("SELECT provider, model, base_url, enabled, position, options, updated_at, "
                    "client_uuid FROM ai_configs WHERE tenant_id = %s "
                    "AND source_device IS DISTINCT FROM %s")
_LOCAL_POLICIES = ("SELECT setting, value, mandatory, updated_at FROM team_policies "
                   "WHERE tenant_id = ?")
_STORE_POLICY = ("INSERT INTO team_policies (tenant_id, setting, value, mandatory, updated_at, "
                 "pulled_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant_id, setting) DO "
                 "UPDATE SET value = excluded.value, mandatory = excluded.mandatory, "
                 "updated_at = excluded.updated_at, pulled_at = excluded.pulled_at")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


@dataclass(frozen=True, slots=True)
class Policy:
    setting: str
    value: str
    mandatory: bool
    updated_at: str  # utc_text of the centre's updated_at


def pull(db: Database, store: Workspaces, pg: psycopg.Connection[Any], tenant_id: str,
         device: str) -> int:
    """Bring the tenant's configs and team policies down; return the local rows changed."""
    changed = pull_configs(db, pg, tenant_id, device)
    return changed + pull_policies(db, store, pg, tenant_id)


# -- policies ---------------------------------------------------------------------------------
def pull_policies(db: Database, store: Workspaces, pg: psycopg.Connection[Any],
                  tenant_id: str) -> int:
    central = [Policy(normal(str(s)), str(v), bool(m), _stamp(u))
               for s, v, m, u in pg.execute(_CENTRAL_POLICIES, (tenant_id,)).fetchall()]
    with db.raw() as conn:
        local = {str(s): Policy(str(s), str(v), bool(m), str(u))
                 for s, v, m, u in conn.execute(_LOCAL_POLICIES, (tenant_id,))}
    ws = next((w for w in store.all() if w.tenant_id == tenant_id), None)
    changed = 0
    wanted: set[str] = set()
    # `fallback` first: it turns providers on and off, which a later policy may set again.
    for policy in sorted(central, key=lambda p: (p.setting != "fallback", p.setting)):
        if policy.setting in wanted:  # two spellings of one setting: the first wins
            continue
        if not _valid(store, ws, policy):
            continue
        wanted.add(policy.setting)
        before = local.get(policy.setting)
        new = before != policy
        if ws is not None and policy.setting not in POLICY_ONLY and (new or policy.mandatory):
            applied = _apply(store, ws, policy, force=new)
            if applied is None:
                wanted.discard(policy.setting)
                continue
            changed += applied
        if new:
            with db.writing() as conn:
                conn.execute(_STORE_POLICY, (tenant_id, policy.setting, policy.value,
                                             int(policy.mandatory), policy.updated_at,
                                             utc_text(utcnow())))
            changed += 1
    gone = [s for s in local if s not in wanted]
    if gone:
        with db.writing() as conn:
            conn.executemany("DELETE FROM team_policies WHERE tenant_id = ? AND setting = ?",
                             [(tenant_id, s) for s in gone])
        changed += len(gone)
    return changed


def _valid(store: Workspaces, ws: Workspace | None, policy: Policy) -> bool:
    """Whether the policy names something a team may set; a note in the log when not."""
    if policy.setting in POLICY_ONLY:
        try:
            check_value(policy.setting, policy.value)
        except AIDeskError as exc:
            log.warning("team policy %s skipped: %s", policy.setting, exc.text)
            return False
        return True
    workspace_settings = set(settings.setting_names()) - set(settings.GLOBAL_KEYS) \
        - {settings.SYNC_DSN_KEY}
    if policy.setting not in workspace_settings:
        log.warning("team policy %s skipped: not a workspace setting of this AIDesk version",
                    policy.setting)
        return False
    return True


def _apply(store: Workspaces, ws: Workspace, policy: Policy, *, force: bool) -> int | None:
    """Set the policy's value (a mandatory one only when the setting differs from it unless
    `force`): 1 when applied, 0 when already so, None when the settings refuse the value."""
    if not force and _same(settings.get(store, ws, policy.setting), policy.value):
        return 0
    try:
        settings.set(store, ws, policy.setting, policy.value, by_team=True)
    except AIDeskError as exc:
        log.warning("team policy %s = %r skipped: %s", policy.setting, policy.value[:100],
                    exc.text)
        return None
    return 1


def _same(current: str, wanted: str) -> bool:
    """Whether a setting's shown value is the policy's value, spelled either way."""
    def canon(text: str) -> str:
        text = text.strip().lower()
        if text in _TRUE:
            return "true"
        if text in _FALSE:
            return "false"
        if text in ("", "none", "null", "default"):
            return "none"
        return ",".join(part.strip() for part in text.split(","))

    if canon(current) == canon(wanted):
        return True
    try:
        return float(current) == float(wanted.replace(",", ".") if wanted.count(",") == 1
                                       else wanted)
    except ValueError:
        return False


# -- configs ----------------------------------------------------------------------------------
def pull_configs(db: Database, pg: psycopg.Connection[Any], tenant_id: str,
                 device: str) -> int:
    rows = pg.execute(_CENTRAL_CONFIGS, (tenant_id, device)).fetchall()
    if not rows:
        return 0
    changed = 0
    with db.writing("IMMEDIATE") as conn:  # the write lock: only this pull queues meanwhile
        (queued,) = conn.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()
        local = {str(p): (str(i), str(u)) for i, p, u in conn.execute(
            "SELECT id, provider, updated_at FROM ai_configs WHERE tenant_id = ?",
            (tenant_id,))}
        for provider, model, base_url, enabled, position, options, updated, uuid in rows:
            if provider not in PROVIDERS:
                continue
            stamp = _stamp(updated)
            mine = local.get(provider)
            if mine is not None and mine[1] >= stamp:
                continue
            values = _config_values(provider, model, base_url, enabled, position, options)
            _write_config(conn, tenant_id, provider, mine, values, stamp, uuid)
            changed += 1
        # what came down is what the centre has: the triggers' entries for it need no push
        conn.execute("DELETE FROM sync_outbox WHERE seq > ? AND tbl = 'ai_configs'",
                     (queued,))
    return changed


def _config_values(provider: str, model: object, base_url: object, enabled: object,
                   position: object, options: object) -> dict[str, Any]:
    return {"model": str(model) if model else PROVIDERS[provider].default_model,
            "base_url": str(base_url) if base_url else None,
            "enabled": int(bool(enabled)), "position": int(str(position or 0)),
            "options": json.dumps(options if isinstance(options, dict) else {},
                                  ensure_ascii=False, separators=(",", ":"))}


def _write_config(conn: sqlite3.Connection, tenant_id: str, provider: str,
                  mine: tuple[str, str] | None, values: dict[str, Any], stamp: str,
                  uuid: object) -> None:
    if mine is not None:
        conn.execute(f"UPDATE ai_configs SET {', '.join(f'{k} = ?' for k in values)}, "
                     "updated_at = ? WHERE id = ?", (*values.values(), stamp, mine[0]))
        return
    row_id = str(uuid) if uuid else new_id()
    if conn.execute("SELECT 1 FROM ai_configs WHERE id = ?", (row_id,)).fetchone():
        row_id = new_id()
    columns = {"id": row_id, "tenant_id": tenant_id, "provider": provider, **values,
               "created_at": stamp, "updated_at": stamp}
    conn.execute(f"INSERT INTO ai_configs ({', '.join(columns)}) "
                 f"VALUES ({', '.join('?' * len(columns))})", tuple(columns.values()))


def _stamp(value: object) -> str:
    """The centre's TIMESTAMP (UTC, naive) or TIMESTAMPTZ as the local text form."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return utc_text(aware)
    return utc_text(utcnow())
