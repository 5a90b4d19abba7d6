"""The Assistant tab: pick a marketing task, fill in the brief, stream the text from the router."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aidesk.errors import AIDeskError, LimitExceeded
from aidesk.features.marketing import MODULE, IncompleteForm, build_prompt, max_tokens
from aidesk.i18n import N_, _
from aidesk.ui.assistant.banner import LimitBanner
from aidesk.ui.assistant.form import FormState, MarketingForm
from aidesk.ui.assistant.output import OutputPanel
from aidesk.ui.context import UiContext, WorkspaceTab

if TYPE_CHECKING:
    from aidesk.router.results import RouterResult
    from aidesk.ui.bridge import Job
    from aidesk.workspaces import Workspace

NO_PROVIDER_HINT = N_("No AI is set up in this workspace yet. Add an API key in the "
                      "Integrations tab, then come back here.")


class AssistantTab(WorkspaceTab):
    title = N_("Assistant")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.job: Job | None = None
        self.result: RouterResult | None = None
        self.generated = False  # a generation ran in this workspace: Regenerate makes sense
        self._states: dict[str, FormState] = {}

        self.banner = LimitBanner()
        self.form = MarketingForm(ctx)
        self.selector = self.form.selector
        self.output = OutputPanel()
        self.generate_button = QPushButton(_("&Generate"))
        self.generate_button.setToolTip(_("Write the text (Ctrl+Enter)"))
        self.generate_button.setDefault(True)
        self.stop_button = QPushButton(_("Stop"))
        self.stop_button.setToolTip(_("Stop writing and keep the text so far (Esc)"))
        self.regenerate_button = QPushButton(_("&Regenerate"))
        self.regenerate_button.setToolTip(
            _("Ask again for a fresh answer, skipping saved answers"))
        self.copy_button = QPushButton(_("&Copy"))
        self.copy_button.setToolTip(_("Copy the text to the clipboard"))
        self.save_button = QPushButton(_("Sa&ve to file…"))
        self.save_button.setToolTip(_("Save the text as a file on this computer"))
        self.hint = QLabel(_(NO_PROVIDER_HINT))
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #8a5a00;")
        self.hint.hide()
        self._build_layout()

        self.generate_button.clicked.connect(lambda: self.generate())
        self.regenerate_button.clicked.connect(lambda: self.generate(use_cache=False))
        self.stop_button.clicked.connect(self.stop)
        self.copy_button.clicked.connect(self.copy)
        self.save_button.clicked.connect(self.save)
        self.output.editor.textChanged.connect(self._update_buttons)
        self.selector.loaded.connect(self._selector_loaded)
        ctx.bridge.router_event.connect(self._router_event)
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.generate, context)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.stop, context)
        from aidesk.ui.assistant.session import AssistantSession

        self.session = AssistantSession(self)  # keeps texts, refines them, the history
        self._update_buttons()

    def _build_layout(self) -> None:
        left = QWidget()
        left_box = QVBoxLayout(left)
        left_box.setContentsMargins(0, 0, 6, 0)
        left_box.addWidget(self.form, 1)
        left_box.addWidget(self.hint)
        row = QHBoxLayout()
        for button in (self.generate_button, self.stop_button, self.regenerate_button):
            row.addWidget(button)
        row.addStretch(1)
        left_box.addLayout(row)

        right = QWidget()
        right_box = QVBoxLayout(right)
        right_box.setContentsMargins(6, 0, 0, 0)
        right_box.addWidget(self.output, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        row.addWidget(self.save_button)
        right_box.addLayout(row)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        left.setMinimumWidth(340)
        right.setMinimumWidth(320)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        order = [*self.form.fields_in_tab_order(), self.generate_button, self.stop_button,
                 self.regenerate_button, self.output.editor, self.copy_button,
                 self.save_button, self.banner.dismiss]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)

    # -- workspace ----------------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        previous = self.workspace
        super().set_workspace(workspace)
        if previous is not None and previous.id == workspace.id:
            self.selector.set_workspace(workspace)  # same workspace: refresh the list only
            return
        self.session.leave(previous)
        if previous is not None:
            self._states[previous.tenant_id] = self.form.state()
        if self.job is not None:
            job, self.job = self.job, None  # its late signals are ignored
            job.cancel()
        self.result, self.generated = None, False
        self.banner.clear()
        self.output.clear()
        self.form.restore(self._states.get(workspace.tenant_id))
        self.selector.set_workspace(workspace)
        self.session.enter(workspace)
        self._update_buttons()

    # -- generating ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None

    def generate(self, use_cache: bool = True) -> None:
        ws = self.workspace
        if ws is None or self.running:
            return
        preset, fields = self.form.state()
        try:
            system, user = build_prompt(preset, fields)
        except IncompleteForm as exc:
            self.ctx.messenger.warning(exc.user_message)
            self.form.field_widget(exc.field).setFocus()
            return
        provider, model = self.selector.choice()
        tokens = max_tokens(fields.length)
        self.result = None
        self.banner.clear()
        self.session.starting_prompt(system, user)
        self.output.begin()
        job = self.ctx.bridge.stream(lambda core: core.router.stream(
            ws, user, system=system, provider=provider, model=model, module=MODULE,
            max_tokens=tokens, use_cache=use_cache))
        self.job = job
        job.item.connect(lambda item: self._item(job, item))
        job.done.connect(lambda _: self._done(job))
        job.failed.connect(lambda exc: self._failed(job, exc))
        job.cancelled.connect(lambda: self._cancelled(job))
        self.generated = True
        self._update_buttons()

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.stop_button.setEnabled(False)
            self.output.status.setText(_("Stopping…"))

    def _item(self, job: Job, item: object) -> None:
        if job is not self.job:
            return
        from aidesk.router.results import RouterResult

        if isinstance(item, RouterResult):
            self.result = item
        else:
            self.output.append(getattr(item, "text", ""))

    def _done(self, job: Job) -> None:
        if job is not self.job:
            return
        self.job = None
        if self.result is not None:
            self.output.finish(self.result)
        self.session.finished(self.result)
        self._update_buttons()

    def _cancelled(self, job: Job) -> None:
        if job is not self.job:
            return
        self.job = None
        self.output.stopped()
        self.session.lost(None)
        self._update_buttons()

    def _failed(self, job: Job, exc: BaseException) -> None:
        if job is not self.job:
            return
        self.job = None
        if isinstance(exc, LimitExceeded):
            self.banner.show_refusal(exc.limit, exc.used, exc.value, exc.resets_at)
            self.output.failed(_("a workspace limit was reached (see the message above)."))
        else:
            self.ctx.messenger.failure(exc, self)
            self.output.failed(exc.user_message if isinstance(exc, AIDeskError)
                               else _("an unexpected error inside AIDesk."))
        self.session.lost(exc)  # the previous text back, the message without CLI hints
        self._update_buttons()

    def _router_event(self, event: object) -> None:
        from aidesk.router.results import LimitWarning

        ws = self.workspace
        if isinstance(event, LimitWarning) and ws is not None and event.tenant_id == ws.tenant_id:
            s = event.status
            self.banner.show_warning(s.limit, s.used, s.value, s.resets_at)

    def _selector_loaded(self) -> None:
        self.hint.setVisible(not self.selector.providers())

    def _update_buttons(self) -> None:
        running = self.running
        has_text = bool(self.output.text())
        self.generate_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.regenerate_button.setEnabled(not running and self.generated)
        self.copy_button.setEnabled(has_text)
        self.save_button.setEnabled(has_text and not running)

    # -- copy and save ------------------------------------------------------------------------
    def copy(self) -> None:
        QApplication.clipboard().setText(self.output.text())
        self.ctx.messenger.info(_("Copied the text to the clipboard."))

    def save(self) -> None:
        folder = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        suggested = str(Path(folder) / f"{self.form.preset_id().replace('_', '-')}.txt")
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Save the text"), suggested, ";;".join((
                _("Text files (*.txt)"), _("Markdown (*.md)"), _("All files (*)"))))
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> bool:
        """Write the text as UTF-8; say where, or why it failed."""
        try:
            path.write_text(self.output.text(), encoding="utf-8")
        except OSError as exc:
            self.ctx.messenger.error(_("Could not save to {path}: {reason}. Pick another "
                                       "folder or file name.").format(
                                           path=path, reason=exc.strerror or exc))
            return False
        self.ctx.messenger.info(_("Saved to {path}.").format(path=path))
        return True
