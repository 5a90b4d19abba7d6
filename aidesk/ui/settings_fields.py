"""The Settings dialog's inputs: each holds one named setting (aidesk.settings) as text, with
its error shown right beside it, and the fallback order as a checkable, movable list."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _, language
from aidesk.providers import CHAT_PROVIDER_IDS, PROVIDERS
from aidesk.ui import icons
from aidesk.ui.hints import for_gui

NONE_VALUES = {"", "none"}


def provider_label(provider: str) -> str:
    meta = PROVIDERS.get(provider)
    return _(meta.label) if meta else provider


class Field(QWidget):
    """One setting: an input and, under it, the one-sentence error of its last save."""

    edited = Signal()

    def __init__(self, key: str, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.editor = editor
        self.loaded = ""
        self.locked: str | None = None  # the team policy's value, when it sets this one
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor, 1)
        from aidesk.ui.sync.lock import LockMark

        self.lock = LockMark()
        row.addWidget(self.lock)
        layout.addLayout(row)
        self.error = QLabel()
        self.error.setProperty("role", "field-error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

    # the value as aidesk.settings reads and writes it
    def value(self) -> str:
        raise NotImplementedError

    def show_value(self, value: str) -> None:
        raise NotImplementedError

    def load(self, value: str) -> None:
        self.loaded = value
        self.show_value(value)
        self.set_error(None)

    def changed(self) -> bool:
        return self.value().strip() != self.loaded.strip()

    def set_locked(self, value: str | None) -> None:
        """The team's policy sets this setting (`value`): shown, not editable; None: free."""
        from aidesk.ui.sync.lock import policy_tip

        self.locked = value
        self.editor.setEnabled(value is None)
        self.lock.show_value(value)
        self.editor.setToolTip(policy_tip(value) if value is not None else self.error.text())

    def set_error(self, message: str | None) -> None:
        self.error.setText(for_gui(message) if message else "")
        self.error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.setToolTip(self.error.text())


class TextField(Field):
    """A number or a name typed as text; `none` shows as an empty field."""

    def __init__(self, key: str, placeholder: str = "", decimal: bool = False) -> None:
        self.line = QLineEdit()
        self.line.setPlaceholderText(placeholder)
        self.decimal = decimal
        super().__init__(key, self.line)
        self.line.setAccessibleName(key)
        self.line.textEdited.connect(lambda _text: self.edited.emit())

    def value(self) -> str:
        return self.line.text().strip() or "none"

    def show_value(self, value: str) -> None:
        shown = "" if value.lower() in NONE_VALUES else value
        if self.decimal and language() == "pt_BR":
            shown = shown.replace(".", ",")
        self.line.setText(shown)

    def changed(self) -> bool:
        before = "" if self.loaded.lower() in NONE_VALUES else self.loaded
        now = self.line.text().strip()
        if self.decimal:
            before, now = before.replace(",", "."), now.replace(",", ".")
        return now != before


class CheckField(Field):
    def __init__(self, key: str, text: str = "") -> None:
        self.box = QCheckBox(text)
        super().__init__(key, self.box)
        self.box.toggled.connect(lambda _on: self.edited.emit())

    def value(self) -> str:
        return "true" if self.box.isChecked() else "false"

    def show_value(self, value: str) -> None:
        self.box.setChecked(value == "true")


class ChoiceField(Field):
    """A choice among fixed values (language, theme), shown by their labels."""

    def __init__(self, key: str, choices: dict[str, str]) -> None:
        self.combo = QComboBox()
        for value, label in choices.items():
            self.combo.addItem(_(label), value)
        super().__init__(key, self.combo)
        self.combo.setAccessibleName(key)
        self.combo.currentIndexChanged.connect(lambda _i: self.edited.emit())

    def value(self) -> str:
        return str(self.combo.currentData())

    def show_value(self, value: str) -> None:
        self.combo.setCurrentIndex(max(0, self.combo.findData(value)))


class FallbackField(Field):
    """The providers to use, in order: ticked ones are tried top to bottom, the others are
    disabled (what `fallback` means)."""

    def __init__(self) -> None:
        box = QWidget()
        self.list = QListWidget()
        self.list.setAccessibleName(_("Fallback order"))
        self.list.setMinimumHeight(120)
        self.list.setMaximumHeight(170)
        self.up = QPushButton(_("Move &up"))
        self.down = QPushButton(_("Move do&wn"))
        icons.use(self.up, "arrow-up")
        icons.use(self.down, "arrow-down")
        buttons = QVBoxLayout()
        buttons.addWidget(self.up)
        buttons.addWidget(self.down)
        buttons.addStretch(1)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        super().__init__("fallback", box)
        self.up.clicked.connect(lambda: self.move_selected(-1))
        self.down.clicked.connect(lambda: self.move_selected(1))
        self.list.itemChanged.connect(lambda _item: self.edited.emit())

    def order(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())]

    def value(self) -> str:
        chosen = [self.list.item(i) for i in range(self.list.count())]
        ids = [str(item.data(Qt.ItemDataRole.UserRole)) for item in chosen
               if item.checkState() == Qt.CheckState.Checked]
        return ",".join(ids) or "none"

    def show_value(self, value: str) -> None:
        on = [p for p in value.split(",") if p in CHAT_PROVIDER_IDS]
        self.list.blockSignals(True)
        self.list.clear()
        for provider in [*on, *(p for p in CHAT_PROVIDER_IDS if p not in on)]:
            item = QListWidgetItem(provider_label(provider))
            item.setData(Qt.ItemDataRole.UserRole, provider)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if provider in on
                               else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)

    def move_selected(self, step: int) -> None:
        from aidesk.ui.integrations.fallback_list import move_current_row

        if move_current_row(self.list, step):
            self.edited.emit()
