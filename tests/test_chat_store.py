"""Conversations and leads in the database: round trips, re-imports, labels, migration 0004."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from aidesk.core import Core
from aidesk.features import chat_store, lead_store
from aidesk.features.chat import Sentiment
from aidesk.features.chat_text import Summary, Translation
from aidesk.features.leads import LeadAnalysis
from aidesk.imports.model import ChatMessage, Conversation
from aidesk.storage import Database, open_database
from tests.test_migrations import _database_at

T0 = datetime(2025, 3, 10, 9, 0)
MESSAGES = (
    ChatMessage("", T0, "As mensagens são protegidas com criptografia", "system", None, 1),
    ChatMessage("Maria", T0 + timedelta(minutes=1), "Oi! Tudo bem?\nQueria um orçamento",
                "text", "pt", 2),
    ChatMessage("Loja", T0 + timedelta(minutes=2), "<Mídia oculta>", "media", None, 4),
    ChatMessage("Maria", None, "Hello?", "text", "en", 5),
)
CONV = Conversation("Maria", "Conversa do WhatsApp com Maria.txt", "whatsapp", MESSAGES,
                    ("encoding repaired",))


def count(db: Database, table: str) -> int:
    with db.reading() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_a_conversation_round_trips(core: Core) -> None:
    [cid] = chat_store.save_conversations(core.db, "acme", [CONV])
    [row] = chat_store.list_conversations(core.db, "acme")
    assert (row.id, row.title, row.source, row.format) == (cid, "Maria", CONV.source,
                                                           "whatsapp")
    assert (row.message_count, row.labellable_count, row.analysed_count) == (4, 2, 0)
    assert row.last_time == T0 + timedelta(minutes=2)
    assert row.notes == ("encoding repaired",) and row.summary is None
    assert row.sentiment is None and not row.fully_analysed
    stored = chat_store.messages(core.db, cid)
    assert [m.seq for m in stored] == [0, 1, 2, 3]
    assert tuple(m.chat_message() for m in stored) == MESSAGES
    assert chat_store.list_conversations(core.db, "other") == []
    assert chat_store.get_conversation(core.db, cid) == row


def test_the_same_file_again_adds_nothing(core: Core) -> None:
    first = chat_store.save_conversations(core.db, "acme", [CONV])
    renamed = replace(CONV, source="copy of the export.txt")
    again = chat_store.save_conversations(core.db, "acme", [CONV, renamed])
    assert again == first * 2
    assert (count(core.db, "conversations"), count(core.db, "chat_messages")) == (1, 4)
    other = chat_store.save_conversations(core.db, "globex", [CONV])  # another workspace
    assert other != first and count(core.db, "conversations") == 2


def test_a_later_export_extends_the_conversation_and_keeps_its_labels(core: Core) -> None:
    [cid] = chat_store.save_conversations(core.db, "acme", [CONV])
    chat_store.set_message_sentiments(core.db, cid, [(1, Sentiment("positive", "cordial"))])
    chat_store.set_conversation_sentiment(core.db, cid, Sentiment("positive", "tudo bem"))
    chat_store.set_summary(core.db, cid, Summary("Resumo", [], ["Responder"]))
    later = ChatMessage("Maria", T0 + timedelta(days=1), "Ainda quero o orçamento", "text",
                        "pt", 9)
    [again] = chat_store.save_conversations(
        core.db, "acme", [replace(CONV, messages=(*MESSAGES, later))])
    assert again == cid
    stored = chat_store.messages(core.db, cid)
    assert [m.text for m in stored][-1] == later.text and len(stored) == 5
    assert stored[1].label == Sentiment("positive", "cordial")
    row = chat_store.get_conversation(core.db, cid)
    assert row is not None and row.sentiment is None and row.summary is None  # out of date
    different = replace(CONV, messages=(later,))  # same title, not the same beginning
    assert chat_store.save_conversations(core.db, "acme", [different]) != [cid]


def test_labels_summary_translation_and_delete(core: Core) -> None:
    urgent_conv = replace(CONV, title="João", messages=MESSAGES[1:2])
    cid, urgent = chat_store.save_conversations(core.db, "acme", [CONV, urgent_conv])
    chat_store.set_message_sentiments(core.db, cid, [(1, Sentiment("neutral", "pergunta")),
                                                     (3, Sentiment("negative", "impaciente"))])
    chat_store.set_conversation_sentiment(core.db, urgent, Sentiment("urgent", "prazo hoje"))
    summary = Summary("Maria quer um orçamento.", ["Qual produto?"], ["Enviar preços"])
    chat_store.set_summary(core.db, cid, summary)
    chat_store.set_translation(core.db, cid, 3, Translation("Olá?", "en", "pt"))
    first, second = chat_store.list_conversations(core.db, "acme")
    assert (first.id, first.sentiment, first.sentiment_reason) == (urgent, "urgent",
                                                                   "prazo hoje")
    assert second.summary == summary and second.analysed_count == 2
    stored = chat_store.messages(core.db, cid)
    assert (stored[3].text, stored[3].translation, stored[3].translation_language) == (
        "Hello?", "Olá?", "pt")
    assert stored[3].label == Sentiment("negative", "impaciente") and stored[2].label is None
    chat_store.set_translation(core.db, cid, 3, None)
    assert chat_store.messages(core.db, cid)[3].translation is None
    chat_store.delete_conversation(core.db, cid)
    assert [r.id for r in chat_store.list_conversations(core.db, "acme")] == [urgent]
    assert count(core.db, "chat_messages") == 1  # the cascade took the deleted one's


def test_fifty_thousand_messages_in_one_save(core: Core) -> None:
    many = tuple(ChatMessage(f"Pessoa {i % 7}", T0 + timedelta(seconds=i), f"mensagem {i}",
                             "text", "pt", i + 1) for i in range(50_000))
    start = time.perf_counter()
    [cid] = chat_store.save_conversations(core.db, "acme", [replace(CONV, messages=many)])
    elapsed = time.perf_counter() - start
    assert count(core.db, "chat_messages") == 50_000
    assert chat_store.messages(core.db, cid)[-1].text == "mensagem 49999"
    assert elapsed < 10, f"saving took {elapsed:.1f} s"


def test_0004_adds_the_tables_to_a_0003_database(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    old = _database_at(path, "0003")
    with old.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO workspaces (id, tenant_id, name, created_at, updated_at) VALUES "
            "('w1', 'acme', 'Acme', '2026-11-24 10:00:00.000000', '2026-11-24 10:00:00.000000')")
    old.close()
    db = open_database(path)
    try:
        assert count(db, "workspaces") == 1
        assert (count(db, "conversations"), count(db, "leads")) == (0, 0)
        assert chat_store.save_conversations(db, "acme", [CONV])
    finally:
        db.close()


class Event:
    def __init__(self, when: datetime | None, kind: str, text: str) -> None:
        self.time, self.kind, self.text = when, kind, text


class Lead:
    def __init__(self, name: str, key: str, *events: Event, company: str = "") -> None:
        self.name, self.key, self.company = name, key, company
        self.email, self.phone = f"{key}@example.com", "+55 11 90000-0000"
        self.history = events


ANALYSIS = LeadAnalysis("Quer o plano anual.", ["plano anual"], 75, "hot", ["Pediu preço"],
                        ["Ligar"])


def test_leads_round_trip_and_a_reimport_updates_in_place(core: Core) -> None:
    ana = Lead("Ana", "L-1", Event(T0, "note", "Pediu preço"), company="Padaria")
    bia = Lead("Bia", "", Event(None, "campaign", "Clicou no anúncio"))
    ana_id, bia_id = lead_store.save_leads(core.db, "acme", [ana, bia])
    lead_store.set_analysis(core.db, ana_id, ANALYSIS)
    first, second = lead_store.list_leads(core.db, "acme")
    assert (first.id, first.key, first.company, first.analysis) == (ana_id, "L-1", "Padaria",
                                                                     ANALYSIS)
    assert first.history == (lead_store.StoredEvent(T0, "note", "Pediu preço"),)
    assert first.analysed_at is not None and first.analysed_at.tzinfo is not None
    assert (second.id, second.key, second.analysis) == (bia_id, "Bia", None)  # name as key
    renamed = Lead("Ana Lima", "L-1", Event(T0, "note", "Pediu preço"))
    assert lead_store.save_leads(core.db, "acme", [renamed]) == [ana_id]
    kept = lead_store.get_lead(core.db, ana_id)
    assert kept is not None and kept.name == "Ana Lima" and kept.analysis == ANALYSIS
    newer = Lead("Ana Lima", "L-1", Event(T0, "note", "Pediu preço"),
                 Event(T0 + timedelta(days=2), "message", "Fechado!"))
    lead_store.save_leads(core.db, "acme", [newer])
    changed = lead_store.get_lead(core.db, ana_id)
    assert changed is not None and changed.analysis is None and len(changed.history) == 2
    assert count(core.db, "leads") == 2
    lead_store.delete_lead(core.db, bia_id)
    assert [r.id for r in lead_store.list_leads(core.db, "acme")] == [ana_id]


def test_leads_are_listed_by_score(core: Core) -> None:
    ids = lead_store.save_leads(core.db, "acme", [
        Lead(name, name, Event(None, "note", "x")) for name in ("c", "a", "b")])
    for lead_id, score in zip(ids[:2], (30, 90), strict=True):
        lead_store.set_analysis(core.db, lead_id, replace(ANALYSIS, score=score))
    assert [r.name for r in lead_store.list_leads(core.db, "acme")] == ["a", "c", "b"]
