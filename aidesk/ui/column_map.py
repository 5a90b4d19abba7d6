"""The column-mapping dialog for CSV imports (conversations and leads).

It shows the file's header with the importer's guess already picked, lets the user fix each
field, and previews the first rows with the mapped columns marked. OK stays disabled until
every required field has a column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import _

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: these models are flat


@dataclass(frozen=True, slots=True)
class Field:
    key: str  # the importer's mapping key (sender, time, text, …)
    label: str  # translated, with a mnemonic
    required: bool = False
    hint: str = ""


class PreviewModel(QAbstractTableModel):
    """The first rows of the file; mapped columns say which field they feed."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = list(header)
        self.rows = [list(r) for r in rows]
        self.fields_of: dict[str, str] = {}  # column → field label

    def set_mapping(self, fields_of: Mapping[str, str]) -> None:
        self.fields_of = dict(fields_of)
        if self.header:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.header) - 1)
        if self.rows and self.header:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, len(self.header) - 1))

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.header)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            row = self.rows[index.row()]
            return row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.FontRole and self.header[index.column()] in self.fields_of:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self.header):
            return None
        column = self.header[section]
        field = self.fields_of.get(column)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{column}\n→ {field}" if field else column
        if role == Qt.ItemDataRole.ToolTipRole and field:
            return _("Column “{column}” is read as {field}.").format(column=column, field=field)
        return None


class ColumnMapDialog(QDialog):
    def __init__(self, title: str, file_name: str, fields: Sequence[Field],
                 header: Sequence[str], guessed: Mapping[str, str],
                 rows: Sequence[Sequence[str]], parent: QWidget | None = None,
                 check: Callable[[dict[str, str]], str] | None = None) -> None:
        super().__init__(parent)
        self.check = check  # more rules than one field each: the problem's sentence, or ""
        self.setWindowTitle(title)
        self.fields = list(fields)
        self.header = list(header)
        intro = QLabel(_("Which column of {file} holds what? The guess is already picked: "
                         "fix it if a column is wrong, then press OK.").format(file=file_name))
        intro.setWordWrap(True)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.combos: dict[str, QComboBox] = {}
        for field in self.fields:
            combo = QComboBox()
            combo.addItem(_("(required: pick a column)") if field.required
                          else _("(not in this file)"), "")
            for column in self.header:
                combo.addItem(column, column)
            guess = guessed.get(field.key, "")
            combo.setCurrentIndex(max(0, combo.findData(guess)) if guess else 0)
            name = field.label.replace("&", "").rstrip(":").strip()
            combo.setAccessibleName(name)
            if field.hint:
                combo.setToolTip(field.hint)
            label = QLabel(field.label)
            label.setBuddy(combo)
            form.addRow(label, combo)
            combo.currentIndexChanged.connect(lambda _i: self._changed())
            self.combos[field.key] = combo
        self.preview = PreviewModel(self.header, rows, self)
        self.table = QTableView()
        self.table.setModel(self.preview)
        self.table.setAccessibleName(_("First rows of the file"))
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setDefaultSectionSize(140)
        self.table.setMinimumHeight(150)
        self.problem = QLabel()
        self.problem.setProperty("role", "field-error")
        self.problem.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>{}</b>".format(_("Preview"))))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(640, 520)
        self._changed()

    def mapping(self) -> dict[str, str]:
        """{field key: column} for every field that has a column."""
        return {key: str(combo.currentData()) for key, combo in self.combos.items()
                if combo.currentData()}

    def choose(self, key: str, column: str) -> None:
        combo = self.combos[key]
        combo.setCurrentIndex(max(0, combo.findData(column)))

    def _changed(self) -> None:
        mapping = self.mapping()
        labels = {f.key: f.label.replace("&", "").rstrip(":").strip() for f in self.fields}
        fields_of: dict[str, str] = {}
        for key, column in mapping.items():
            fields_of[column] = (f"{fields_of[column]}, {labels[key]}" if column in fields_of
                                 else labels[key])
        self.preview.set_mapping(fields_of)
        missing = [labels[f.key] for f in self.fields if f.required and f.key not in mapping]
        problem = _("Pick a column for: {fields}.").format(fields=", ".join(missing)) \
            if missing else (self.check(mapping) if self.check else "")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not problem)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
