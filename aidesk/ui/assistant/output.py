"""The output area: the streamed text, what answered and at what cost, cache and fallback notes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from aidesk import formats
from aidesk.i18n import N_, _
from aidesk.ui.ai_selector import choice_label
from aidesk.ui.names import provider_name, without_name

if TYPE_CHECKING:
    from aidesk.router.results import Hop, RouterResult

STATUS_STYLE = {"": "color: palette(text);", "busy": "color: #1f5fa8;",
                "stopped": "color: #8a5a00;", "failed": "color: #b00020;"}
BADGE_STYLE = ("background: #dff3e4; color: #14532d; border: 1px solid #7bc48f;"
               " border-radius: 8px; padding: 1px 8px;")
NBSP = "\u00a0"
NOTE_STYLE = ("background: #eef3fb; color: #1c3557; border: 1px solid #b6c8e6;"
              " border-radius: 4px; padding: 4px 8px;")


def format_cost(cost: float | None, brl_per_usd: float | None = None) -> str:
    """US$ as the provider bills it, with reais beside it when a rate is set."""
    return formats.money(cost, brl_per_usd)


def format_latency(ms: int) -> str:
    if ms < 1000:
        return _("{ms} ms").format(ms=formats.number(ms))
    return _("{seconds} s").format(seconds=formats.number(ms / 1000, 1))


def summary(result: RouterResult, brl_per_usd: float | None = None) -> str:
    """One line of facts; it wraps only between facts, never inside one."""
    u = result.usage
    parts = [_("Answered by {choice}").format(choice=choice_label(result.provider, result.model)),
             _("{total} tokens ({prompt} in, {completion} out)").format(
                 total=formats.number(u.total_tokens), prompt=formats.number(u.prompt_tokens),
                 completion=formats.number(u.completion_tokens)),
             format_cost(result.cost_usd, brl_per_usd), format_latency(result.latency_ms)]
    return " · ".join(part.replace(" ", NBSP) for part in parts)


def fallback_note(hops: Sequence[Hop], answered_by: str) -> str:
    """What happened before the answer: providers skipped (and why) and those that failed."""
    skipped = [_("{provider} ({reason})").format(provider=provider_name(h.provider),
                                                 reason=h.message)
               for h in hops if h.skipped]
    failed = [_("{provider} failed: {reason}").format(
        provider=provider_name(h.provider), reason=without_name(h.provider, h.message))
        for h in hops if not h.skipped]
    parts = []
    if skipped:
        parts.append(_("Skipped: {providers}.").format(providers=", ".join(skipped)))
    if failed:
        parts.append(_("Fallback used. {failures}").format(failures=" ".join(failed)))
    parts.append(_("{provider} answered.").format(provider=provider_name(answered_by)))
    return " ".join(parts)


TRUNCATED_NOTE = N_("The answer reached the output limit and was cut short. Ask for a "
                    "shorter text or raise the length, then Regenerate.")


class OutputPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.brl_per_usd: float | None = None  # reais per dollar, when a rate is set
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        title = QLabel("<b>{}</b>".format(_("Result")))
        self.status = QLabel()
        self.status.setWordWrap(True)
        head.addWidget(title)
        head.addStretch(1)
        layout.addLayout(head)
        layout.addWidget(self.status)  # its own line: a long failure wraps, never clipped

        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(_("Result text"))
        self.editor.setTabChangesFocus(True)
        self.editor.setPlaceholderText(_("Fill in the task on the left and press Generate "
                                         "(Ctrl+Enter). The text appears here as the AI "
                                         "writes it."))
        title.setBuddy(self.editor)
        layout.addWidget(self.editor, 1)

        info = QHBoxLayout()
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.badge = QLabel(_("From cache"))
        self.badge.setStyleSheet(BADGE_STYLE)
        self.badge.setToolTip(_("This exact request was answered before: the saved answer "
                                "was reused at no cost. Use Regenerate for a fresh one."))
        info.addWidget(self.meta, 1)
        info.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(info)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.note)
        self.clear()

    def text(self) -> str:
        return self.editor.toPlainText()

    def clear(self) -> None:
        self.editor.clear()
        self.editor.setReadOnly(False)
        self._status("", "")
        self._hide_details()

    def begin(self) -> None:
        self.editor.clear()
        self.editor.setReadOnly(True)
        self._status("busy", _("Writing…"))
        self._hide_details()

    def append(self, text: str) -> None:
        cursor = self.editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
        self.editor.ensureCursorVisible()

    def finish(self, result: RouterResult) -> None:
        if self.text() != result.text:
            self.editor.setPlainText(result.text)
        self.editor.setReadOnly(False)
        self._status("", _("Done. You can edit the text before copying or saving it."))
        self.meta.setText(summary(result, self.brl_per_usd))
        self.meta.show()
        self.badge.setVisible(result.cached)
        notes = []
        if result.truncated:
            notes.append(_(TRUNCATED_NOTE))
        if result.hops:
            notes.append(fallback_note(result.hops, result.provider))
        if notes:
            self.note.setText("\n".join(notes))
            self.note.show()

    def stopped(self) -> None:
        self.editor.setReadOnly(False)
        self._status("stopped", _("Stopped. The text below is incomplete.")
                     if self.text() else _("Stopped before any text arrived."))

    def failed(self, message: str) -> None:
        self.editor.setReadOnly(False)
        text = _("The call failed: {reason}").format(reason=message)
        if self.text():
            text += " " + _("The text below is incomplete.")
        self._status("failed", text)

    def state(self) -> str:
        return self.status.property("state") or ""

    def _status(self, state: str, text: str) -> None:
        self.status.setProperty("state", state)
        self.status.setStyleSheet(STATUS_STYLE[state])
        self.status.setText(text)

    def _hide_details(self) -> None:
        self.meta.clear()
        self.meta.hide()
        self.badge.hide()
        self.note.clear()
        self.note.hide()
