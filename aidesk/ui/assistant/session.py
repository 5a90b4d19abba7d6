"""What keeps generated copy from being lost, and the conversation that refines it.

- Before each generation the current text is kept; a refused or failed call (or one stopped
  before any text arrived) puts it back.
- Each workspace's text, facts and conversation are kept when switching away and shown again
  when switching back.
- A follow-up instruction ("mais curto", "mais formal") sends the conversation so far (the
  request, the current text as the answer, then the instruction) as one ChatRequest.
- The history panel (aidesk.ui.assistant.history) reopens, copies or reuses past results.
- A failure's message goes when its cause is fixed (providers or settings changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLineEdit, QPushButton, QSplitter

from aidesk import formats
from aidesk.errors import AIDeskError, LimitExceeded
from aidesk.features.history import HistoryEntry, follow_up
from aidesk.features.marketing import MODULE, MarketingFields, max_tokens
from aidesk.i18n import _
from aidesk.providers.base import ChatRequest, Message
from aidesk.ui import icons
from aidesk.ui.assistant.history import HistoryPanel
from aidesk.ui.hints import for_gui

if TYPE_CHECKING:
    from aidesk.router.results import RouterResult
    from aidesk.ui.assistant.tab import AssistantTab
    from aidesk.workspaces import Workspace


@dataclass
class Kept:
    text: str
    result: RouterResult | None
    conversation: tuple[Message, ...]
    status: tuple[str, str]


class AssistantSession(QObject):
    def __init__(self, tab: AssistantTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.conversation: tuple[Message, ...] = ()  # the messages behind the current text
        self._pending: tuple[Message, ...] = ()
        self._before: Kept | None = None
        self._kept: dict[str, Kept] = {}

        self.refine_edit = QLineEdit()
        self.refine_edit.setPlaceholderText(_("Refine this text, e.g. shorter, more formal"))
        self.refine_edit.setAccessibleName(_("Follow-up instruction"))
        self.refine_button = QPushButton(_("Re&fine"))
        self.refine_button.setToolTip(_("Rewrite the current text following your instruction"))
        icons.use(self.refine_button, "refine")
        self.history_button = QPushButton(_("&History"))
        self.history_button.setCheckable(True)
        self.history_button.setToolTip(_("Show past results of this workspace"))
        icons.use(self.history_button, "history")
        self.history = HistoryPanel(tab.ctx)
        self.history.setMinimumWidth(260)
        self.history.hide()
        self._place()

        self.refine_button.clicked.connect(self.refine)
        self.refine_edit.returnPressed.connect(self.refine)
        self.history_button.toggled.connect(self.show_history)
        self.history.reopen.connect(self.reopen)
        self.history.use_as_start.connect(self.use_as_start)
        tab.output.editor.textChanged.connect(self.update_buttons)
        tab.ctx.bridge.configs_changed.connect(self.cause_fixed)
        self.update_buttons()

    def _place(self) -> None:
        """The follow-up row under the result, the History button beside Copy, the panel as
        a third pane on the right."""
        right = self.tab.output.parentWidget()
        box = right.layout() if right is not None else None
        assert isinstance(box, QBoxLayout)
        row = QHBoxLayout()
        row.addWidget(self.refine_edit, 1)
        row.addWidget(self.refine_button)
        box.insertLayout(1, row)
        last = box.itemAt(box.count() - 1)
        actions = last.layout() if last is not None else None
        if isinstance(actions, QBoxLayout):
            actions.insertWidget(0, self.history_button)
        else:
            row.addWidget(self.history_button)
        splitter = self.tab.findChild(QSplitter)
        assert splitter is not None
        splitter.addWidget(self.history)
        splitter.setCollapsible(2, True)

    # -- the tab's hooks ----------------------------------------------------------------------
    def starting_prompt(self, system: str | None, user: str) -> None:
        self.starting(((Message("system", system),) if system else ()) + (Message("user", user),))

    def starting(self, messages: tuple[Message, ...]) -> None:
        """A generation begins (before the output is cleared): keep what is shown now."""
        self._before = self.snapshot() if self.tab.output.text() else None
        self._pending = messages

    def finished(self, result: RouterResult | None) -> None:
        if result is not None:
            self.conversation = (*self._pending, Message("assistant", result.text))
        self._before = None
        self.update_buttons()
        self.tab.ctx.messenger.resolved()
        if self.history.isVisible():
            self.history.reload()

    def lost(self, exc: BaseException | None) -> None:
        """The call failed (exc) or was stopped (None): put the previous text back unless the
        stopped call already wrote some."""
        before, self._before = self._before, None
        output = self.tab.output
        self.update_buttons()
        if before is None or (exc is None and output.text()):
            if exc is not None:
                output._status("failed", self._failure(exc))
            return
        output.editor.setPlainText(before.text)
        self.tab.result = before.result
        if exc is None:
            output._status("stopped", _("Stopped before any new text arrived; your previous "
                                        "text is kept."))
        else:
            output._status("failed", self._failure(exc) + " "
                           + _("Your previous text is kept."))
        self.tab._update_buttons()

    @staticmethod
    def _failure(exc: BaseException) -> str:
        if isinstance(exc, LimitExceeded):
            reason = _("a workspace limit was reached (see the message above).")
        elif isinstance(exc, AIDeskError):
            reason = for_gui(exc.user_message)
        else:
            reason = _("an unexpected error inside AIDesk.")
        return _("The call failed: {reason}").format(reason=reason)

    def leave(self, workspace: Workspace | None) -> None:
        if workspace is not None:
            self._kept[workspace.tenant_id] = self.snapshot()
        self.conversation, self._before = (), None

    def enter(self, workspace: Workspace) -> None:
        if self.history.isVisible():
            self.history.set_workspace(workspace)
        else:
            self.history.workspace = workspace
        kept = self._kept.pop(workspace.tenant_id, None)
        if kept is None or not kept.text:
            return
        output = self.tab.output
        if kept.result is not None and kept.result.text == kept.text:
            output.finish(kept.result)
        else:
            output.editor.setPlainText(kept.text)
        output._status(*kept.status)
        self.tab.result, self.tab.generated = kept.result, True
        self.conversation = kept.conversation
        self.tab._update_buttons()

    def snapshot(self) -> Kept:
        output = self.tab.output
        return Kept(output.text(), self.tab.result, self.conversation,
                    (output.state(), output.status.text()))

    # -- follow-up ----------------------------------------------------------------------------
    def refine(self) -> None:
        tab, instruction = self.tab, self.refine_edit.text().strip()
        text = tab.output.text().strip()
        if tab.workspace is None or tab.running or not instruction or not text:
            return
        if self.conversation:  # the text as it is now, edits included, is the last answer
            base = (*self.conversation[:-1], Message("assistant", text))
            messages = follow_up(base, instruction)
        else:  # a text typed or pasted by hand
            messages = (Message("user", f"{instruction}\n\n{text}"),)
        self.refine_edit.clear()
        self.run(messages, tab.form.fields().length)

    def run(self, messages: tuple[Message, ...], length: str, use_cache: bool = True) -> None:
        tab, ws = self.tab, self.tab.workspace
        assert ws is not None
        provider, model = tab.selector.choice()
        request = ChatRequest(messages, "", max_tokens=max_tokens(length))
        self.starting(messages)
        tab.result = None
        tab.banner.clear()
        tab.output.begin()
        job = tab.ctx.bridge.stream(lambda core: core.router.stream(
            ws, request, provider=provider, model=model, module=MODULE, use_cache=use_cache))
        tab.job = job
        job.item.connect(lambda item: tab._item(job, item))
        job.done.connect(lambda _: tab._done(job))
        job.failed.connect(lambda exc: tab._failed(job, exc))
        job.cancelled.connect(lambda: tab._cancelled(job))
        tab._update_buttons()
        self.update_buttons()

    def update_buttons(self) -> None:
        has_text = bool(self.tab.output.text().strip())
        self.refine_button.setEnabled(has_text and not self.tab.running)
        self.refine_edit.setEnabled(has_text)

    # -- history ------------------------------------------------------------------------------
    def show_history(self, on: bool) -> None:
        self.history.setVisible(on)
        if on and self.tab.workspace is not None:
            self.history.set_workspace(self.tab.workspace)
            self.history.search.setFocus()

    def reopen(self, entry: HistoryEntry) -> None:
        if self.tab.running:
            return
        output = self.tab.output
        output.clear()
        output.editor.setPlainText(entry.response)
        output._status("", _("Reopened the result of {when}. Edit, copy or refine it.").format(
            when=formats.date_time(entry.created_at)))
        self.tab.result, self.tab.generated = None, False
        self.conversation = entry.conversation()
        self.tab._update_buttons()

    def use_as_start(self, entry: HistoryEntry) -> None:
        keep = self.tab.form.fields()
        self.tab.form.restore(("rewrite", MarketingFields(
            product=keep.product, audience=keep.audience, tone=keep.tone,
            language=keep.language, length=keep.length, prompt=entry.response)))
        self.tab.form.prompt.setFocus()
        self.tab.ctx.messenger.info(_("The past text is in the Rewrite task: add what to "
                                      "change and press Generate."))

    def cause_fixed(self) -> None:
        """Providers or settings changed: a failure they may have caused is old news."""
        output = self.tab.output
        if output.state() == "failed" and not self.tab.running:
            output._status("", _("Settings changed since the last call failed: press "
                                 "Generate to try again."))
        if self.tab.banner.kind == "refused":
            self.tab.banner.clear()
        self.tab.ctx.messenger.resolved()
