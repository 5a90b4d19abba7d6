"""The Settings dialog's work on the worker thread: read every value and the limits' current
use, and save the changed values one by one with aidesk.settings (the CLI's rules)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidesk import formats, settings
from aidesk.errors import AIDeskError, ConfigError
from aidesk.i18n import _

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.router.limits import LimitStatus
    from aidesk.workspaces import Workspace

FIRST = ("fallback",)  # applied before the rest: it turns providers on and off


def amount(limit: str, value: float) -> str:
    if limit == "cost_per_month":
        return formats.money(value)
    return formats.number(value)


def limit_use(status: LimitStatus) -> str:
    """"Used now: 1.200 of 5.000 (24%); resets 25/11/2026 15:00." in the user's language."""
    share = formats.number(100 * status.used / status.value) + "%" if status.value else "—"
    return _("Used now: {used} of {value} ({share}); starts again {when}.").format(
        used=amount(status.limit, status.used), value=amount(status.limit, status.value),
        share=share, when=formats.date_time(status.resets_at))


def load_values(core: Core, ws: Workspace | None
                ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Every setting's value, the current use of each limit that is set, and the settings
    the team's policy sets (setting → value)."""
    from aidesk.router import limits
    from aidesk.storage.values import utcnow

    # read again: the workspace row (its cache TTL) may have changed since the window got it,
    # a team policy pulled by a sync pass for one
    ws = core.workspaces.get(ws.name) if ws else core.workspaces.get()
    values = {key: settings.get(core.workspaces, ws, key) for key in settings.setting_names()}
    with core.db.raw() as conn:
        current = limits.status(conn, ws.tenant_id, core.workspaces.limits(ws.tenant_id, conn),
                                utcnow())
    from aidesk.ui.sync.work import locked

    return values, {f"limits.{s.limit}": limit_use(s) for s in current}, locked(core, ws)


PASSWORD = "sync.password"  # the key of a refused sync password among the errors


async def save_all(core: Core, ws: Workspace | None, changes: dict[str, str],
                   sync_password: str | None = None
                   ) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """`save_values`, then a typed sync password: tried on the centre (off the worker loop)
    and kept in the keyring unless the centre refuses it."""
    errors, notes, values = save_values(core, ws, changes)
    if sync_password is not None:
        import asyncio

        from aidesk.ui.sync.work import save_password

        try:
            await asyncio.to_thread(save_password, core, ws or core.workspaces.get(),
                                    sync_password)
        except AIDeskError as exc:  # the centre or the keyring refused it
            errors[PASSWORD] = exc.user_message
    return errors, notes, values


def save_values(core: Core, ws: Workspace | None, changes: dict[str, str]
                ) -> tuple[dict[str, str], list[str], dict[str, str]]:
    """Save each change: (the refused ones with their reason, notes, the values now)."""
    errors: dict[str, str] = {}
    notes: list[str] = []
    ws = ws or core.workspaces.get()
    order = sorted(changes, key=lambda key: (key not in FIRST, key))
    for key in order:
        try:
            notes += settings.set(core.workspaces, ws, key, changes[key])
        except ConfigError as exc:
            errors[key] = exc.user_message
        if key == "cache.ttl_days" and key not in errors:
            ws = core.workspaces.get(ws.name)  # the workspace row holds the TTL
    values = {key: settings.get(core.workspaces, ws, key) for key in settings.setting_names()}
    return errors, notes, values
