"""What the Audit tab runs on the bridge's worker (never on the UI thread)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from aidesk import settings
from aidesk.features import audit_export, audit_log
from aidesk.features.audit_log import AuditDetail, AuditFilter, AuditRow, Cursor
from aidesk.ui.progress import Finished, Progress

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.workspaces import Workspace

CHOICE_COLUMNS = ("provider", "model", "user_id", "module")


def page(core: Core, tenant_id: str, flt: AuditFilter, after: Cursor | None,
         limit: int = audit_log.PAGE_SIZE) -> list[AuditRow]:
    return audit_log.page(core.db, tenant_id, flt, after, limit)


def detail(core: Core, tenant_id: str, audit_id: str) -> AuditDetail | None:
    return audit_log.detail(core.db, tenant_id, audit_id)


def choices(core: Core, tenant_id: str) -> dict[str, list[str]]:
    """The values each filter can take in this workspace (each read along its index)."""
    found: dict[str, list[str]] = {}
    with core.db.raw() as conn:
        for column in CHOICE_COLUMNS:  # a fixed name, never user input
            found[column] = [str(r[0]) for r in conn.execute(
                f"SELECT DISTINCT {column} FROM ai_audit_logs WHERE tenant_id = ? "
                f"AND {column} IS NOT NULL ORDER BY {column}", (tenant_id,))]
    return found


def brl_rate(core: Core) -> float | None:
    return settings.brl_per_usd(core.workspaces)


def retention(core: Core) -> tuple[int | None, bool]:
    return (settings.audit_retention_days(core.workspaces),
            settings.audit_keep_text(core.workspaces))


def set_retention(core: Core, ws: Workspace, days: int | None, keep_text: bool) -> None:
    settings.set(core.workspaces, ws, settings.AUDIT_RETENTION_KEY,
                 "none" if days is None else str(days))
    settings.set(core.workspaces, ws, settings.AUDIT_KEEP_TEXT_KEY,
                 "true" if keep_text else "false")


async def purge(core: Core, now: datetime) -> int:
    """Apply `audit.retention_days` now (nothing when it is off); return the rows deleted.
    A transaction of a thousand rows at a time, other work running in between."""
    days = settings.audit_retention_days(core.workspaces)
    deleted = 0
    if days is not None:
        for gone in audit_export.purge_batches(core.db, days, now):
            deleted += gone
            await asyncio.sleep(0)
    return deleted


async def export(core: Core, tenant_id: str, flt: AuditFilter,
                 path: Path) -> AsyncIterator[Progress | Finished]:
    """Write the CSV a chunk at a time, yielding to other work between chunks; a cancelled
    job leaves no file behind."""
    total = audit_export.count(core.db, tenant_id, flt)
    yield Progress(0, total)
    written = 0
    partial = path.with_name(path.name + ".part")
    try:
        chunks = audit_export.csv_chunks(core.db, tenant_id, flt)
        with partial.open("wb") as out, closing(chunks):
            for data, rows in chunks:
                out.write(data)
                written += rows
                if rows:
                    yield Progress(written, total)
                await asyncio.sleep(0)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    yield Finished(written)
