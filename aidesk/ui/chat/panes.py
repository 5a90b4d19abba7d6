"""The Chat tab's left pane: import buttons, the sentiment filter and the sort, the search by
title, the conversation list (or what to do while it is empty) and Analyse all."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import N_, _
from aidesk.ui import icons
from aidesk.ui.chat.delegates import ConversationDelegate
from aidesk.ui.chat.models import FILTERS, SORTS

EMPTY = N_("No conversations yet. Import a WhatsApp export (.txt or .zip), a CSV or a JSON "
           "file, or drop files on this tab.")
LIST_STYLE = ("QListView { border: 1px solid palette(mid); border-radius: 6px; "
              "background: palette(base); }")


class ListPane(QWidget):
    def __init__(self, proxy: QSortFilterProxyModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.import_button = QPushButton(_("Import &files…"))
        self.import_button.setToolTip(_("Open WhatsApp exports (.txt, .zip), CSV or JSON files"))
        icons.use(self.import_button, "file")
        self.folder_button = QPushButton(_("Import fol&der…"))
        self.folder_button.setToolTip(_("Open every conversation file in a folder"))
        icons.use(self.folder_button, "folder-open")
        self.filter = QComboBox()
        self.filter.setAccessibleName(_("Show conversations"))
        for key, label in FILTERS.items():
            self.filter.addItem(_(label), key)
        self.sort = QComboBox()
        self.sort.setAccessibleName(_("Sort conversations"))
        for key, label in SORTS.items():
            self.sort.addItem(_(label), key)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search by name"))
        self.search.setAccessibleName(_("Search conversations by name"))
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icons.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.list = QListView()
        self.list.setAccessibleName(_("Conversations"))
        self.list.setModel(proxy)
        self.list.setItemDelegate(ConversationDelegate(self.list))
        self.list.setUniformItemSizes(True)
        self.list.setStyleSheet(LIST_STYLE)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = QLabel(_(EMPTY))
        self.empty.setProperty("role", "empty-state")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.list)
        self.list_stack.addWidget(self.empty)
        self.analyse_all_button = QPushButton(_("Anal&yse all"))
        self.analyse_all_button.setToolTip(_(
            "Label the sentiment of every conversation in the list (as filtered). Messages "
            "already labelled are not sent again."))
        icons.use(self.analyse_all_button, "sparkles")

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 6, 0)
        imports = QHBoxLayout()
        imports.addWidget(self.import_button)
        imports.addWidget(self.folder_button)
        imports.addStretch(1)
        box.addLayout(imports)
        row = QHBoxLayout()
        row.addWidget(self.filter, 1)
        row.addWidget(self.sort, 1)
        box.addLayout(row)
        box.addWidget(self.search)
        box.addWidget(self.list_stack, 1)
        row = QHBoxLayout()
        row.addWidget(self.analyse_all_button)
        row.addStretch(1)
        box.addLayout(row)
        # As wide as the import buttons need, in every language.
        self.setMinimumWidth(max(250, imports.sizeHint().width() + 6))
