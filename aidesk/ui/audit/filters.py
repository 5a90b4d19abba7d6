"""The Audit tab's filter bar: period (or custom dates), provider, model, user, module,
outcome and search words. Every change emits `changed` with the new AuditFilter (the search
after a short pause in typing)."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from aidesk.features.audit_log import AuditFilter
from aidesk.i18n import N_, _

PERIODS = (("all", N_("All time")), ("today", N_("Today")), ("7", N_("Last 7 days")),
           ("30", N_("Last 30 days")), ("90", N_("Last 90 days")), ("custom", N_("Custom dates")))
OUTCOME_CHOICES = (("", N_("Any outcome")), ("success", N_("Success")), ("error", N_("Error")),
                   ("refused", N_("Refused")), ("cancelled", N_("Cancelled")))
CHOICES = (("provider", N_("Any provider")), ("model", N_("Any model")),
           ("user_id", N_("Any user")), ("module", N_("Any module")))
SEARCH_PAUSE_MS = 300


def local_midnight(day: QDate) -> datetime:
    """The start of `day` in the computer's time zone (aware)."""
    return datetime(day.year(), day.month(), day.day()).astimezone()


class FilterBar(QWidget):
    changed = Signal(object)  # AuditFilter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.period = QComboBox()
        self.period.setAccessibleName(_("Period"))
        for key, label in PERIODS:
            self.period.addItem(_(label), key)
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-7))
        self.end = QDateEdit(today)
        for edit, name in ((self.start, _("From")), (self.end, _("To"))):
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
            edit.setEnabled(False)
        self.combos: dict[str, QComboBox] = {}
        for key, label in CHOICES:
            combo = QComboBox()
            combo.setAccessibleName(_(label))
            combo.addItem(_(label), None)
            combo.setMinimumContentsLength(10)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            self.combos[key] = combo
        self.outcome = QComboBox()
        self.outcome.setAccessibleName(_("Outcome"))
        for key, label in OUTCOME_CHOICES:
            self.outcome.addItem(_(label), key or None)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search prompts and answers (all words)"))
        self.search.setAccessibleName(_("Search"))
        self.search.setClearButtonEnabled(True)
        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(SEARCH_PAUSE_MS)
        self._quiet = False

        dates = QHBoxLayout()
        dates.addWidget(self.period)
        dates.addWidget(QLabel(_("From")))
        dates.addWidget(self.start)
        dates.addWidget(QLabel(_("To")))
        dates.addWidget(self.end)
        dates.addWidget(self.outcome)
        dates.addStretch(1)
        which = QHBoxLayout()
        for combo in self.combos.values():
            which.addWidget(combo)
        which.addWidget(self.search, 1)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(dates)
        rows.addLayout(which)

        self.period.currentIndexChanged.connect(self._period_changed)
        for widget in (self.start, self.end):
            widget.dateChanged.connect(self._emit)
        for combo in (*self.combos.values(), self.outcome):
            combo.currentIndexChanged.connect(self._emit)
        self.search.textChanged.connect(lambda _text: self._pause.start())
        self.search.returnPressed.connect(self._emit)
        self._pause.timeout.connect(self._emit)

    def set_choices(self, choices: dict[str, list[str]]) -> None:
        """The values seen in this workspace; a choice still picked stays picked."""
        self._quiet = True
        for key, combo in self.combos.items():
            picked = combo.currentData()
            while combo.count() > 1:
                combo.removeItem(1)
            for value in choices.get(key, []):
                combo.addItem(value, value)
            combo.setCurrentIndex(max(0, combo.findData(picked)) if picked else 0)
        self._quiet = False

    def current(self) -> AuditFilter:
        key = self.period.currentData()
        start = end = None
        if key == "custom":
            start = local_midnight(self.start.date())
            end = local_midnight(self.end.date().addDays(1))
        elif key != "all":
            today = local_midnight(QDate.currentDate())
            start = today - timedelta(days=0 if key == "today" else int(key) - 1)
        return AuditFilter(
            start=start, end=end, outcome=self.outcome.currentData(),
            text=self.search.text().strip(),
            **{k: c.currentData() for k, c in self.combos.items()})

    def reset(self) -> None:
        self._quiet = True
        for combo in (self.period, *self.combos.values(), self.outcome):
            combo.setCurrentIndex(0)
        self.search.clear()
        self._pause.stop()
        self._quiet = False
        self._emit()

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        self.start.setEnabled(custom)
        self.end.setEnabled(custom)
        self._emit()

    def _emit(self) -> None:
        if not self._quiet:
            self._pause.stop()
            self.changed.emit(self.current())
