"""The side panel of a conversation: its summary and three suggested replies.

The summary (executive summary, open questions, next steps) is stored with the conversation
and shown again when it is reopened. Replies are editable, each with Copy; a reply written in
Portuguese can be translated to the customer's language.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _
from aidesk.ui import icons
from aidesk.ui.chat.looks import language_name

if TYPE_CHECKING:
    from aidesk.features.chat import Replies, Summary


def summary_text(summary: Summary) -> str:
    """The summary as plain text, for the clipboard."""
    parts = [_("Executive summary"), summary.executive_summary, ""]
    for title, items in ((_("Open questions"), summary.open_questions),
                         (_("Next steps"), summary.next_steps)):
        parts.append(title)
        parts += [f"- {item}" for item in items] or [_("(none)")]
        parts.append("")
    return "\n".join(parts).strip()


def summary_html(summary: Summary) -> str:
    def items(values: list[str]) -> str:
        if not values:
            return "<p><i>{}</i></p>".format(escape(_("None.")))
        return "<ul>" + "".join(f"<li>{escape(v)}</li>" for v in values) + "</ul>"

    return "".join((
        "<h4>{}</h4><p>{}</p>".format(escape(_("Executive summary")),
                                       escape(summary.executive_summary)),
        "<h4>{}</h4>{}".format(escape(_("Open questions")), items(summary.open_questions)),
        "<h4>{}</h4>{}".format(escape(_("Next steps")), items(summary.next_steps))))


def _status_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setProperty("role", "hint")
    return label


class SummaryPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary: Summary | None = None
        self.status = _status_label()
        self.view = QTextBrowser()
        self.view.setAccessibleName(_("Conversation summary"))
        self.view.setOpenLinks(False)
        self.copy_button = QPushButton(_("Copy summary"))
        self.copy_button.setToolTip(_("Copy the summary to the clipboard"))
        icons.use(self.copy_button, "copy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.copy_button.clicked.connect(self.copy)
        self.show_summary(None)

    def show_summary(self, summary: Summary | None) -> None:
        self.summary = summary
        if summary is None:
            self.view.clear()
            self.status.setText(_("Press Summarise for an executive summary, the open "
                                  "questions and the next steps of this conversation."))
        else:
            self.view.setHtml(summary_html(summary))
            self.status.setText("")
        self.status.setVisible(summary is None)
        self.copy_button.setEnabled(summary is not None)

    def busy(self) -> None:
        self.status.setText(_("Summarising…"))
        self.status.show()

    def failed(self, reason: str) -> None:
        self.status.setText(_("No summary: {reason}").format(reason=reason))
        self.status.show()

    def copy(self) -> None:
        if self.summary is not None:
            QApplication.clipboard().setText(summary_text(self.summary))


class ReplyBox(QWidget):
    """One editable reply and its Copy button."""

    copied = Signal()

    def __init__(self, number: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit()
        self.edit.setAccessibleName(_("Suggested reply {n}").format(n=number))
        self.edit.setTabChangesFocus(True)
        self.edit.setMinimumHeight(58)
        self.edit.setMaximumHeight(92)
        self.copy_button = QPushButton(_("Copy"))
        self.copy_button.setAccessibleName(_("Copy reply {n}").format(n=number))
        icons.use(self.copy_button, "copy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.copy_button.clicked.connect(self.copy)

    def text(self) -> str:
        return self.edit.toPlainText()

    def copy(self) -> None:
        QApplication.clipboard().setText(self.text())
        self.copied.emit()


class RepliesPanel(QWidget):
    translate_requested = Signal(str, str)  # Portuguese text, target language

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = ""
        self.status = _status_label()
        self.boxes = [ReplyBox(n) for n in (1, 2, 3)]
        self.own_title = QLabel()
        self.own_title.setWordWrap(True)
        self.own = QPlainTextEdit()
        self.own.setAccessibleName(_("Your reply in Portuguese"))
        self.own.setPlaceholderText(_("Write your reply in Portuguese"))
        self.own.setTabChangesFocus(True)
        self.own.setMinimumHeight(58)
        self.own.setMaximumHeight(92)
        self.translate_button = QPushButton()
        icons.use(self.translate_button, "languages")
        self.result = ReplyBox(4)
        self.result.edit.setAccessibleName(_("Your reply, translated"))
        self.result.copy_button.setAccessibleName(_("Copy the translated reply"))
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.status)
        for box in self.boxes:
            layout.addWidget(box)
        layout.addSpacing(8)
        layout.addWidget(self.own_title)
        layout.addWidget(self.own)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.translate_button)
        layout.addLayout(row)
        layout.addWidget(self.result)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.translate_button.clicked.connect(self._translate)
        self.own.textChanged.connect(self._update)
        self.show_replies(None)

    def show_replies(self, replies: Replies | None) -> None:
        for box, text in zip(self.boxes, replies.options if replies else ("", "", ""),
                             strict=True):
            box.edit.setPlainText(text)
            box.setVisible(replies is not None)
        self.language = replies.language if replies else ""
        self.result.edit.clear()
        self.result.hide()
        name = language_name(self.language) or _("the customer's language")
        if replies is None:
            self.status.setText(_("Press Suggest replies for three answers in the customer's "
                                  "language, ready to edit and copy."))
        else:
            self.status.setText(_("Three replies in {language}. Edit one, then copy it.")
                                .format(language=name))
        self.own_title.setText(_("Or write in Portuguese and translate it to {language}:")
                               .format(language=name))
        self.translate_button.setText(_("Translate to {language}").format(language=name))
        for widget in (self.own_title, self.own, self.translate_button):
            widget.setVisible(replies is not None and self.language not in ("", "pt"))
        self._update()

    def busy(self, text: str) -> None:
        self.status.setText(text)

    def failed(self, reason: str) -> None:
        self.status.setText(_("No replies: {reason}").format(reason=reason))

    def show_translation(self, text: str) -> None:
        self.result.edit.setPlainText(text)
        self.result.show()
        self._update()

    def _translate(self) -> None:
        text = self.own.toPlainText().strip()
        if text and self.language:
            self.translate_button.setEnabled(False)
            self.translate_requested.emit(text, self.language)

    def _update(self) -> None:
        self.translate_button.setEnabled(bool(self.own.toPlainText().strip()))


class Insights(QTabWidget):
    """Summary and Replies, side by side with the messages."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = SummaryPanel()
        self.replies = RepliesPanel()
        self.addTab(self.summary, _("Summary"))
        self.addTab(self.replies, _("Replies"))
        self.setDocumentMode(True)
