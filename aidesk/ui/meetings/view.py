"""A meeting as the Meetings tab shows it: title and facts, the summary, key points and
decisions, the action items table (what, owner, due), and the transcript, folded away
until asked for."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _, ngettext
from aidesk.ui.meetings.models import ActionModel

if TYPE_CHECKING:
    from aidesk.features.meetings import Meeting


def _label(rich: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _heading(text: str) -> QLabel:
    label = QLabel(f"<b>{escape(text)}</b>")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def bullets(items: tuple[str, ...] | list[str]) -> str:
    if not items:
        return escape(_("None."))
    return "<ul style='margin:0; -qt-list-indent:1'>" + "".join(
        f"<li>{escape(i)}</li>" for i in items) + "</ul>"


class MeetingView(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.facts = _label()
        self.facts.setForegroundRole(self.facts.foregroundRole())
        self.placeholder = _label()
        self.placeholder.setText(_("Open a recording (mp3, m4a, wav, ogg, webm…) or drop it "
                                   "here, then press Transcribe & summarise. Past meetings "
                                   "of this workspace are listed on the left."))
        self.summary = _label()
        self.key_points = _label(rich=True)
        self.decisions = _label(rich=True)
        self.action_model = ActionModel(self)
        self.action_table = QTableView()
        self.action_table.setAccessibleName(_("Action items"))
        self.action_table.setModel(self.action_model)
        self.action_table.verticalHeader().hide()
        self.action_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.action_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.action_table.setWordWrap(True)
        header = self.action_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.transcript_button = QToolButton()
        self.transcript_button.setCheckable(True)
        self.transcript_button.setArrowType(Qt.ArrowType.RightArrow)
        self.transcript_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.transcript_button.setAutoRaise(True)
        self.transcript = QPlainTextEdit()
        self.transcript.setReadOnly(True)
        self.transcript.setAccessibleName(_("Transcript"))
        self.transcript.setMinimumHeight(160)
        self.transcript.hide()
        self.transcript_button.toggled.connect(self._fold)
        self.parts = [self.title, self.facts, self.summary, self.key_points, self.decisions,
                      self.action_table, self.transcript_button]
        self.headings = [_heading(_("Summary")), _heading(_("Key points")),
                         _heading(_("Decisions")), _heading(_("Action items"))]
        layout = QVBoxLayout(body)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        for heading, widget in zip(self.headings, (self.summary, self.key_points,
                                                   self.decisions, self.action_table),
                                   strict=True):
            layout.addWidget(heading)
            layout.addWidget(widget)
        layout.addWidget(self.transcript_button)
        layout.addWidget(self.transcript)
        layout.addStretch(1)
        self.setWidget(body)
        self.meeting: Meeting | None = None
        self.show_meeting(None)

    def _fold(self, open_: bool) -> None:
        self.transcript_button.setArrowType(Qt.ArrowType.DownArrow if open_
                                            else Qt.ArrowType.RightArrow)
        self.transcript.setVisible(open_)

    def show_meeting(self, meeting: Meeting | None) -> None:
        from aidesk.features.meeting_text import facts

        self.meeting = meeting
        self.placeholder.setVisible(meeting is None)
        for widget in (*self.parts, *self.headings):
            widget.setVisible(meeting is not None)
        self.transcript.setVisible(meeting is not None and self.transcript_button.isChecked())
        if meeting is None:
            self.action_model.set_rows([])
            self.transcript.clear()
            return
        s = meeting.summary
        self.title.setText(meeting.title)
        self.facts.setText(" · ".join(facts(meeting)))
        self.summary.setText(s.summary)
        self.key_points.setText(bullets(s.key_points))
        self.decisions.setText(bullets(s.decisions))
        self.action_model.set_rows(s.action_items)
        self.action_table.resizeRowsToContents()
        rows = max(1, len(s.action_items))
        height = self.action_table.horizontalHeader().height() + sum(
            self.action_table.rowHeight(r) for r in range(len(s.action_items))) + 6
        self.action_table.setFixedHeight(max(height, 60) if rows else 60)
        self.transcript_button.setText(ngettext(
            "Transcript ({count} character)", "Transcript ({count} characters)",
            len(meeting.transcript)).format(count=len(meeting.transcript)))
        self.transcript.setPlainText(meeting.transcript)
