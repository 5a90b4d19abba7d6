"""The Usage tab's work on the worker thread (no Qt): read the figures and the limits' use,
decide the alerts due, save limits and write the CSV of the figures."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from aidesk import settings
from aidesk.errors import ConfigError
from aidesk.features import usage_alerts, usage_stats
from aidesk.storage.values import utcnow

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.workspaces import Workspace

RANGES = ("today", "7days", "30days", "month", "custom")


def days_of(choice: str, today: date) -> tuple[date, date]:
    """The local days a range choice covers, ending today (custom: the caller's)."""
    if choice == "today":
        return today, today
    if choice == "7days":
        return today - timedelta(days=6), today
    if choice == "month":
        return today.replace(day=1), today
    return today - timedelta(days=29), today


@dataclass(frozen=True, slots=True)
class Loaded:
    figures: usage_stats.Figures
    limits: list[usage_alerts.LimitUse]
    alerts: list[usage_alerts.LimitUse]  # at 80% or more and not yet alerted this period
    locked: dict[str, str] = field(default_factory=dict)  # limits the team's policy sets


def load(core: Core, ws: Workspace, query: usage_stats.Query,
         now: datetime | None = None) -> Loaded:
    now = now or utcnow()
    with core.db.reading() as conn:
        figures = usage_stats.figures(conn, query, now)
    from aidesk.ui.sync.work import locked

    return Loaded(figures, *check(core, ws, now), locked=locked(core, ws))


def check(core: Core, ws: Workspace, now: datetime | None = None
          ) -> tuple[list[usage_alerts.LimitUse], list[usage_alerts.LimitUse]]:
    """The limits' use now and the alerts due (each marked as given for its period)."""
    now = now or utcnow()
    uses = usage_alerts.current(core.db, core.workspaces, ws.tenant_id, now)
    return uses, usage_alerts.due_alerts(core.db, ws.tenant_id, uses, now)


def save_limits(core: Core, ws: Workspace, values: dict[str, str]) -> dict[str, str]:
    """Save each limit through aidesk.settings (the CLI's rules): the refused ones' reasons."""
    errors: dict[str, str] = {}
    for name, raw in values.items():
        try:
            settings.set(core.workspaces, ws, f"limits.{name}", raw.strip() or "none")
        except ConfigError as exc:
            errors[name] = exc.user_message
    return errors


def write_csv(path: Path, rows: list[tuple[str, str, str, object]]) -> None:
    """The figures as (chart, category, series, value) rows, UTF-8 with a BOM for Excel."""
    from aidesk.storage.files import write_whole

    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(("chart", "category", "series", "value"))
    writer.writerows(rows)
    write_whole(path, "\ufeff" + out.getvalue())  # the BOM Excel needs for UTF-8
