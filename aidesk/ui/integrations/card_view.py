"""The widgets of a provider card and how they show a config, a test outcome or an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

from aidesk.errors import AIDeskError
from aidesk.i18n import _
from aidesk.providers import PROVIDERS
from aidesk.ui.integrations.outcome import check_text, stored_text, tone_style
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.router.keycheck import KeyCheck
    from aidesk.workspaces import ProviderConfig, Workspace


class CardView(QGroupBox):
    """Layout and display only; `ProviderCard` adds the actions."""

    def __init__(self, provider: str, parent: QWidget | None = None) -> None:
        self.meta = PROVIDERS[provider]
        super().__init__(provider_name(provider), parent)
        self.provider = provider
        self.setObjectName(f"card-{provider}")
        self.setStyleSheet("QGroupBox { font-weight: bold; }")
        self.workspace: Workspace | None = None
        self.config: ProviderConfig | None = None
        self.outcome: str | None = None  # tone of the status line, for tests and styling
        self._refocus: QPushButton | None = None
        self._generation = 0  # bumped on every reload: late answers for old data are dropped
        self._typed_check: tuple[str, KeyCheck] | None = None  # (digest of typed key, result)
        self._build()

    # -- widgets ------------------------------------------------------------------------------
    def _build(self) -> None:
        label = provider_name(self.provider)
        grid = QGridLayout(self)
        grid.setColumnStretch(1, 1)
        self.enabled_box = QCheckBox(_("&Enabled: use this provider in this workspace"))
        grid.addWidget(self.enabled_box, 0, 0, 1, 3, Qt.AlignmentFlag.AlignLeft)

        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setAccessibleName(_("{provider} API key").format(provider=label))
        self.key_edit.setClearButtonEnabled(True)
        self.test_button = QPushButton(_("&Test connection"))
        self.save_button = QPushButton(_("&Save key"))
        self.remove_button = QPushButton(_("&Remove key"))
        self.base_url_edit = QLineEdit()
        self.base_url_edit.setPlaceholderText(
            _("default: {url}").format(url=self.meta.default_base_url))
        self.base_url_edit.setAccessibleName(_("{provider} base URL").format(provider=label))
        self.model_box = QComboBox()
        self.model_box.setEditable(True)
        self.model_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.model_box.setAccessibleName(_("{provider} model").format(provider=label))
        self.model_box.setMinimumContentsLength(22)
        self.advanced_button = QToolButton()
        self.advanced_button.setText(_("&Advanced"))
        self.advanced_button.setCheckable(True)
        self.advanced_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_button.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_button.setToolTip(
            _("Show the base URL (only needed for proxies or gateways)"))

        buttons = QHBoxLayout()
        # The field and its buttons side by side, or the buttons under the field when the
        # card is narrow (1024 px windows, longer labels in Portuguese): never cut off.
        self.key_row = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.key_row.setContentsMargins(0, 0, 0, 0)
        self._buttons = buttons
        if self.meta.needs_key:
            key_label = QLabel(_("API &key:"))
            key_label.setBuddy(self.key_edit)
            grid.addWidget(key_label, 1, 0)
            self._row_label = key_label
            self.key_row.addWidget(self.key_edit, 1)
            for button in (self.test_button, self.save_button, self.remove_button):
                buttons.addWidget(button)
        else:
            self.key_edit.hide()
            self.save_button.hide()
            self.remove_button.hide()
            url_label = QLabel(_("Server &address:"))
            url_label.setBuddy(self.base_url_edit)
            self.base_url_edit.setToolTip(_("Where your Ollama or LM Studio server listens; "
                                            "empty means the default shown."))
            grid.addWidget(url_label, 1, 0)
            self._row_label = url_label
            self.key_row.addWidget(self.base_url_edit, 1)
            buttons.addWidget(self.test_button)
        buttons.addStretch(1)
        self.key_row.addLayout(buttons)
        grid.addLayout(self.key_row, 1, 1, 1, 2)

        model_label = QLabel(_("M&odel:"))
        model_label.setBuddy(self.model_box)
        grid.addWidget(model_label, 2, 0)
        grid.addWidget(self.model_box, 2, 1)
        self.rollout_button = QPushButton(_("Ro&ll out to team…"))
        self.rollout_button.setEnabled(False)
        self.rollout_button.hide()  # shown while the workspace syncs (IntegrationsTab)
        self.rollout_button.setToolTip(_("Send this key to your team's central database for "
                                         "the platform's servers. Test the key first: only a "
                                         "key verified in this session can be rolled out."))
        if self.meta.needs_key:
            extras = QHBoxLayout()
            extras.setContentsMargins(0, 0, 0, 0)
            extras.addWidget(self.advanced_button)
            extras.addStretch(1)
            extras.addWidget(self.rollout_button)
            grid.addLayout(extras, 2, 2)
            self.base_url_label = QLabel(_("&Base URL:"))
            self.base_url_label.setBuddy(self.base_url_edit)
            grid.addWidget(self.base_url_label, 3, 0)
            grid.addWidget(self.base_url_edit, 3, 1)
            self._show_advanced(False)
            self.advanced_button.toggled.connect(self._show_advanced)
        else:
            self.advanced_button.hide()
            self.rollout_button.hide()

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.status, 4, 0, 1, 3)
        self.setEnabled(False)  # until a config arrives

    def resizeEvent(self, event: QResizeEvent) -> None:
        wide = self.width() >= self._wide_width()
        self.key_row.setDirection(QBoxLayout.Direction.LeftToRight if wide
                                  else QBoxLayout.Direction.TopToBottom)
        super().resizeEvent(event)

    def _wide_width(self) -> int:
        """The card width at which the field and its buttons fit on one line."""
        margins = 2 * 24 + self._row_label.sizeHint().width()
        return 120 + self.model_box.minimumSizeHint().width() + margins \
            + sum(b.sizeHint().width() + 6 for b in (self.test_button, self.save_button,
                                                     self.remove_button) if b.isVisibleTo(self))

    def _show_advanced(self, shown: bool) -> None:
        self.advanced_button.setArrowType(Qt.ArrowType.DownArrow if shown
                                          else Qt.ArrowType.RightArrow)
        self.base_url_label.setVisible(shown)
        self.base_url_edit.setVisible(shown)

    # -- state --------------------------------------------------------------------------------
    def set_config(self, workspace: Workspace, config: ProviderConfig, *,
                   reset: bool = True) -> None:
        """Show a provider config; `reset` also clears the typed key and the status line."""
        self.workspace = workspace
        self.config = config
        self.setEnabled(True)
        self.enabled_box.setChecked(config.stored and config.enabled)
        if config.key_mask:
            self.key_edit.setPlaceholderText(
                _("Stored key: {mask}  (type a new key to replace it)").format(
                    mask=config.key_mask))
        else:
            name = provider_name(self.provider)
            self.key_edit.setPlaceholderText(
                _("No key. Paste your {provider} key ({hint})").format(
                    provider=name, hint=self.meta.key_hint) if self.meta.key_hint else
                _("No key. Paste your {provider} key").format(provider=name))
        self.remove_button.setEnabled(config.key_fingerprint is not None)
        if not self.base_url_edit.hasFocus() or reset:
            self.base_url_edit.setText(config.base_url or "")
        if reset or self.model_box.count() == 0:
            self.set_models([])
        if reset or not self.model_box.hasFocus():
            self.model_box.setCurrentText(config.model)
        if reset:
            self._generation += 1
            self._typed_check = None
            self.key_edit.clear()
            self._set_busy(False)
            if self.meta.needs_key:
                self.advanced_button.setChecked(config.base_url is not None)
            self.say(*stored_text(config))

    def set_models(self, ids: list[str]) -> None:
        """Fill the model picker: the live list, else the configured and default models."""
        current = self.model_box.currentText() or (self.config.model if self.config else "")
        choices = list(dict.fromkeys([*ids] or [current, self.meta.default_model]))
        self.model_box.clear()
        self.model_box.addItems([c for c in choices if c])
        self.model_box.setCurrentText(current)

    def say(self, tone: str, text: str) -> None:
        self.outcome = tone
        self.status.setStyleSheet(tone_style(tone))
        self.status.setText(text)

    def show_check(self, check: KeyCheck) -> None:
        if check.models:
            self.set_models([m.id for m in check.models])
        self.say(check.outcome, check_text(check))

    def _set_busy(self, busy: bool, text: str | None = None, cancellable: bool = False) -> None:
        text = text or _("Testing…")
        if busy:  # a disabled button loses focus: give it back afterwards (keyboard users)
            focused = [b for b in (self.test_button, self.save_button) if b.hasFocus()]
            self._refocus = focused[0] if focused else None
        self.test_button.setEnabled(not busy or cancellable)
        self.test_button.setText(_("&Cancel test") if busy and cancellable
                                 else text if busy else _("&Test connection"))
        self.save_button.setEnabled(not busy)
        if busy:
            self.say("busy", _("{doing} Waiting for {provider} to answer.").format(
                doing=text, provider=provider_name(self.provider)))
        elif self._refocus is not None:
            self._refocus.setFocus()
            self._refocus = None

    def set_checking(self, busy: bool) -> None:
        """Used by Check all keys."""
        self._set_busy(busy)

    def show_error(self, exc: BaseException) -> None:
        self._set_busy(False)
        text = exc.user_message if isinstance(exc, AIDeskError) else (
            _("Something went wrong inside AIDesk; see the status bar."))
        self.say("error", text)
