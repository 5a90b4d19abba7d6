"""The one channel for messages to the user, and the crash dialog for bugs.

Known failures (`AIDeskError`) show their one-sentence text in the status bar, or in a
message box when the user must act. Anything else is a bug: it opens the crash dialog
with a copyable report that has every key redacted.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _
from aidesk.redact import redact

STATUS_TIMEOUT_MS = 15_000


class Messenger(QObject):
    """Widgets report here; the main window shows it."""

    message = Signal(str, str)  # level (info | warning | error), text
    crashed = Signal(str, str)  # a bug's report, and the file it was saved to ("" if none)

    def __init__(self, parent: QObject | None = None,
                 data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.last: tuple[str, str] | None = None
        self.crash_reports: list[str] = []
        self.dialogs_enabled = True
        self.data_dir = data_dir  # where crash reports go (None: the default data folder)

    def info(self, text: str) -> None:
        self._say("info", text)

    def warning(self, text: str) -> None:
        self._say("warning", text)

    def error(self, text: str) -> None:
        self._say("error", text)

    def _say(self, level: str, text: str) -> None:
        from aidesk.ui.hints import for_gui

        text = for_gui(redact(text))  # never a CLI command: the place in the app instead
        self.last = (level, text)
        self.message.emit(level, text)

    def resolved(self) -> None:
        """The next action succeeded: an error or warning still shown is old news."""
        if self.last is not None and self.last[0] in ("error", "warning"):
            self._say("info", _("Ready."))

    def failure(self, exc: BaseException, parent: QWidget | None = None) -> None:
        """Show a core failure: its own words if known, the crash dialog if a bug."""
        from aidesk.errors import AIDeskError

        if isinstance(exc, AIDeskError):
            self.error(exc.user_message)
            return
        from aidesk import crash

        report, saved = crash.save(type(exc), exc, exc.__traceback__, self.data_dir)
        self.crash_reports.append(report)
        self.crashed.emit(report, str(saved) if saved else "")
        self.error(_("Something went wrong inside AIDesk; a report is ready to copy (saved in "
                     "{path}).").format(path=saved) if saved else
                   _("Something went wrong inside AIDesk; a report is ready to copy."))
        if self.dialogs_enabled:
            CrashDialog(report, parent).open()

    def ask(self, parent: QWidget, title: str, text: str, confirm: str) -> bool:
        """A yes/no question with a named confirm button; Cancel is the default."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        yes = box.addButton(confirm, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes


def crash_report(kind: type[BaseException], exc: BaseException,
                 tb: TracebackType | None) -> str:
    from aidesk import crash

    return crash.report(kind, exc, tb)


class CrashDialog(QDialog):
    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("AIDesk: unexpected error"))
        self.report = report
        layout = QVBoxLayout(self)
        intro = QLabel(_(
            "AIDesk hit an unexpected error. Your data is safe. Copy this report and send "
            "it to your AIDesk admin; it contains no API keys."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.text = QPlainTextEdit(report)
        self.text.setReadOnly(True)
        self.text.setAccessibleName(_("Error report"))
        self.text.setMinimumSize(560, 260)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = buttons.addButton(_("Copy report"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy(self) -> None:
        QApplication.clipboard().setText(self.report)


def install_excepthook(messenger: Messenger) -> None:
    """Uncaught exceptions in UI code go to the crash dialog instead of killing the app."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        exc.__traceback__ = tb
        messenger.failure(exc)

    sys.excepthook = hook
