"""Qt models of the Chat tab: the conversation list (with its filter and sort) and the
messages of one conversation, exposed in chunks so a 50,000-message export opens at once.

The rows are the store's own objects (`aidesk.features.chat_store`), read on the worker;
these models only present them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from aidesk import formats
from aidesk.i18n import N_, _, ngettext
from aidesk.ui.chat import looks

if TYPE_CHECKING:
    from aidesk.features.chat import Summary

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root: these models are flat
CHUNK = 200  # messages added to the view at a time
NOT_ANALYSED = "none"
FILTERS: dict[str, str] = {
    "": N_("All conversations"), "positive": N_("Positive"), "neutral": N_("Neutral"),
    "negative": N_("Negative"), "urgent": N_("Urgent"), NOT_ANALYSED: N_("Not analysed"),
}
SORTS: dict[str, str] = {"urgent": N_("Urgent first"), "newest": N_("Newest first"),
                         "name": N_("Name (A–Z)")}
RANK = {"urgent": 0, "negative": 1}  # the rest after these, newest first


class Role(IntEnum):
    ROW = Qt.ItemDataRole.UserRole + 1
    ID = Qt.ItemDataRole.UserRole + 2
    SENDER = Qt.ItemDataRole.UserRole + 3
    TIME = Qt.ItemDataRole.UserRole + 4
    KIND = Qt.ItemDataRole.UserRole + 5
    LANGUAGE = Qt.ItemDataRole.UserRole + 6
    SENTIMENT = Qt.ItemDataRole.UserRole + 7
    REASON = Qt.ItemDataRole.UserRole + 8
    TRANSLATION = Qt.ItemDataRole.UserRole + 9
    SHOW_ORIGINAL = Qt.ItemDataRole.UserRole + 10
    COUNT = Qt.ItemDataRole.UserRole + 11
    SUBTITLE = Qt.ItemDataRole.UserRole + 12


class MessageRow(Protocol):  # aidesk.features.chat_store.StoredMessage
    @property
    def seq(self) -> int: ...
    @property
    def sender(self) -> str: ...
    @property
    def time(self) -> datetime | None: ...
    @property
    def text(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def language(self) -> str | None: ...
    @property
    def sentiment(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def translation(self) -> str | None: ...


class ConversationRow(Protocol):  # aidesk.features.chat_store.ConversationRow
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def summary(self) -> Summary | None: ...
    @property
    def message_count(self) -> int: ...
    @property
    def last_time(self) -> datetime | None: ...
    @property
    def sentiment(self) -> str | None: ...
    @property
    def sentiment_reason(self) -> str | None: ...


def wall_time(moment: datetime | None) -> str:
    """A message's time as the export wrote it (naive: the local time of the chat)."""
    if moment is None:
        return ""
    return formats.date_time(moment.astimezone() if moment.tzinfo is None else moment)


class MessageModel(QAbstractListModel):
    """One conversation's messages. All rows are in memory; the view sees `CHUNK` more each
    time it scrolls to the end (`canFetchMore`/`fetchMore`), so opening never lays out
    thousands of wrapped rows."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[MessageRow] = []
        self.shown = 0
        self.translations: dict[int, str] = {}  # row → translation made in this session
        self.originals: set[int] = set()  # translated rows showing their original instead
        self._times: dict[int, str] = {}

    def set_messages(self, rows: Sequence[MessageRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.shown = min(CHUNK, len(self.rows))
        self.translations.clear()
        self.originals.clear()
        self._times.clear()
        self.endResetModel()

    def replace(self, rows: Sequence[MessageRow]) -> None:
        """Same conversation, newer data (labels, translations): keep what is shown."""
        if len(rows) != len(self.rows):
            shown = self.shown
            self.set_messages(rows)
            while self.shown < min(shown, len(self.rows)):
                self.fetchMore(QModelIndex())
            return
        self.rows = list(rows)
        if self.shown:
            self.dataChanged.emit(self.index(0), self.index(self.shown - 1))

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else self.shown

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self.shown < len(self.rows)

    def fetchMore(self, parent: Index) -> None:
        if not self.canFetchMore(parent):
            return
        more = min(CHUNK, len(self.rows) - self.shown)
        self.beginInsertRows(QModelIndex(), self.shown, self.shown + more - 1)
        self.shown += more
        self.endInsertRows()

    def time_text(self, row: int) -> str:
        if row not in self._times:
            self._times[row] = wall_time(self.rows[row].time)
        return self._times[row]

    def translation(self, row: int) -> str | None:
        return self.translations.get(row) or self.rows[row].translation

    def set_translation(self, row: int, text: str) -> None:
        self.translations[row] = text
        self.originals.discard(row)
        self._changed(row)

    def toggle_original(self, row: int) -> None:
        if self.translation(row) is None:
            return
        self.originals.symmetric_difference_update({row})
        self._changed(row)

    def _changed(self, row: int) -> None:
        if row < self.shown:
            self.dataChanged.emit(self.index(row), self.index(row))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.shown or index.column():
            return None
        row = index.row()
        m = self.rows[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return m.text
        if role == Qt.ItemDataRole.ToolTipRole:
            look = looks.sentiment(m.sentiment, m.reason or "")
            return look.tooltip if look else None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{m.sender}, {self.data(index, Role.TIME)}: {m.text}"
        if role == Role.TIME:
            return self.time_text(row)
        values = {Role.ROW: m, Role.SENDER: m.sender, Role.KIND: m.kind,
                  Role.LANGUAGE: m.language, Role.SENTIMENT: m.sentiment,
                  Role.REASON: m.reason}
        if role in values:
            return values[Role(role)]
        if role == Role.TRANSLATION:
            return self.translation(row)
        if role == Role.SHOW_ORIGINAL:
            return row in self.originals
        return None


class ConversationModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[ConversationRow] = []

    def set_rows(self, rows: Sequence[ConversationRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def row_of(self, conversation_id: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r.id == conversation_id), -1)

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows) or index.column():
            return None
        c = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return c.title
        if role == Role.SUBTITLE:
            count = ngettext("{n} message", "{n} messages", c.message_count).format(
                n=formats.number(c.message_count))
            when = wall_time(c.last_time)
            return f"{count} · {when}" if when else count
        if role == Qt.ItemDataRole.ToolTipRole:
            look = looks.sentiment(c.sentiment, c.sentiment_reason or "")
            return f"{c.title}\n{look.tooltip}" if look else c.title
        values = {Role.ROW: c, Role.ID: c.id, Role.COUNT: c.message_count,
                  Role.TIME: c.last_time, Role.SENTIMENT: c.sentiment,
                  Role.REASON: c.sentiment_reason}
        return values.get(Role(role)) if role in values else None


class ConversationFilter(QSortFilterProxyModel):
    """Filter by sentiment and title, sort urgent first (the default), newest or by name."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.sentiment = ""
        self.search = ""
        self.order = "urgent"
        self.setDynamicSortFilter(True)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_sentiment(self, sentiment: str) -> None:
        self._refilter(lambda: setattr(self, "sentiment", sentiment))

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "search", text.strip().casefold()))

    def _refilter(self, change: Callable[[], None]) -> None:
        if hasattr(self, "endFilterChange"):  # Qt 6.9+; invalidateFilter is deprecated there
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateFilter()

    def set_order(self, order: str) -> None:
        self.order = order
        self.invalidate()
        self.sort(0)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ConversationModel)
        c = model.rows[source_row]
        if self.search and self.search not in c.title.casefold():
            return False
        if not self.sentiment:
            return True
        return (c.sentiment or NOT_ANALYSED) == self.sentiment

    def lessThan(self, left: Index, right: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, ConversationModel)
        a, b = model.rows[left.row()], model.rows[right.row()]
        return sort_key(a, self.order) < sort_key(b, self.order)

    def ids(self) -> list[str]:
        """The conversations the list shows, in its order."""
        return [str(self.data(self.index(r, 0), Role.ID)) for r in range(self.rowCount())]


def sort_key(c: ConversationRow, order: str) -> tuple[Any, ...]:
    newest = -(c.last_time.timestamp() if c.last_time else float("-inf"))
    name = c.title.casefold()
    if order == "name":
        return (name, newest)
    if order == "newest":
        return (newest, name)
    return (RANK.get(c.sentiment or "", 2), newest, name)


def filter_label(key: str) -> str:
    return _(FILTERS[key])
