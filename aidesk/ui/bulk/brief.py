"""The brief: what every message should say, with the file's placeholders a click away and
a brief the file cannot fill said at once, in one sentence under it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _

EXAMPLE = "Convide {nome} da {empresa} para a semana de ofertas: 20% de desconto, até 3 frases."


class BriefEditor(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.file_name = ""
        self.label = QLabel(_("&Brief: what every message should say"))
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName(_("Brief"))
        self.editor.setPlaceholderText(_("e.g. {example}").format(example=EXAMPLE))
        self.editor.setTabChangesFocus(True)
        self.editor.setMaximumHeight(240)
        self.label.setBuddy(self.editor)
        self.chips_label = QLabel(_("Placeholders (click to insert):"))
        self.chips_label.setProperty("role", "hint")
        self.chips = QListWidget()
        self.chips.setAccessibleName(_("Placeholders"))
        self.chips.setViewMode(QListView.ViewMode.IconMode)
        self.chips.setFlow(QListView.Flow.LeftToRight)
        self.chips.setWrapping(True)
        self.chips.setResizeMode(QListView.ResizeMode.Adjust)
        self.chips.setMovement(QListView.Movement.Static)
        self.chips.setSpacing(3)
        self.chips.setGridSize(QSize())
        row = self.chips.fontMetrics().height() + 14
        self.chips.setFixedHeight(2 * row + 8)  # two rows of placeholders, then it scrolls
        self.chips.setToolTip(_("Each column of the file, by its name; the lead's value "
                                "takes its place in every message"))
        self.problem = QLabel()
        self.problem.setProperty("role", "field-error")
        self.problem.setWordWrap(True)
        self.problem.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.chips_label)
        layout.addWidget(self.chips)
        layout.addWidget(self.problem)
        self.chips.itemClicked.connect(self._insert)
        self.chips.itemActivated.connect(self._insert)
        self.editor.textChanged.connect(self._changed)
        self.set_placeholders(None)

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)

    def set_placeholders(self, names: Sequence[str] | None, file_name: str = "") -> None:
        """The file's placeholders (None: no file yet)."""
        self.names = list(names or [])
        self.file_name = file_name
        self.chips.clear()
        for name in self.names:
            item = QListWidgetItem("{" + name + "}")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(_("Insert {{{name}}} at the cursor").format(name=name))
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            self.chips.addItem(item)
        self.chips_label.setText(_("Placeholders (click to insert):") if names is not None
                                 else _("Open a leads CSV to see its placeholders."))
        self.chips.setVisible(names is not None)
        self._changed()

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setReadOnly(read_only)
        self.chips.setEnabled(not read_only)

    def problem_text(self) -> str:
        """Why this brief cannot run with the file ("" when it can)."""
        if not self.file_name:
            return ""
        from aidesk.errors import AIDeskError
        from aidesk.features.bulk import check_brief

        try:
            check_brief(self.text(), self.names, self.file_name)
        except AIDeskError as exc:
            return exc.text
        return ""

    def _insert(self, item: QListWidgetItem) -> None:
        if self.editor.isReadOnly():
            return
        cursor = self.editor.textCursor()
        cursor.insertText("{" + str(item.data(Qt.ItemDataRole.UserRole)) + "}")
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()

    def _changed(self) -> None:
        problem = self.problem_text() if self.text().strip() else ""
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.changed.emit()
