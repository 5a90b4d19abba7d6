"""The Chat tab's Qt models on their own: Qt's model tester, the conversation filter and sort
(urgent first), and a 50,000-message conversation shown a chunk at a time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QListView

from aidesk.ui.chat.delegates import MessageDelegate
from aidesk.ui.chat.models import (
    CHUNK,
    ConversationFilter,
    ConversationModel,
    MessageModel,
    Role,
)

START = datetime(2026, 3, 2, 9, 0)


@dataclass(frozen=True)
class Msg:
    seq: int
    sender: str
    time: datetime | None
    text: str
    kind: str = "text"
    language: str | None = "pt"
    sentiment: str | None = None
    reason: str = ""
    translation: str | None = None


@dataclass(frozen=True)
class Conv:
    id: str
    title: str
    message_count: int
    last_time: datetime | None
    sentiment: str | None = None
    sentiment_reason: str = ""
    source: str = "chat.txt"
    summary: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def many(n: int) -> list[Msg]:
    kinds = ("text", "text", "text", "media", "system")
    return [Msg(i, "Maria Souza" if i % 2 else "Loja", START + timedelta(minutes=i),
                f"Mensagem número {i}: o pedido chega amanhã?" * (1 + i % 3), kinds[i % 5],
                ("pt", "en", None)[i % 3], ("positive", "urgent", None)[i % 3], "porque sim")
            for i in range(n)]


CONVERSATIONS = [
    Conv("a", "Ana (positivo)", 10, START + timedelta(days=3), "positive", "agradeceu"),
    Conv("b", "Bruno (urgente, antigo)", 5, START, "urgent", "cobrança indevida"),
    Conv("c", "Carla (sem análise)", 7, START + timedelta(days=5)),
    Conv("d", "Diego (negativo)", 3, START + timedelta(days=1), "negative", "atraso"),
    Conv("e", "Elisa (urgente, recente)", 12, START + timedelta(days=4), "urgent", "prazo hoje"),
]


def titles(proxy: ConversationFilter) -> list[str]:
    return [str(proxy.index(r, 0).data()) for r in range(proxy.rowCount())]


def test_message_model_passes_qt_model_tester(qtmodeltester: Any) -> None:
    model = MessageModel()
    model.set_messages(many(450))
    qtmodeltester.check(model)
    model.set_translation(1, "Mensagem traduzida")
    model.toggle_original(1)
    qtmodeltester.check(model)


def test_conversation_models_pass_qt_model_tester(qtmodeltester: Any) -> None:
    model = ConversationModel()
    model.set_rows(CONVERSATIONS)
    qtmodeltester.check(model)
    proxy = ConversationFilter()
    proxy.setSourceModel(model)
    proxy.sort(0)
    qtmodeltester.check(proxy)
    proxy.set_sentiment("urgent")
    qtmodeltester.check(proxy)


def test_urgent_first_then_newest_and_the_other_orders(qapp: Any) -> None:
    model = ConversationModel()
    model.set_rows(CONVERSATIONS)
    proxy = ConversationFilter()
    proxy.setSourceModel(model)
    proxy.sort(0)
    assert titles(proxy) == ["Elisa (urgente, recente)", "Bruno (urgente, antigo)",
                             "Diego (negativo)", "Carla (sem análise)", "Ana (positivo)"]
    proxy.set_order("newest")
    assert titles(proxy)[:2] == ["Carla (sem análise)", "Elisa (urgente, recente)"]
    proxy.set_order("name")
    assert titles(proxy) == sorted(titles(proxy))
    proxy.set_order("urgent")
    proxy.set_sentiment("none")
    assert titles(proxy) == ["Carla (sem análise)"]
    proxy.set_sentiment("urgent")
    assert proxy.ids() == ["e", "b"]
    proxy.set_search("bru")
    assert proxy.ids() == ["b"]
    proxy.set_sentiment("")
    proxy.set_search("")
    assert len(proxy.ids()) == 5


def test_a_50000_message_conversation_opens_a_chunk_at_a_time(qtbot: Any) -> None:
    rows = many(50_000)
    view = QListView()
    qtbot.addWidget(view)
    model = MessageModel(view)
    view.setModel(model)
    view.setItemDelegate(MessageDelegate(view))
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.resize(600, 500)
    view.show()
    qtbot.waitExposed(view)
    started = time.perf_counter()
    model.set_messages(rows)
    qtbot.wait(1)  # the first layout and paint
    opened = time.perf_counter() - started
    assert model.rowCount() == CHUNK, "only the first chunk is laid out"
    assert opened < 1.0, f"opening took {opened:.2f} s"
    view.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() > CHUNK, timeout=3_000)
    assert model.rowCount() == 2 * CHUNK
    assert model.rowCount() < len(rows)
    index = model.index(CHUNK + 3)
    assert index.data(Role.SENDER) == rows[CHUNK + 3].sender
    assert index.data() == rows[CHUNK + 3].text
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 50_000


def test_translation_and_the_original_one_click_away(qapp: Any) -> None:
    model = MessageModel()
    model.set_messages([Msg(0, "John", START, "Where is my order?", language="en")])
    index = model.index(0)
    assert index.data(Role.TRANSLATION) is None
    model.set_translation(0, "Cadê meu pedido?")
    assert index.data(Role.TRANSLATION) == "Cadê meu pedido?"
    assert index.data(Role.SHOW_ORIGINAL) is False
    model.toggle_original(0)
    assert index.data(Role.SHOW_ORIGINAL) is True
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Where is my order?"
