"""A sync status in words: when the last pass was, what is still to send, the last error."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from aidesk import formats
from aidesk.i18n import _, ngettext

if TYPE_CHECKING:
    from aidesk.sync.passes import SyncReport, SyncStatus


def failing(status: SyncStatus) -> bool:
    """The last pass failed (its error is newer than the last success)."""
    if not status.last_error:
        return False
    if status.last_sync_at is None or status.last_error_at is None:
        return True
    return status.last_error_at >= status.last_sync_at


def when(moment: datetime) -> str:
    """14:32 today, else the short date and time, in local time."""
    if formats.local(moment).date() == datetime.now().astimezone().date():
        return formats.time_of_day(moment)
    return formats.date_time(moment)


def pending(count: int) -> str:
    return ngettext("{count} pending", "{count} pending", count).format(
        count=formats.number(count))


def summary(status: SyncStatus) -> tuple[str, str]:
    """(tone, one line) for the status bar: info, or error with the sentence that says what
    to do."""
    if not status.configured:
        return "info", _("Sync off")
    if failing(status):
        return "error", _("Sync failed: {error}").format(error=status.last_error)
    if status.last_sync_at is None:
        return "info", _("Not synced yet · {pending}").format(pending=pending(status.pending))
    return "info", _("Synced {time} · {pending}").format(time=when(status.last_sync_at),
                                                         pending=pending(status.pending))


def details(status: SyncStatus) -> str:
    """Several lines for a tooltip or the Settings page."""
    if not status.configured:
        return _("Sync is off for this workspace: set the central database's address in "
                 "Settings → Sync.")
    lines = [_("Central database: {dsn}").format(dsn=status.dsn)]
    lines.append(_("Last sync: {when}").format(when=formats.date_time(status.last_sync_at))
                 if status.last_sync_at else _("Last sync: never"))
    waiting = ", ".join(f"{table} {formats.number(count)}"
                        for table, count in sorted(status.pending_by_table.items()) if count)
    lines.append(_("Waiting to be sent: {pending}").format(pending=pending(status.pending))
                 + (f" ({waiting})" if waiting else ""))
    if status.last_error:
        at = formats.date_time(status.last_error_at) if status.last_error_at else ""
        lines.append(_("Last error ({when}): {error}").format(when=at, error=status.last_error))
    if status.locked:
        lines.append(ngettext("{count} setting is set by your team's policy.",
                              "{count} settings are set by your team's policy.",
                              len(status.locked)).format(count=len(status.locked)))
    return "\n".join(lines)


def report_text(report: SyncReport) -> str:
    sent = sum(report.pushed.values())
    return _("Synced: {sent} sent, {received} received, {pending}.").format(
        sent=formats.number(sent), received=formats.number(report.pulled),
        pending=pending(report.pending))
