"""A lead as a card: who it is, the temperature badge with its score and reasons, the summary,
interests as chips, suggested next actions, then the lead's history."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aidesk import formats
from aidesk.i18n import N_, _, ngettext
from aidesk.ui import icons
from aidesk.ui.badges import Badge, Chips
from aidesk.ui.leads.models import temperature_look

if TYPE_CHECKING:
    from aidesk.features.lead_store import LeadRow
    from aidesk.features.leads import LeadAnalysis

EVENT_KINDS = {"note": N_("Note"), "message": N_("Message"), "campaign": N_("Campaign")}
HISTORY_SHOWN = 30


def _section(text: str) -> QLabel:
    label = QLabel(f"<b>{escape(text)}</b>")
    label.setContentsMargins(0, 8, 0, 0)
    return label


def _text(rich: bool = False) -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def bullets(items: list[str]) -> str:
    if not items:
        return "<i>{}</i>".format(escape(_("None.")))
    return "<br>".join(f"•&nbsp;{escape(item)}" for item in items)


def card_text(lead: LeadRow) -> str:
    """The card as plain text, for the clipboard."""
    record, analysis = lead, lead.analysis
    lines = [record.name, ", ".join(p for p in (record.company, record.email, record.phone) if p)]
    if analysis is not None:
        look = temperature_look(analysis)
        lines += ["", look.text if look else "", analysis.summary, "",
                  _("Interests: {items}").format(items=", ".join(analysis.interests)), "",
                  _("Why this score")] + [f"- {r}" for r in analysis.reasons]
        lines += ["", _("Next actions")] + [f"- {a}" for a in analysis.next_actions]
    return "\n".join(lines).strip()


class LeadCard(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lead: LeadRow | None = None
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        inner = QWidget()
        self.name = QLabel()
        font = self.name.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.name.setFont(font)
        self.name.setWordWrap(True)
        self.badge = Badge()
        self.contact = _text()
        self.contact.setProperty("role", "hint")
        self.status = _text()
        self.status.setProperty("role", "hint")
        self.summary = _text()
        self.interests = Chips()
        self.reasons = _text(rich=True)
        self.next_actions = _text(rich=True)
        self.history = _text(rich=True)
        self.copy_button = QPushButton(_("Copy card"))
        self.copy_button.setToolTip(_("Copy the analysis to the clipboard"))
        icons.use(self.copy_button, "copy")
        self.analysed: list[QWidget] = []
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(12, 12, 12, 12)
        head = QHBoxLayout()
        head.addWidget(self.name, 1)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(head)
        layout.addWidget(self.contact)
        layout.addWidget(self.status)
        for title, widget in ((_("Summary"), self.summary), (_("Interests"), self.interests),
                              (_("Why this score"), self.reasons),
                              (_("Next actions"), self.next_actions)):
            heading = _section(title)
            layout.addWidget(heading)
            layout.addWidget(widget)
            self.analysed += [heading, widget]
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        self.analysed.append(self.copy_button)
        self.history_title = _section(_("History"))
        layout.addWidget(self.history_title)
        layout.addWidget(self.history)
        layout.addStretch(1)
        self.setWidget(inner)
        self.copy_button.clicked.connect(self.copy)
        self.show_lead(None)

    def show_lead(self, lead: LeadRow | None, status: str = "") -> None:
        self.lead = lead
        analysis: LeadAnalysis | None = lead.analysis if lead is not None else None
        if lead is None:
            self.name.setText(_("No lead selected"))
            self.contact.setText(_("Import leads from a CSV or JSON file, then pick one in the "
                                   "list to see its card."))
        else:
            record = lead
            self.name.setText(record.name)
            self.contact.setText(" · ".join(p for p in (record.company, record.email,
                                                       record.phone) if p))
        self.badge.set_look(temperature_look(analysis))
        self.status.setText(status or (_("Not analysed yet: press Analyse for a summary, "
                                         "interests, a score and next actions.")
                                       if lead is not None and analysis is None else ""))
        self.status.setVisible(bool(self.status.text()))
        for widget in self.analysed:
            widget.setVisible(analysis is not None)
        if analysis is not None:
            self.summary.setText(analysis.summary)
            self.interests.set_items(analysis.interests)
            self.reasons.setText(bullets(analysis.reasons))
            self.next_actions.setText(bullets(analysis.next_actions))
        self._history(lead)

    def _history(self, lead: LeadRow | None) -> None:
        events = lead.history if lead is not None else ()
        self.history_title.setVisible(bool(events))
        self.history.setVisible(bool(events))
        lines = []
        for event in list(events)[-HISTORY_SHOWN:][::-1]:  # newest first
            when = formats.date_time(event.time.astimezone()) if event.time else ""
            kind = _(EVENT_KINDS.get(event.kind, event.kind))
            head = " · ".join(p for p in (when, kind) if p)
            lines.append(f"<b>{escape(head)}</b><br>{escape(event.text)}")
        if len(events) > HISTORY_SHOWN:
            older = len(events) - HISTORY_SHOWN
            lines.append("<i>{}</i>".format(escape(ngettext(
                "…and {n} older event.", "…and {n} older events.", older).format(
                    n=formats.number(older)))))
        self.history.setText("<br><br>".join(lines))

    def busy(self, text: str) -> None:
        self.status.setText(text)
        self.status.show()

    def copy(self) -> None:
        if self.lead is not None:
            QApplication.clipboard().setText(card_text(self.lead))
