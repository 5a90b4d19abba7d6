"""What the desktop's sync runs on the bridge's worker (never on the UI thread).

A pass (`aidesk.sync.passes.run_pass`) is synchronous psycopg: it runs in a thread of the
worker loop (`asyncio.to_thread`), so other calls go on while the centre answers. asyncio,
the sync modules and psycopg are imported on first use, never at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from aidesk.core import Core
    from aidesk.errors import SyncError
    from aidesk.sync.passes import SyncReport, SyncStatus
    from aidesk.sync.rollout import RolloutResult
    from aidesk.workspaces import Workspace


def status(core: Core, ws: Workspace) -> tuple[SyncStatus, bool]:
    """The shown workspace's sync status, and whether other workspaces sync (their passes
    run in the background too)."""
    from aidesk.sync import passes

    return passes.status(core, ws), bool(_others(core, ws))


async def run_pass(core: Core, ws: Workspace, cancel: threading.Event, *,
                   others: bool = True, progress: Callable[[int, int], None] | None = None,
                   ) -> tuple[SyncReport | None, SyncStatus, bool]:
    """One push-and-pull pass of the shown workspace off the worker loop (when it syncs),
    then one of every other workspace that syncs (their outboxes drain too, one pass at a
    time; not with `others=False`, when the user waits for this one); then the shown one's
    status and whether others sync. A failed pass (an
    AIDeskError, recorded as its target's last error) comes back in the status.
    `progress(done, total)` follows the shown workspace's push, from the pass's thread."""
    import asyncio
    import contextlib

    from aidesk.errors import AIDeskError
    from aidesk.sync import passes, target

    report: SyncReport | None = None
    if target.dsn_of(core.db, ws.tenant_id) is not None:
        with contextlib.suppress(AIDeskError):  # recorded as the last error: status shows it
            report = await asyncio.to_thread(passes.run_pass, core, ws, cancel=cancel,
                                             progress=progress)
    syncing = await asyncio.to_thread(_others, core, ws)
    for other in syncing:
        if cancel.is_set() or not others:
            break
        with contextlib.suppress(AIDeskError):  # shown when that workspace is
            await asyncio.to_thread(passes.run_pass, core, other, cancel=cancel)
    return report, await asyncio.to_thread(passes.status, core, ws), bool(syncing)


def _others(core: Core, ws: Workspace) -> list[Workspace]:
    """The other workspaces that sync with a central database."""
    from aidesk.sync import target

    return [other for other in core.workspaces.all()
            if other.tenant_id != ws.tenant_id and target.dsn_of(core.db, other.tenant_id)]


def _test(core: Core, ws: Workspace, dsn: str, password: str | None) -> SyncError | None:
    """Log in with this DSN (and this password when one is typed: it goes to the keyring
    once the centre accepted it, as `aidesk sync login` does). Raises when the login fails;
    returns what is left to do once logged in (the centre's migrations, the role's tenant)."""
    from aidesk.errors import SyncError
    from aidesk.sync import connect, target

    dsn = target.check_dsn(dsn)
    if password is not None:
        return connect.login(core.keys, ws.tenant_id, dsn, password)
    d = target.parse_dsn(dsn)
    pg = connect.open_connection(dsn, connect.password_of(core.keys, ws.tenant_id))
    try:
        connect.check_schema(pg, d)
        connect.check_tenant(pg, d, ws.tenant_id)
    except SyncError as exc:
        return exc
    finally:
        pg.close()
    return None


async def test_connection(core: Core, ws: Workspace, dsn: str, password: str | None
                          ) -> SyncError | None:
    import asyncio

    return await asyncio.to_thread(_test, core, ws, dsn, password)


async def migrate(core: Core, ws: Workspace, dsn: str) -> None:
    """Run the centre's migrations with this DSN and the stored password."""
    import asyncio

    from aidesk.sync import connect, target

    dsn = target.check_dsn(dsn)
    await asyncio.to_thread(connect.migrate_central, core.keys, ws.tenant_id, dsn)


def has_password(core: Core, ws: Workspace) -> bool:
    return core.keys.get_secret(ws.tenant_id, "sync") is not None


def save_password(core: Core, ws: Workspace, password: str) -> None:
    """Keep the sync password (blocking: tried on the centre first when the workspace has
    one; an unreachable centre does not stop it, a refused password does)."""
    from aidesk.sync import connect, target

    dsn = target.dsn_of(core.db, ws.tenant_id)
    if dsn is None:
        core.keys.set_secret(ws.tenant_id, "sync", password)
        return
    connect.login(core.keys, ws.tenant_id, dsn, password, force=True)


def locked(core: Core, ws: Workspace) -> dict[str, str]:
    """The settings the team's policy holds for this workspace (setting → the policy's value;
    a mandatory fallback order also holds each chat provider's `enabled`)."""
    from aidesk import settings
    from aidesk.sync import policies

    policy = policies.locked(core.db, ws.tenant_id)
    if not policy:
        return {}
    held = {key: lock[1] for key in settings.setting_names()
            if (lock := policies.lock_for(policy, key)) is not None}
    return {**policy, **held}


async def roll_out(core: Core, ws: Workspace, provider: str) -> RolloutResult:
    """Send the workspace's stored key of `provider` to the centre, once the user confirmed
    the question naming the tenant and provider (the core refuses a key that did not pass a
    test in this process)."""
    import asyncio
    from functools import partial

    from aidesk.sync import rollout

    return await asyncio.to_thread(partial(rollout.rollout, core, ws, provider,
                                           confirmed=True))
