"""The Chat tab's AI tools, each on the worker: sentiment of one conversation or of the whole
(filtered) list with progress, Cancel and resume; the summary; suggested replies; translation
of a message (by hand or automatically) and of a reply written in Portuguese.

Failures reach the user through the message channel as one sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from aidesk import formats
from aidesk.errors import AIDeskError
from aidesk.i18n import _, ngettext
from aidesk.ui.chat import work
from aidesk.ui.hints import for_gui
from aidesk.ui.progress import Finished, Progress

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.chat_batch import BatchReport
    from aidesk.ui.bridge import Job
    from aidesk.ui.chat.tab import ChatTab

AUTO_TRANSLATE_AT_ONCE = 20  # messages translated automatically per conversation opened


def reason_of(exc: BaseException) -> str:
    if isinstance(exc, AIDeskError):
        return for_gui(exc.user_message)
    return _("an unexpected error inside AIDesk.")


class Tools(QObject):
    def __init__(self, tab: ChatTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.analysis: Job | None = None
        self.summary_job: Job | None = None
        self.replies_job: Job | None = None
        self.translating: dict[int, Job] = {}  # message row → its translation job
        self.auto_on = False
        self._analysed_ids: list[str] = []
        tab.analyse_button.clicked.connect(self.analyse_current)
        tab.analyse_all_button.clicked.connect(self.analyse_all)
        tab.summarise_button.clicked.connect(self.summarise)
        tab.replies_button.clicked.connect(self.suggest)
        tab.translate_button.clicked.connect(self.translate_selected)
        tab.insights.replies.translate_requested.connect(self.translate_reply)
        for box in (*tab.insights.replies.boxes, tab.insights.replies.result):
            box.copied.connect(self._copied)
        tab.progress.cancel.connect(self.cancel)

    @property
    def analysing(self) -> bool:
        return self.analysis is not None

    @property
    def summarising(self) -> bool:
        return self.summary_job is not None

    @property
    def suggesting(self) -> bool:
        return self.replies_job is not None

    def leave(self) -> None:
        """Another workspace: what runs for this one is cancelled, its late results ignored."""
        jobs = [self.analysis, self.summary_job, self.replies_job, *self.translating.values()]
        self.analysis = self.summary_job = self.replies_job = None
        self.translating.clear()
        for job in jobs:
            if job is not None:
                job.cancel()
        self.tab.progress.stop()

    def _fail(self, exc: BaseException) -> None:
        self.tab.ctx.messenger.failure(exc, self.tab)

    # -- sentiment ----------------------------------------------------------------------------
    def analyse_current(self) -> None:
        if self.tab.current_id is not None:
            self._analyse([self.tab.current_id])

    def analyse_all(self) -> None:
        self._analyse(self.tab.proxy.ids())

    def _analyse(self, ids: list[str]) -> None:
        tab, ws = self.tab, self.tab.workspace
        if ws is None or self.analysing or not ids:
            return
        self._analysed_ids = ids
        tab.progress.start(ngettext("Analysing {n} conversation…",
                                    "Analysing {n} conversations…", len(ids)).format(n=len(ids)))
        job = tab.ctx.bridge.stream(lambda core: work.analyse_stream(core, ws, ids))
        self.analysis = job
        job.item.connect(lambda item: self._analysis_item(job, item))
        job.failed.connect(lambda exc: self._analysis_over(job, exc))
        job.cancelled.connect(lambda: self._analysis_over(job, None))
        tab.update_buttons()

    def _analysis_item(self, job: Job, item: Any) -> None:
        if job is not self.analysis:
            return
        if isinstance(item, Progress):
            self.tab.progress.update_progress(item.done, item.total, _(
                "Labelling messages and conversations: {done} of {total} done…").format(
                    done=formats.number(item.done), total=formats.number(item.total)))
        elif isinstance(item, Finished):
            self.analysis = None
            self.tab.progress.stop()
            self._finished(item.result)
            self._refresh()

    def _finished(self, report: BatchReport) -> None:
        n = len(self._analysed_ids)
        text = ngettext("Sentiment analysed for {n} conversation.",
                        "Sentiment analysed for {n} conversations.", n).format(
                            n=formats.number(n))
        if report.already_labelled:
            text += " " + ngettext(
                "{n} message already had its label and was not sent again.",
                "{n} messages already had their label and were not sent again.",
                report.already_labelled).format(n=formats.number(report.already_labelled))
        if not report.errors:
            self.tab.ctx.messenger.info(text)
            return
        failed = "; ".join(f"{e.title}: {for_gui(e.message)}" for e in report.errors)
        self.tab.ctx.messenger.warning(text + " " + ngettext(
            "Not analysed: {failures} Run the analysis again to retry it.",
            "Not analysed: {failures} Run the analysis again to retry them.",
            len(report.errors)).format(failures=failed))

    def _analysis_over(self, job: Job, exc: BaseException | None) -> None:
        """Failed (exc) or cancelled (None): what was labelled is stored; say how to go on."""
        if job is not self.analysis:
            return
        self.analysis = None
        self.tab.progress.stop()
        if exc is None:
            self.tab.ctx.messenger.info(_(
                "Analysis stopped. The labels so far are kept: run the analysis again to "
                "label only what is left."))
        else:
            self._fail(exc)
        self._refresh()

    def cancel(self) -> None:
        if self.analysis is not None:
            self.analysis.cancel()

    def _refresh(self) -> None:
        """Labels changed: the list and the open conversation show them."""
        self.tab.reload()
        if self.tab.current_id is not None:
            self.tab.open_conversation(self.tab.current_id, keep_view=True)
        self.tab.update_buttons()

    # -- summary ------------------------------------------------------------------------------
    def summarise(self) -> None:
        tab, ws, conversation_id = self.tab, self.tab.workspace, self.tab.current_id
        if ws is None or conversation_id is None or self.summarising:
            return
        tab.insights.setCurrentWidget(tab.insights.summary)
        tab.insights.summary.busy()
        job = tab.ctx.bridge.run(lambda core: work.summarise(core, ws, conversation_id))
        self.summary_job = job

        def done(summary: Any) -> None:
            if job is not self.summary_job:
                return
            self.summary_job = None
            if tab.current_id == conversation_id:
                tab.insights.summary.show_summary(summary)
            tab.ctx.messenger.resolved()
            tab.reload()
            tab.update_buttons()

        def failed(exc: BaseException) -> None:
            if job is not self.summary_job:
                return
            self.summary_job = None
            tab.insights.summary.failed(reason_of(exc))
            self._fail(exc)
            tab.update_buttons()

        job.done.connect(done)
        job.failed.connect(failed)
        tab.update_buttons()

    # -- replies ------------------------------------------------------------------------------
    def suggest(self) -> None:
        tab, ws, conversation_id = self.tab, self.tab.workspace, self.tab.current_id
        if ws is None or conversation_id is None or self.suggesting:
            return
        panel = tab.insights.replies
        tab.insights.setCurrentWidget(panel)
        panel.busy(_("Writing three replies…"))
        job = tab.ctx.bridge.run(lambda core: work.suggest(core, ws, conversation_id))
        self.replies_job = job

        def done(replies: Any) -> None:
            if job is not self.replies_job:
                return
            self.replies_job = None
            if tab.current_id == conversation_id:
                panel.show_replies(replies)
            tab.ctx.messenger.resolved()
            tab.update_buttons()

        def failed(exc: BaseException) -> None:
            if job is not self.replies_job:
                return
            self.replies_job = None
            panel.failed(reason_of(exc))
            self._fail(exc)
            tab.update_buttons()

        job.done.connect(done)
        job.failed.connect(failed)
        tab.update_buttons()

    def translate_reply(self, text: str, language: str) -> None:
        tab, ws = self.tab, self.tab.workspace
        if ws is None:
            return
        panel = tab.insights.replies
        job = tab.ctx.bridge.run(lambda core: work.translate_reply(core, ws, text, language))
        job.done.connect(lambda result: panel.show_translation(result.text))

        def failed(exc: BaseException) -> None:
            panel.translate_button.setEnabled(True)
            self._fail(exc)

        job.failed.connect(failed)

    def _copied(self) -> None:
        self.tab.ctx.messenger.info(_("Copied the reply to the clipboard."))

    # -- translating messages -----------------------------------------------------------------
    def translate_selected(self) -> None:
        row = self.tab.selected_message()
        if row >= 0:
            self.translate(row)

    def translate(self, row: int) -> None:
        tab, ws, conversation_id = self.tab, self.tab.workspace, self.tab.current_id
        if ws is None or conversation_id is None or row in self.translating:
            return
        message = tab.messages.rows[row]
        seq, text, language = message.seq, message.text, message.language
        job = tab.ctx.bridge.run(lambda core: work.translate_message(
            core, ws, conversation_id, seq, text, language))
        self.translating[row] = job

        def done(result: Any) -> None:
            if self.translating.get(row) is not job:
                return
            del self.translating[row]
            if tab.current_id == conversation_id:
                tab.messages.set_translation(row, result.text)
            tab.update_buttons()

        def failed(exc: BaseException) -> None:
            if self.translating.get(row) is not job:
                return
            del self.translating[row]
            self._fail(exc)
            tab.update_buttons()

        job.done.connect(done)
        job.failed.connect(failed)
        tab.update_buttons()

    def messages_shown(self) -> None:
        """A conversation opened: with the setting on, translate its foreign messages (the
        first ones shown, to keep the cost bounded)."""
        if not self.auto_on:
            return
        model = self.tab.messages
        todo = [row for row in range(model.shown)
                if model.rows[row].language not in (None, "pt")
                and model.rows[row].kind == "text" and model.translation(row) is None]
        for row in todo[:AUTO_TRANSLATE_AT_ONCE]:
            self.translate(row)

    def load_auto_translate(self) -> None:
        job = self.tab.ctx.bridge.call(work.auto_translate)
        job.done.connect(self._show_auto_translate)
        job.failed.connect(self._fail)

    def _show_auto_translate(self, on: bool) -> None:
        self.auto_on = bool(on)
        box = self.tab.auto_translate
        box.blockSignals(True)
        box.setChecked(self.auto_on)
        box.blockSignals(False)

    def set_auto_translate(self, on: bool) -> None:
        ws = self.tab.workspace
        if ws is None:
            return
        self.auto_on = on

        def store(core: Core) -> None:
            work.set_auto_translate(core, ws, on)

        job = self.tab.ctx.bridge.call(store)
        job.failed.connect(self._fail)
        if on:
            self.messages_shown()

