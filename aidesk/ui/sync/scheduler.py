"""Background sync: a pass every minute while the shown workspace has a central database
(the other workspaces that sync get theirs in the same job, after it), longer waits after
a failure of the shown one (doubling, up to 10 minutes), a pass right after "Sync now",
and never two passes at once. Passes run on the bridge's worker (in a thread
of its loop); the results come back as the `changed` signal."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from aidesk.ui.sync import work
from aidesk.ui.sync.texts import failing, report_text

if TYPE_CHECKING:
    from aidesk.sync.passes import SyncReport, SyncStatus
    from aidesk.ui.context import UiContext
    from aidesk.workspaces import Workspace


class SyncScheduler(QObject):
    changed = Signal(object)  # the shown workspace's SyncStatus
    busy = Signal()  # a pass started
    # (done, total) outbox entries of the shown workspace's push; emitted on the worker's
    # thread, delivered queued on the UI thread
    progressed = Signal(int, int)

    interval_ms = 60_000
    max_backoff_ms = 600_000
    first_pass_ms = 3_000  # after a workspace opens (the window settles first)

    def __init__(self, ctx: UiContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace: Workspace | None = None
        self.status: SyncStatus | None = None
        self.others = False  # other workspaces sync: passes go on even if this one does not
        self.running = False
        self.passes = 0  # passes finished (for tests)
        self.failures = 0  # failed passes in a row: the wait doubles with each
        self._again = False  # "Sync now" while a pass runs: one more right after it
        self._asked = False  # the running pass was asked for: report its outcome
        self._stopped = False
        self._generation = 0
        self._cancel = threading.Event()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self._run())

    # -- workspace ----------------------------------------------------------------------------
    def set_workspace(self, ws: Workspace) -> None:
        same = self.workspace is not None and self.workspace.tenant_id == ws.tenant_id
        self.workspace = ws
        if same:  # the list was reloaded (a workspace added): the same one stays shown
            self.refresh()
            return
        self._generation += 1
        self.failures = 0
        self.status = None
        self.timer.stop()
        self.refresh(first=True)

    def refresh(self, first: bool = False, retry: bool = False) -> None:
        """Read the shown workspace's status again. `retry`: something was saved (settings,
        a password): a failing sync, or one with a new address, tries again now."""
        ws = self.workspace
        if ws is None or self._stopped or self.ctx.bridge.core is None:
            return
        generation = self._generation
        job = self.ctx.bridge.call(lambda core: work.status(core, ws))
        job.done.connect(lambda r: None if generation != self._generation
                         else self._status_read(*r, first=first, retry=retry))
        job.failed.connect(lambda exc: None if generation != self._generation
                           else self.ctx.messenger.failure(exc))

    def _status_read(self, status: SyncStatus, others: bool, *, first: bool = False,
                     retry: bool = False) -> None:
        previous, self.status, self.others = self.status, status, others
        self.changed.emit(status)
        if self.running and status.configured:
            self.busy.emit()  # still syncing
        if not self._due():
            self.timer.stop()
            return
        again = retry and previous is not None and (previous.dsn != status.dsn
                                                    or failing(previous))
        if again:
            self.failures = 0
        if not self.running and (again or not self.timer.isActive()):
            self.timer.start(self.first_pass_ms if first else 0)

    # -- passes -------------------------------------------------------------------------------
    def sync_now(self) -> None:
        """The user asked: a pass now (or right after the one running)."""
        self._asked = True
        if self.running:
            self._again = True
            return
        self._run()

    def _run(self) -> None:
        ws = self.workspace
        if ws is None or self._stopped:
            return
        if self.running:
            self._again = True
            return
        self.timer.stop()
        self.running = True
        self._again = False
        asked, self._asked = self._asked, False
        self.busy.emit()
        cancel = self._cancel
        generation = self._generation
        job = self.ctx.bridge.run(  # Sync now: the user waits for this workspace only
            lambda core: work.run_pass(core, ws, cancel, others=not asked,
                                       progress=self.progressed.emit))
        job.done.connect(lambda r: self._finished(generation, asked, *r))
        job.failed.connect(lambda exc: self._failed(generation, asked, exc))
        job.cancelled.connect(lambda: setattr(self, "running", False))

    def _finished(self, generation: int, asked: bool, report: SyncReport | None,
                  status: SyncStatus, others: bool) -> None:
        self.running = False
        self.passes += 1
        if generation != self._generation:  # another workspace is shown now
            self._resume()
            return
        self.status, self.others = status, others
        if not status.configured:
            self.failures = 0  # only other workspaces synced
        elif failing(status) or report is None:
            self.failures += 1
            if asked and status.last_error:
                self.ctx.messenger.error(status.last_error)
        else:
            self.failures = 0
            if asked:
                self.ctx.messenger.info(report_text(report))
        self._next()
        self.changed.emit(status)
        if report is not None and report.pulled:
            self.ctx.bridge.configs_changed.emit()  # policies or configs came down

    def _failed(self, generation: int, asked: bool, exc: BaseException) -> None:
        """Not a SyncError (those come back in the status): a setting or a bug."""
        from aidesk.errors import AIDeskError

        self.running = False
        self.passes += 1
        if generation != self._generation:
            self._resume()
            return
        self.failures += 1
        if isinstance(exc, AIDeskError):
            if asked:
                self.ctx.messenger.error(exc.user_message)
            self._next()
            self.refresh()
        else:  # a bug: reported once, no more background passes until asked
            self.ctx.messenger.failure(exc)
        self.changed.emit(self.status)

    def _next(self) -> None:
        if self._stopped:
            return
        if self._again:
            self.timer.start(0)
        elif self.status is None or self._due():
            self.timer.start(self.wait_ms())

    def _resume(self) -> None:
        """A pass of the workspace shown before ended: the shown one's first pass soon."""
        if self._again:
            self.timer.start(0)
        elif (not self._stopped and self.status is not None and self._due()
              and not self.timer.isActive()):
            self.timer.start(self.first_pass_ms)

    def _due(self) -> bool:
        """Passes are due: the shown workspace syncs, or another one does."""
        return self.status is not None and (self.status.configured or self.others)

    def wait_ms(self) -> int:
        """Before the next pass: a minute, doubled after each failure, at most 10 minutes."""
        if not self.failures:
            return self.interval_ms
        return int(min(self.interval_ms * 2 ** self.failures, self.max_backoff_ms))

    def stop(self) -> None:
        """The window closes: no new pass, and the running one stops between batches."""
        self._stopped = True
        self.timer.stop()
        self._cancel.set()

    def connect_widget(self, widget: Any) -> None:
        self.changed.connect(widget.show_status)
        self.busy.connect(widget.show_busy)
        self.progressed.connect(widget.show_progress)
        widget.sync_button.clicked.connect(self.sync_now)
