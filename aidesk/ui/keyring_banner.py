"""Said at start, not first at Save: a banner when the OS keyring cannot keep API keys.

Once the core is open, the worker runs `core.keys.check()`; KeyringUnavailable shows this
banner above the tabs with the fix and a Check again button.
"""

from __future__ import annotations

import html
import re

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from aidesk.i18n import _
from aidesk.ui import icons
from aidesk.ui.context import UiContext


class KeyringBanner(QFrame):
    """Built empty and hidden; its widgets are made the first time it has something to say
    (after the window shows: Qt's enum types, which its layout needs, cost ~80 ms to create)."""

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("keyring-banner")
        self.text = QLabel()
        self.retry: QPushButton | None = None
        self.hide()
        ctx.bridge.ready.connect(lambda _core: self.check())
        if ctx.bridge.core is not None:
            self.check()

    def _build(self) -> QPushButton:
        if self.retry is not None:
            return self.retry
        from PySide6.QtCore import Qt

        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 8, 8, 8)
        icon = QLabel()
        icon.setPixmap(icons.icon("key", "#b00020").pixmap(20, 20))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry = QPushButton(_("Check &again"))
        self.retry.setToolTip(_("Look for a usable key store again"))
        icons.use(self.retry, "refresh")
        self.retry.clicked.connect(self.check)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.retry, 0, Qt.AlignmentFlag.AlignTop)
        return self.retry

    def check(self) -> None:
        if self.retry is not None:
            self.retry.setEnabled(False)
        job = self.ctx.bridge.call(lambda core: core.keys.check())
        job.done.connect(lambda _none: self._usable())
        job.failed.connect(self._unusable)

    def _usable(self) -> None:
        if self.retry is not None:
            self.retry.setEnabled(True)
        if self.isVisible():
            self.ctx.messenger.info(_("The key store works now: keys can be saved."))
        self.hide()

    def _unusable(self, exc: BaseException) -> None:
        from aidesk.errors import KeyringUnavailable

        self._build().setEnabled(True)
        if not isinstance(exc, KeyringUnavailable):
            self.ctx.messenger.failure(exc, self)
            return
        self.text.setText(
            "<b>" + html.escape(_("API keys cannot be saved on this computer yet.")) + "</b> "
            + html.escape(exc.user_message) + " "
            + html.escape(_("Then press Check again; AIDesk works without keys only with a "
                            "local server.")))
        self.setAccessibleDescription(self.message())
        self.show()

    def message(self) -> str:
        """The banner's text without markup."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.text.text()))
