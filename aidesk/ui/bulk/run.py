"""The Bulk messages tab's work with the AI: the preview (three messages and the estimate),
the run as a stream of progress on the bridge, Pause, Resume and Cancel, and the progress
row's sentence (done of total, pace, time left, a provider asking to wait)."""

from __future__ import annotations

import html
import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from aidesk import formats
from aidesk.i18n import _, ngettext
from aidesk.ui.bulk import work

if TYPE_CHECKING:
    from aidesk.features.bulk_control import Control, RunProgress
    from aidesk.ui.bridge import Job as BridgeJob
    from aidesk.ui.bulk.tab import BulkTab

REFRESH_S = 0.5  # the table is read again at most this often while the run goes


class Runner(QObject):
    def __init__(self, tab: BulkTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.stream: BridgeJob | None = None
        self.control: Control | None = None
        self.paused = False
        self.last: RunProgress | None = None
        self._refreshed = 0.0
        tab.preview_button.clicked.connect(self.preview)
        tab.run_button.clicked.connect(lambda: self.start())
        tab.pause_button.clicked.connect(lambda: self._steer("pause"))
        tab.resume_button.clicked.connect(lambda: self._steer("resume"))
        tab.cancel_button.clicked.connect(lambda: self._steer("cancel"))

    @property
    def running(self) -> bool:
        return self.stream is not None

    # -- preview ------------------------------------------------------------------------------
    def preview(self) -> None:
        tab, ws, leads = self.tab, self.tab.workspace, self.tab.leads
        if ws is None or leads is None or tab.busy or self.running:
            return
        brief = tab.brief.text()
        replaces = tab.job.id if tab.job is not None and tab.job.status == "ready" else None
        tab.busy = True
        tab.preview_view.setHtml("<p>{}</p>".format(html.escape(_(
            "Writing the first three messages…"))))
        tab.status.setText(_("Writing the preview…"))
        tab.bar.setRange(0, 0)
        job = tab.ctx.bridge.run(lambda core: work.prepare(core, ws, leads, brief, replaces))
        job.done.connect(self._previewed)
        job.failed.connect(self._preview_failed)
        tab.update_state()

    def _previewed(self, prepared: work.Prepared) -> None:
        tab = self.tab
        tab.busy = False
        tab.job = None  # shown afresh
        tab.show_job(prepared.job, keep_brief=True)
        tab.reload(prepared.job.id)
        tab.preview_view.setHtml(preview_html(prepared))
        if prepared.preview.stop is not None:
            tab.ctx.messenger.error(prepared.preview.stop.user_message)
        else:
            tab.ctx.messenger.info(_("Preview ready: read the three messages, then write the "
                                     "rest."))

    def _preview_failed(self, exc: BaseException) -> None:
        tab = self.tab
        tab.busy = False
        tab.preview_view.clear()
        self.show_counts()
        tab.update_state()
        tab.ctx.messenger.failure(exc, tab)

    # -- the run ------------------------------------------------------------------------------
    def run_text(self) -> str:
        job = self.tab.job
        if job is None:
            return _("&Write all messages")
        c = job.counts
        left = c.pending + (c.running if not self.running else 0)
        if job.status == "ready" and left:
            return ngettext("&Write the other {n} message", "&Write the other {n} messages",
                            left).format(n=formats.number(left))
        if left:
            return ngettext("&Write the {n} message left", "&Write the {n} messages left",
                            left).format(n=formats.number(left))
        if c.failed:
            return ngettext("&Write the {n} failed again", "&Write the {n} failed again",
                            c.failed).format(n=formats.number(c.failed))
        return _("All messages &written")

    def can_run(self) -> bool:
        job = self.tab.job
        if job is None or self.running or self.tab.stale:
            return False
        return bool(job.counts.pending or job.counts.running or job.counts.failed)

    def start(self, retry_failed: bool | None = None) -> None:
        tab, ws, job = self.tab, self.tab.workspace, self.tab.job
        if ws is None or job is None or self.running or tab.stale:
            return
        if retry_failed is None:
            retry_failed = not (job.counts.pending or job.counts.running)
        control = work.new_control()
        self.control, self.paused, self.last = control, False, None
        tab.leads = None  # the batch is this job now: its brief is kept as it is
        job_id = job.id
        stream = tab.ctx.bridge.stream(
            lambda core: work.run_stream(core, ws, job_id, control, retry_failed))
        self.stream = stream
        stream.item.connect(lambda item: self._item(stream, item))
        stream.failed.connect(lambda exc: self._ended(stream, None, exc))
        stream.cancelled.connect(lambda: self._ended(stream, None, None))
        tab.status.setText(_("Starting…"))
        tab.bar.setRange(0, 0)
        tab.update_state()

    def _steer(self, action: str) -> None:
        control = self.control
        if control is None or self.stream is None:
            return
        self.paused = action == "pause"
        if action == "cancel":
            self.tab.status.setText(_("Stopping after the messages being written…"))
            self.tab.cancel_button.setEnabled(False)
        self.tab.ctx.bridge.call(lambda _core: getattr(control, action)())
        self.update_buttons()

    def _item(self, stream: BridgeJob, item: Any) -> None:
        if stream is not self.stream:
            return
        if isinstance(item, work.Ended):
            self._ended(stream, item, None)
            return
        self.last = item
        self.paused = item.paused
        self._show_progress(item)
        self.tab.job_moved(item.counts, "paused" if item.paused else "running")
        now = time.monotonic()
        if now - self._refreshed > REFRESH_S:
            self._refreshed = now
            self.tab.model.refresh()
        self.update_buttons()

    def _ended(self, stream: BridgeJob, ended: work.Ended | None,
               exc: BaseException | None) -> None:
        if stream is not self.stream:
            return
        self.stream = self.control = None
        tab = self.tab
        ws = tab.workspace
        if ended is not None:
            if ws is not None and ended.job.tenant_id == ws.tenant_id:
                from aidesk.ui.bulk.texts import summary_html

                tab.show_job(ended.job)
                tab.preview_view.setHtml(summary_html(ended.job))  # the preview is old news
            say_outcome(tab, ended)
        elif exc is not None:
            tab.ctx.messenger.failure(exc, tab)
        tab.reload()
        self.show_counts()
        tab.update_state()

    # -- the progress row ---------------------------------------------------------------------
    def _show_progress(self, p: RunProgress) -> None:
        tab = self.tab
        total = max(1, p.counts.total)
        tab.bar.setRange(0, total)
        tab.bar.setValue(p.counts.finished)
        tab.status.setText(progress_text(p))

    def show_counts(self) -> None:
        """The job's state in the progress row when nothing runs."""
        if self.running:
            return
        tab, job = self.tab, self.tab.job
        if job is None:
            tab.bar.setRange(0, 1)
            tab.bar.setValue(0)
            tab.status.setText(_("Open a leads CSV, write the brief, then Preview.")
                               if tab.leads is None else
                               _("Write the brief, then Preview the first three messages."))
            return
        from aidesk.features.bulk_jobs import JOB_STATUS_LABELS

        c = job.counts
        tab.bar.setRange(0, max(1, c.total))
        tab.bar.setValue(c.finished)
        text = _("{status}: {done} of {total} written").format(
            status=_(JOB_STATUS_LABELS.get(job.status, job.status)),
            done=formats.number(c.done), total=formats.number(c.total))
        if c.failed:
            text += ngettext(", {n} failed", ", {n} failed", c.failed).format(
                n=formats.number(c.failed))
        if job.stop_reason and job.status == "stopped":
            from aidesk.ui.hints import for_gui

            text += ". " + for_gui(job.stop_reason)  # a reason stored by the command line too
        tab.status.setText(text)

    def update_buttons(self) -> None:
        tab, running = self.tab, self.running
        tab.pause_button.setVisible(not (running and self.paused))
        tab.resume_button.setVisible(running and self.paused)
        tab.pause_button.setEnabled(running and not self.paused)
        tab.resume_button.setEnabled(running and self.paused)
        if not running:
            tab.cancel_button.setEnabled(False)
        elif self.control is not None and not self.control.cancelled:
            tab.cancel_button.setEnabled(True)


def progress_text(p: RunProgress) -> str:
    """"340 of 1,000 written · 12.5/s · about 1 min left · OpenAI asked to wait 12 s"."""
    from aidesk.providers import named

    parts = [_("{done} of {total} written").format(done=formats.number(p.counts.done),
                                                   total=formats.number(p.counts.total))]
    if p.counts.failed:
        parts.append(ngettext("{n} failed", "{n} failed", p.counts.failed).format(
            n=formats.number(p.counts.failed)))
    if p.paused:
        parts.append(_("paused"))
    elif p.stopping:
        parts.append(_("stopping"))
    else:
        if p.per_second:
            parts.append(_("{rate} per second").format(rate=formats.number(p.per_second, 1)))
        parts.append(_("about {time} left").format(time=duration(p.eta_s))
                     if p.eta_s is not None else _("estimating the time left…"))
    for provider, seconds in p.waiting.items():
        parts.append(_("{provider} asked to wait {seconds} s").format(
            provider=named(provider), seconds=formats.number(max(1, round(seconds)))))
    return " · ".join(parts)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    if seconds < 90:
        return ngettext("{n} second", "{n} seconds", max(1, round(seconds))).format(
            n=max(1, round(seconds)))
    if seconds < 90 * 60:
        return ngettext("{n} minute", "{n} minutes", round(seconds / 60)).format(
            n=round(seconds / 60))
    return _("{n} hours").format(n=formats.number(seconds / 3600, 1))


def say_outcome(tab: BulkTab, ended: work.Ended) -> None:
    report, c = ended.report, ended.job.counts
    if report.stop is not None:
        tab.ctx.messenger.error(report.stop.user_message)
        return
    text = _("{done} of {total} messages written.").format(done=formats.number(c.done),
                                                            total=formats.number(c.total))
    if report.status == "cancelled":
        text = _("Stopped: {written}").format(written=text) + " " + _(
            "The rest can be written later.")
    if c.failed:
        text += " " + ngettext("{n} lead failed: its reason is on its row.",
                               "{n} leads failed: each reason is on its row.",
                               c.failed).format(n=formats.number(c.failed))
        tab.ctx.messenger.warning(text)
    else:
        tab.ctx.messenger.info(text)


def preview_html(prepared: work.Prepared) -> str:
    """The three messages, then the estimate, as rich text."""
    from aidesk.ui.bulk.models import language_text

    out = ["<p><b>{}</b></p>".format(html.escape(_("Preview")))]
    if prepared.estimate_text:  # first: what the rest will cost, then the three messages
        out.append(f"<p><i>{html.escape(prepared.estimate_text)}</i></p>")
    for item in sorted(prepared.preview.items, key=lambda i: i.seq):
        who = html.escape(item.lead or _("line {n}").format(n=item.line))
        head = f"<b>{item.seq + 1}. {who}</b> · {html.escape(language_text(item.language))}"
        if item.message is not None:
            body = html.escape(item.message).replace("\n", "<br>")
        else:
            body = '<span style="color:#c62828">{}</span>'.format(html.escape(
                _("failed: {reason}").format(reason=item.error or "")))
        out.append(f"<p>{head}<br>{body}</p>")
    if prepared.preview.stop is not None:
        out.append('<p style="color:#c62828">{}</p>'.format(html.escape(
            prepared.preview.stop.user_message)))
    return "".join(out)
