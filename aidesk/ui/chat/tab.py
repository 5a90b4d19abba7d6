"""The Chat tab: imported conversations on the left (filter, sort, search, sentiment badges),
the selected conversation's messages in the middle, its summary and suggested replies on the
right. Imports (`importing.py`) and the AI tools (`tools.py`) run on the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import N_, _
from aidesk.ui import icons
from aidesk.ui.badges import Badge
from aidesk.ui.chat import looks, work
from aidesk.ui.chat.delegates import MessageDelegate
from aidesk.ui.chat.insights import Insights
from aidesk.ui.chat.models import (
    ConversationFilter,
    ConversationModel,
    ConversationRow,
    MessageModel,
    Role,
)
from aidesk.ui.chat.panes import LIST_STYLE, ListPane
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.progress import ProgressRow

if TYPE_CHECKING:
    from aidesk.workspaces import Workspace



class ChatTab(WorkspaceTab):
    title = N_("Chat")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.current_id: str | None = None
        self._list_generation = 0
        self._open_generation = 0
        self.setAcceptDrops(True)

        # Left: import, filter, sort, search, the list.
        self.conversations = ConversationModel(self)
        self.proxy = ConversationFilter(self)
        self.proxy.setSourceModel(self.conversations)
        self.proxy.sort(0)
        self.list_pane = ListPane(self.proxy)
        pane = self.list_pane
        self.import_button, self.folder_button = pane.import_button, pane.folder_button
        self.filter, self.sort, self.search = pane.filter, pane.sort, pane.search
        self.list, self.empty, self.list_stack = pane.list, pane.empty, pane.list_stack
        self.analyse_all_button = pane.analyse_all_button

        # Middle: the conversation.
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.badge = Badge()
        self.details = QLabel()
        self.details.setProperty("role", "hint")
        self.analyse_button = QPushButton(_("Analyse &sentiment"))
        self.analyse_button.setToolTip(_("Label each message and the conversation: positive, "
                                         "neutral, negative or urgent, with the reason"))
        icons.use(self.analyse_button, "sparkles")
        self.summarise_button = QPushButton(_("Su&mmarise"))
        self.summarise_button.setToolTip(_("Executive summary, open questions, next steps"))
        icons.use(self.summarise_button, "file")
        self.replies_button = QPushButton(_("Suggest &replies"))
        self.replies_button.setToolTip(_("Three replies in the customer's language"))
        icons.use(self.replies_button, "pencil")
        self.messages = MessageModel(self)
        self.message_view = QListView()
        self.message_view.setAccessibleName(_("Messages"))
        self.message_view.setModel(self.messages)
        self.message_view.setItemDelegate(MessageDelegate(self.message_view))
        self.message_view.setWordWrap(True)
        self.message_view.setResizeMode(QListView.ResizeMode.Adjust)
        self.message_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.message_view.setStyleSheet(LIST_STYLE)
        self.placeholder = QLabel(_("Pick a conversation on the left to read it here."))
        self.placeholder.setProperty("role", "empty-state")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message_stack = QStackedWidget()
        self.message_stack.addWidget(self.message_view)
        self.message_stack.addWidget(self.placeholder)
        self.translate_button = QPushButton(_("&Translate to Portuguese"))
        self.translate_button.setToolTip(_("Translate the selected message; the original "
                                           "stays one click away"))
        icons.use(self.translate_button, "languages")
        self.original_button = QPushButton(_("Show &original"))
        self.original_button.setToolTip(_("Switch the selected message between its original "
                                          "text and the translation"))
        icons.use(self.original_button, "eye")
        self.auto_translate = QCheckBox(_("Translate incoming messages automatically"))
        self.auto_translate.setToolTip(_(
            "Messages in another language are translated to Portuguese as a conversation "
            "opens (each translation is a paid call). Also in Settings."))
        self.insights = Insights()
        self.progress = ProgressRow()
        self._build_layout()

        from aidesk.ui.chat.importing import Importer
        from aidesk.ui.chat.tools import Tools

        self.importer = Importer(self)
        self.tools = Tools(self)
        self.filter.currentIndexChanged.connect(
            lambda _i: self._refilter(lambda: self.proxy.set_sentiment(
                str(self.filter.currentData()))))
        self.sort.currentIndexChanged.connect(
            lambda _i: self.proxy.set_order(str(self.sort.currentData())))
        self.search.textChanged.connect(
            lambda text: self._refilter(lambda: self.proxy.set_search(text)))
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.message_view.selectionModel().currentChanged.connect(
            lambda _c, _p: self.update_buttons())
        self.original_button.clicked.connect(self._toggle_original)
        self.auto_translate.toggled.connect(self.tools.set_auto_translate)
        ctx.bridge.configs_changed.connect(self.tools.load_auto_translate)
        self.show_conversation(None)
        self.update_buttons()

    def _build_layout(self) -> None:
        middle = QWidget()
        box = QVBoxLayout(middle)
        box.setContentsMargins(6, 0, 6, 0)
        row = QHBoxLayout()
        row.addWidget(self.heading, 1)
        row.addWidget(self.badge)
        box.addLayout(row)
        box.addWidget(self.details)
        row = QHBoxLayout()
        for button in (self.analyse_button, self.summarise_button, self.replies_button):
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(self.message_stack, 1)
        row = QHBoxLayout()
        row.addWidget(self.translate_button)
        row.addWidget(self.original_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(self.auto_translate)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        for pane, width, stretch in ((self.list_pane, self.list_pane.minimumWidth(), 2),
                                     (middle, 340, 4), (self.insights, 240, 3)):
            pane.setMinimumWidth(width)
            splitter.addWidget(pane)
            splitter.setStretchFactor(splitter.indexOf(pane), stretch)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.progress)

    # -- workspace and list -------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        previous = self.workspace
        super().set_workspace(workspace)
        if previous is None or previous.id != workspace.id:
            self.tools.leave()
            self.importer.leave()
            self.current_id = None
            self.show_conversation(None)
        self.tools.load_auto_translate()
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the conversation list again (after an import or an analysis)."""
        ws = self.workspace
        if ws is None:
            return
        self._list_generation += 1
        generation = self._list_generation
        job = self.ctx.bridge.call(lambda core: work.conversations(core, ws))
        # The conversation to select is decided on arrival: the user may have picked
        # another one while the list was read.
        job.done.connect(lambda rows: self._fill(rows, select or self.current_id)
                         if generation == self._list_generation else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _fill(self, rows: list[ConversationRow], select: str | None) -> None:
        self.conversations.set_rows(rows)
        self.proxy.sort(0)
        self.list_stack.setCurrentWidget(self.list if rows else self.empty)
        row = self.conversations.row_of(select) if select else -1
        if row >= 0:
            index = self.proxy.mapFromSource(self.conversations.index(row))
            self.list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.show_header(rows[row])
        self.update_buttons()

    def _refilter(self, change: Any) -> None:
        change()
        if self.current_id is not None and self.conversations.row_of(self.current_id) >= 0:
            index = self.proxy.mapFromSource(
                self.conversations.index(self.conversations.row_of(self.current_id)))
            if index.isValid():
                self.list.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.update_buttons()

    def current_row(self) -> ConversationRow | None:
        if self.current_id is None:
            return None
        row = self.conversations.row_of(self.current_id)
        return self.conversations.rows[row] if row >= 0 else None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        conversation_id = current.data(Role.ID) if current.isValid() else None
        if conversation_id and conversation_id != self.current_id:
            self.open_conversation(str(conversation_id))

    # -- one conversation ---------------------------------------------------------------------
    def open_conversation(self, conversation_id: str, *, keep_view: bool = False) -> None:
        self._open_generation += 1
        generation = self._open_generation
        changed = conversation_id != self.current_id
        self.current_id = conversation_id
        row = self.current_row()
        if changed:
            self.tools.translating.clear()  # late translations are stored, shown on reopen
            self.show_conversation(row)
        job = self.ctx.bridge.run(lambda core: work.messages(core, conversation_id))
        job.done.connect(lambda rows: self._messages_loaded(rows, keep_view and not changed)
                         if generation == self._open_generation else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _messages_loaded(self, rows: list[Any], keep_view: bool) -> None:
        if keep_view:
            self.messages.replace(rows)
        else:
            self.messages.set_messages(rows)
            self.message_view.scrollToTop()
        self.message_stack.setCurrentWidget(self.message_view)
        self.update_buttons()
        self.tools.messages_shown()

    def show_conversation(self, row: ConversationRow | None) -> None:
        """The header and side panel of `row` (messages follow from the worker)."""
        self.messages.set_messages([])
        self.message_stack.setCurrentWidget(self.placeholder if row is None
                                            else self.message_view)
        self.show_header(row)
        self.insights.summary.show_summary(row.summary if row is not None else None)
        self.insights.replies.show_replies(None)
        self.update_buttons()

    def show_header(self, row: ConversationRow | None) -> None:
        self.heading.setText(row.title if row is not None else "")
        self.heading.setToolTip(row.source if row is not None else "")
        self.badge.set_look(looks.sentiment(row.sentiment, row.sentiment_reason or "")
                            if row is not None else None)
        if row is None:
            self.details.setText("")
        else:
            self.details.setText(str(self.proxy.sourceModel().data(
                self.conversations.index(self.conversations.row_of(row.id)), Role.SUBTITLE)))

    def selected_message(self) -> int:
        index = self.message_view.currentIndex()
        return index.row() if index.isValid() else -1

    def _toggle_original(self) -> None:
        row = self.selected_message()
        if row >= 0:
            self.messages.toggle_original(row)
            self.update_buttons()

    def update_buttons(self) -> None:
        busy = self.importer.running or self.tools.analysing
        has = self.current_id is not None
        for button in (self.import_button, self.folder_button):
            button.setEnabled(not busy)
        self.analyse_all_button.setEnabled(not busy and self.proxy.rowCount() > 0)
        self.analyse_button.setEnabled(not busy and has)
        self.summarise_button.setEnabled(has and not self.tools.summarising)
        self.replies_button.setEnabled(has and not self.tools.suggesting)
        row = self.selected_message()
        foreign = row >= 0 and self.messages.rows[row].language not in (None, "pt")
        translated = row >= 0 and self.messages.translation(row) is not None
        self.translate_button.setEnabled(foreign and not translated
                                         and row not in self.tools.translating)
        self.original_button.setEnabled(translated)
        self.original_button.setText(_("Show &translation") if translated
                                     and row in self.messages.originals
                                     else _("Show &original"))

    # -- drag and drop ------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.importer.accepts(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = self.importer.paths_of(event.mimeData())
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.importer.start(paths))
