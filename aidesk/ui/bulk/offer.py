"""When the app opens: a bulk job left with messages to write (its process was killed, the
computer lost power, it was paused or a limit stopped it) is offered for resume."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from aidesk import formats
from aidesk.i18n import _, ngettext
from aidesk.ui.bulk import work

if TYPE_CHECKING:
    from aidesk.features.bulk_jobs import Job
    from aidesk.ui.main_window import MainWindow

WAIT_MS = 100  # while the window still reads its workspaces
TRIES = 150


def offer_unfinished(window: MainWindow) -> None:
    """Look for an unfinished job on the worker (once the core is open); ask once the
    window has its workspaces."""
    if not window.ctx.messenger.dialogs_enabled:  # `aidesk --smoke`: nobody to answer
        return
    bridge = window.ctx.bridge
    if bridge.core is None:
        asked: list[bool] = []

        def ready(_core: object) -> None:
            if not asked:
                asked.append(True)
                offer_unfinished(window)

        bridge.ready.connect(ready)
        return
    job = bridge.call(work.resumable)
    job.done.connect(lambda found: _when_ready(window, found, TRIES) if found else None)


def _when_ready(window: MainWindow, found: list[Job], tries: int) -> None:
    if window.current is None or not window.workspaces:
        if tries:
            QTimer.singleShot(WAIT_MS, lambda: _when_ready(window, found, tries - 1))
        return
    _ask(window, found[0], len(found))


def question(job: Job, others: int) -> str:
    from aidesk.features.bulk_jobs import JOB_STATUS_LABELS
    from aidesk.ui.hints import for_gui

    left = job.counts.pending + job.counts.running
    why = {"running": _("it was interrupted"), "paused": _("it was paused"),
           "stopped": for_gui(job.stop_reason or _("it was stopped"))}.get(
               job.status, _(JOB_STATUS_LABELS.get(job.status, job.status)))
    text = ngettext(
        "The bulk messages of {file} have {n} lead left to write ({done} of {total} written; "
        "{why}). Write it now?",
        "The bulk messages of {file} have {n} leads left to write ({done} of {total} written; "
        "{why}). Write them now?", left).format(
            file=job.source.replace("\\", "/").rsplit("/", 1)[-1], n=formats.number(left),
            done=formats.number(job.counts.done), total=formats.number(job.counts.total),
            why=why.rstrip("."))
    if others > 1:
        text += " " + ngettext("{n} other job is also unfinished: see the Bulk messages tab.",
                               "{n} other jobs are also unfinished: see the Bulk messages tab.",
                               others - 1).format(n=others - 1)
    return text


def _ask(window: MainWindow, job: Job, count: int) -> None:
    if not window.ctx.messenger.ask(window, _("Unfinished bulk messages"), question(job, count),
                                    _("Resume")):
        return
    index = window.switcher.findData(job.tenant_id)
    if index < 0:
        return
    if window.current is None or window.current.tenant_id != job.tenant_id:
        window.switcher.setCurrentIndex(index)
        window.switcher.activated.emit(index)
    from aidesk.ui.bulk.tab import BulkTab

    page = window.page(BulkTab)
    holder = page.parentWidget()
    if holder is not None:
        window.tabs.setCurrentIndex(window.tabs.indexOf(holder))
    assert isinstance(page, BulkTab)
    page.open_job(job.id, run=True)
