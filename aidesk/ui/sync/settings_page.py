"""Settings → Sync: the central database's address (`sync.dsn`, saved with the dialog like
every setting), its password (to the OS keyring, never shown again), Test connection, the
centre's migrations when they are missing and the role may run them, and the status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidesk.errors import AIDeskError
from aidesk.i18n import _
from aidesk.ui.integrations.outcome import TONES
from aidesk.ui.settings_fields import TextField
from aidesk.ui.sync import work
from aidesk.ui.sync.texts import details

if TYPE_CHECKING:
    from aidesk.errors import SyncError
    from aidesk.sync.passes import SyncStatus
    from aidesk.ui.context import UiContext
    from aidesk.workspaces import Workspace

DSN_KEY = "sync.dsn"


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("role", "hint")
    return label


def _with_hint(field: QWidget, text: str) -> QWidget:
    """The field with its hint right under it (one form row)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(field)
    column.addWidget(_hint(text))
    return box


class SyncPage(QWidget):
    def __init__(self, ctx: UiContext, workspace: Workspace | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace = workspace
        self.tone = ""  # of the result line, for tests
        form = QFormLayout(self)
        intro = _hint(_("Send this workspace's usage, audit log and provider settings (never "
                        "keys) to your team's central PostgreSQL database, and receive the "
                        "team's policies. Without an address, nothing leaves this computer."))
        form.addRow(intro)
        self.dsn = TextField(DSN_KEY, _("postgresql://USER@HOST:5432/DATABASE"))
        form.addRow(_("Central database:"), _with_hint(
            self.dsn, _("No password in the address: type it below. Empty turns sync off "
                        "for this workspace.")))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Central database password"))
        self.password.setPlaceholderText(_("Checking the OS keyring…"))
        form.addRow(_("Password:"), _with_hint(
            self.password, _("Kept only in the OS keyring and never shown again. Leave it "
                             "empty when the server needs none.")))
        self.test_button = QPushButton(_("Test &connection"))
        self.migrate_button = QPushButton(_("Run central &migrations"))
        self.migrate_button.setToolTip(_("Create the central tables this version of AIDesk "
                                         "needs (the role may do it)"))
        self.migrate_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.migrate_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()
        # the tone's band is a frame around the label: a wrapped label padded by a style
        # sheet is given one line's height too few, and its last line is cut off
        self.band = QFrame()
        self.band.setObjectName("syncResult")
        box = QVBoxLayout(self.band)
        box.setContentsMargins(10, 4, 8, 4)
        box.addWidget(self.result)
        self.band.hide()
        form.addRow(self.band)
        self.status = QLabel(_("Reading the sync status…"))
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Status:"), self.status)
        self.test_button.clicked.connect(lambda: self.test_connection())
        self.migrate_button.clicked.connect(lambda: self.migrate())
        self.setEnabled(workspace is not None)
        self._busy: Any = None
        self.load()

    # -- state --------------------------------------------------------------------------------
    def load(self) -> None:
        ws = self.workspace
        if ws is None:
            return

        def read(core: Any) -> tuple[SyncStatus, bool]:
            return work.status(core, ws)[0], work.has_password(core, ws)

        job = self.ctx.bridge.call(read)
        job.done.connect(lambda r: self._show(*r))
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _show(self, status: SyncStatus, has_password: bool) -> None:
        self.status.setText(details(status) if status.configured else
                            _("Off: this workspace has no central database."))
        self.password_stored(has_password)

    def password_stored(self, stored: bool) -> None:
        self.password.setPlaceholderText(
            _("Stored in the OS keyring (type a new one to replace it)") if stored
            else _("No password stored"))

    def typed_password(self) -> str | None:
        return self.password.text() or None

    def say(self, tone: str, text: str) -> None:
        self.tone = tone
        fg, bg, border = TONES.get(tone, TONES["info"])
        self.band.setStyleSheet(f"QFrame#syncResult {{ background: {bg}; "
                                f"border-left: 4px solid {border}; border-radius: 2px; }}")
        self.result.setStyleSheet(f"QLabel {{ color: {fg}; }}")
        self.result.setText(text)
        self.result.show()
        self.band.show()

    def _set_busy(self, busy: bool) -> None:
        self.test_button.setEnabled(not busy)
        self.migrate_button.setEnabled(not busy)

    # -- actions ------------------------------------------------------------------------------
    def test_connection(self) -> None:
        ws = self.workspace
        dsn = self.dsn.line.text().strip()
        if ws is None:
            return
        if not dsn:
            self.say("error", _("Type the central database's address first, e.g. "
                                "postgresql://agency@db.example.com:5432/platform."))
            self.dsn.line.setFocus()
            return
        password = self.typed_password()
        self._set_busy(True)
        self.migrate_button.hide()
        self.say("busy", _("Connecting to the central database…"))
        job = self.ctx.bridge.run(lambda core: work.test_connection(core, ws, dsn, password))
        job.done.connect(lambda left: self._tested(password is not None, left))
        job.failed.connect(self._failed)

    def _tested(self, typed: bool, left: SyncError | None) -> None:
        """Logged in; `left`: what is still to do (the centre's tables, the role's tenant)."""
        from aidesk.errors import SyncSchemaMissing

        self._set_busy(False)
        saved = " " + _("The password is in the OS keyring.") if typed else ""
        if typed:
            self.password.clear()
            self.password_stored(True)
        if left is not None:
            self.migrate_button.setVisible(isinstance(left, SyncSchemaMissing)
                                           and left.can_migrate)
            self.say("unverified", left.user_message + saved)
            return
        text = _("Connected: the central database answers and its tables are ready.") + saved
        if self.dsn.changed():
            text += " " + _("Press Save to sync this workspace with it.")
        self.say("verified", text)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, AIDeskError):
            self.say("error", exc.user_message)
            return
        self.ctx.messenger.failure(exc, self)
        self.say("error", _("Something went wrong inside AIDesk; see the status bar."))

    def migrate(self) -> None:
        ws = self.workspace
        dsn = self.dsn.line.text().strip()
        if ws is None or not dsn:
            return
        self._set_busy(True)
        self.say("busy", _("Running the central migrations…"))
        job = self.ctx.bridge.run(lambda core: work.migrate(core, ws, dsn))
        job.done.connect(lambda _r: self._migrated())
        job.failed.connect(self._failed)

    def _migrated(self) -> None:
        self._set_busy(False)
        self.migrate_button.hide()
        self.say("verified", _("Central migrations done. Press Test connection to check this "
                               "workspace's login."))
        self.ctx.messenger.info(_("The central database's tables are ready."))
