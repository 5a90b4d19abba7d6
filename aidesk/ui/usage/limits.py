"""The workspace's limits in the Usage tab: use now as progress bars with the reset time,
the values editable (saved through aidesk.settings), and the alerts: at 80% a tray
notification and the banner, once per period; at 100% the core's refusal message."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSystemTrayIcon,
    QWidget,
)

from aidesk.errors import LimitExceeded
from aidesk.features.usage_alerts import LimitUse
from aidesk.formats import plain
from aidesk.i18n import _
from aidesk.router.limits import WARN_AT
from aidesk.ui.assistant.banner import LimitBanner, amount, limit_name, reset_time, share
from aidesk.ui.sync.lock import LockMark, policy_tip

ORDER = ("requests_per_hour", "tokens_per_day", "cost_per_month")
SCALE = 1000  # progress bar steps


class LimitsPanel(QGroupBox):
    save_requested = Signal(object)  # {limit: raw text}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("Workspace limits"), parent)
        self.banner = LimitBanner()
        self.tray: QSystemTrayIcon | None = None
        self.bars: dict[str, QProgressBar] = {}
        self.notes: dict[str, QLabel] = {}
        self.edits: dict[str, QLineEdit] = {}
        self.locks: dict[str, LockMark] = {}
        self.uses: dict[str, LimitUse] = {}
        self.notified: list[str] = []  # tray messages shown (for tests and the log)
        grid = QGridLayout(self)
        grid.addWidget(self.banner, 0, 0, 1, 4)
        for row, limit in enumerate(ORDER, start=1):
            text = limit_name(limit)
            name = QLabel(text[:1].upper() + text[1:])  # "(USD)" stays upper case
            bar = QProgressBar()
            bar.setRange(0, SCALE)
            bar.setTextVisible(True)
            bar.setAccessibleName(limit_name(limit))
            note = QLabel()
            edit = QLineEdit()
            edit.setPlaceholderText(_("no limit"))
            edit.setMaximumWidth(110)
            edit.setAccessibleName(_("Limit: {name}").format(name=limit_name(limit)))
            name.setBuddy(edit)
            grid.addWidget(name, row, 0)
            grid.addWidget(bar, row, 1)
            grid.addWidget(note, row, 2)
            grid.addWidget(edit, row, 3)
            self.locks[limit] = LockMark()
            grid.addWidget(self.locks[limit], row, 4)
            self.bars[limit], self.notes[limit], self.edits[limit] = bar, note, edit
        self.save = QPushButton(_("Save limits"))
        self.save.clicked.connect(self._save)
        grid.addWidget(self.save, len(ORDER) + 1, 3)
        grid.setColumnStretch(1, 1)

    def show_uses(self, uses: list[LimitUse], edit: bool = True) -> None:
        for use in uses:
            if use.limit not in self.bars:
                continue
            self.uses[use.limit] = use
            bar, note = self.bars[use.limit], self.notes[use.limit]
            if use.value is None:
                bar.setValue(0)
                bar.setFormat(_("no limit"))
                note.setText(_("{used} used; starts again {when}").format(
                    used=amount(use.limit, use.used), when=reset_time(use.resets_at)))
            else:
                bar.setValue(min(SCALE, round(use.fraction * SCALE)))
                bar.setFormat(_("{used} of {value}{share}").format(
                    used=amount(use.limit, use.used), value=amount(use.limit, use.value),
                    share=share(use.used, use.value)))
                note.setText(_("starts again {when}").format(when=reset_time(use.resets_at)))
            if edit:
                self.edits[use.limit].setText("" if use.value is None else plain(use.value))
        self._refusal()

    def set_locked(self, locks: dict[str, str]) -> None:
        """Limits the team's policy sets: shown with a lock, not editable here."""
        for limit, edit in self.edits.items():
            value = locks.get(f"limits.{limit}")
            if value is not None:
                edit.setToolTip(policy_tip(value))
                edit.setStyleSheet("")
            elif not edit.isEnabled():  # unlocked now (an error tooltip stays)
                edit.setToolTip("")
            edit.setEnabled(value is None)
            self.locks[limit].show_value(value)
        self.save.setEnabled(any(edit.isEnabled() for edit in self.edits.values()))

    def _refusal(self) -> None:
        """At 100% of a limit the banner says what the router answers a new call."""
        full = [u for u in self.uses.values() if u.value is not None and u.fraction >= 1.0]
        if full:
            use = full[0]
            assert use.value is not None
            message = LimitExceeded(use.limit, use.value, use.used, use.resets_at).user_message
            self.banner.show_refusal(use.limit, use.used, use.value, use.resets_at)
            self.banner.setToolTip(message)
        elif self.banner.kind == "refused":
            self.banner.clear()

    def alert(self, uses: list[LimitUse]) -> None:
        """The alerts due (the worker marked them given for their period)."""
        for use in uses:
            if use.value is None or use.fraction < WARN_AT:
                continue
            if use.fraction < 1.0:
                self.banner.show_warning(use.limit, use.used, use.value, use.resets_at)
            title = _("AIDesk: {limit} limit").format(limit=limit_name(use.limit))
            text = _("The workspace has used {used} of {value}{share}. It starts again "
                     "{when}.").format(used=amount(use.limit, use.used),
                                       value=amount(use.limit, use.value),
                                       share=share(use.used, use.value),
                                       when=reset_time(use.resets_at))
            self.notified.append(text)
            tray = self._tray()
            if tray is not None:
                tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning, 10_000)

    def _tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        if self.tray is None:
            app = QApplication.instance()
            icon = app.windowIcon() if isinstance(app, QApplication) else None
            self.tray = QSystemTrayIcon(self)
            if icon is not None:
                self.tray.setIcon(icon)
            self.tray.show()
        return self.tray

    def _save(self) -> None:
        self.save_requested.emit({limit: edit.text() for limit, edit in self.edits.items()
                                  if edit.isEnabled()})

    def show_errors(self, errors: dict[str, str]) -> None:
        for limit, edit in self.edits.items():
            if not edit.isEnabled():  # locked by the team: keeps its policy tooltip
                continue
            edit.setToolTip(errors.get(limit, ""))
            edit.setStyleSheet("QLineEdit { border: 1px solid #d9534f; }"
                               if limit in errors else "")
