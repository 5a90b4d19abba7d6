"""What the desktop's sync runs on the bridge's worker (never on the UI thread).

A pass (`aidesk.sync.passes.run_pass`) is synchronous psycopg: it runs in a thread of the
worker loop (`asyncio.to_thread`), so other calls go on while the centre answers. asyncio,
the sync modules and psycopg are imported on first use, never at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import threading

    from aidesk.core import Core
    from aidesk.sync.passes import SyncReport, SyncStatus
    from aidesk.sync.rollout import RolloutResult
    from aidesk.workspaces import Workspace


def status(core: Core, ws: Workspace) -> SyncStatus:
    from aidesk.sync import passes

    return passes.status(core, ws)


async def run_pass(core: Core, ws: Workspace, cancel: threading.Event
                   ) -> tuple[SyncReport | None, SyncStatus]:
    """One push-and-pull pass off the worker loop, then the status after it. A failed pass
    (an AIDeskError, already recorded as the target's last error) comes back in the status."""
    import asyncio
    import contextlib

    from aidesk.errors import AIDeskError
    from aidesk.sync import passes

    report: SyncReport | None = None
    with contextlib.suppress(AIDeskError):  # recorded as the last error: the status shows it
        report = await asyncio.to_thread(passes.run_pass, core, ws, cancel=cancel)
    return report, await asyncio.to_thread(passes.status, core, ws)


def _test(core: Core, ws: Workspace, dsn: str, password: str | None) -> None:
    """Connect with this DSN (and this password, kept in the keyring only if it works)."""
    from aidesk.sync import connect, target

    dsn = target.check_dsn(dsn)
    keys, tenant = core.keys, ws.tenant_id
    if password is None:
        connect.connect(keys, tenant, dsn).close()
        return
    before = keys.get_secret(tenant, "sync")
    keys.set_secret(tenant, "sync", password)
    try:
        connect.connect(keys, tenant, dsn).close()
    except BaseException as exc:
        from aidesk.errors import SyncSchemaMissing

        if not isinstance(exc, SyncSchemaMissing):  # the password was right: keep it
            if before is None:
                keys.remove_secret(tenant, "sync")
            else:
                keys.set_secret(tenant, "sync", before)
        raise


async def test_connection(core: Core, ws: Workspace, dsn: str, password: str | None) -> None:
    import asyncio

    await asyncio.to_thread(_test, core, ws, dsn, password)


async def migrate(core: Core, ws: Workspace, dsn: str) -> None:
    """Run the centre's migrations with this DSN and the stored password."""
    import asyncio

    from aidesk.sync import connect, target

    dsn = target.check_dsn(dsn)
    await asyncio.to_thread(connect.migrate_central, core.keys, ws.tenant_id, dsn)


def has_password(core: Core, ws: Workspace) -> bool:
    return core.keys.get_secret(ws.tenant_id, "sync") is not None


def save_password(core: Core, ws: Workspace, password: str) -> None:
    core.keys.set_secret(ws.tenant_id, "sync", password)


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
