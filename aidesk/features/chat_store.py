"""Imported conversations in the database (no Qt): save, list, read, label, summarise,
translate, delete. Plain SQL on the pooled sqlite3 connections; sync, for a worker thread.

Re-importing: a conversation's identity is the SHA-256 of its messages (sender, time, text,
kind, in order), unique per workspace. The same file imported again adds nothing and
returns the stored conversation's id. A later export of the same chat (same title and
format, the stored messages as its beginning) extends the stored conversation with the new
messages only: labels and translations of the old ones are kept, and the conversation's
label and summary, now out of date, are cleared.

Times: `sent_at` is the export's naive local time as ISO text; created/updated are UTC.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidesk.features.chat import Sentiment
from aidesk.features.chat_text import Summary, Translation
from aidesk.imports.model import ChatMessage, Conversation, MessageKind
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow

_LABELLABLE = "m.kind = 'text' AND m.sender != '' AND trim(m.text, ' ' || char(9, 10, 13)) != ''"
_LIST = f"""
SELECT c.id, c.title, c.source, c.format, c.sentiment, c.sentiment_reason, c.summary, c.notes,
       c.created_at, COUNT(m.id), MAX(m.sent_at), COUNT(m.sentiment),
       COALESCE(SUM(CASE WHEN {_LABELLABLE} THEN 1 ELSE 0 END), 0)
FROM conversations c LEFT JOIN chat_messages m ON m.conversation_id = c.id
WHERE {{where}} GROUP BY c.id
ORDER BY c.sentiment IS 'urgent' DESC, MAX(m.sent_at) IS NULL, MAX(m.sent_at) DESC,
         c.created_at DESC
"""
_MESSAGES = ("SELECT seq, sender, sent_at, text, kind, language, line, sentiment, "
             "sentiment_reason, translation, translation_language FROM chat_messages "
             "WHERE conversation_id = ? ORDER BY seq")
_INSERT_MESSAGE = ("INSERT INTO chat_messages (id, conversation_id, seq, sender, sent_at, text, "
                   "kind, language, line, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


@dataclass(frozen=True, slots=True)
class ConversationRow:
    id: str
    title: str
    source: str
    format: str
    message_count: int
    last_time: datetime | None  # the newest message's naive local time
    sentiment: str | None
    sentiment_reason: str | None
    analysed_count: int  # messages with a label
    summary: Summary | None
    labellable_count: int = 0  # people's text messages (what gets a label)
    notes: tuple[str, ...] = ()
    created_at: datetime | None = None  # UTC, when it was imported

    @property
    def fully_analysed(self) -> bool:
        return self.sentiment is not None and self.analysed_count >= self.labellable_count


@dataclass(frozen=True, slots=True)
class StoredMessage:
    seq: int
    sender: str
    time: datetime | None
    text: str
    kind: MessageKind
    language: str | None
    line: int
    sentiment: str | None
    reason: str | None
    translation: str | None
    translation_language: str | None

    @property
    def label(self) -> Sentiment | None:
        return None if self.sentiment is None else Sentiment(self.sentiment, self.reason or "")

    def chat_message(self) -> ChatMessage:
        return ChatMessage(self.sender, self.time, self.text, self.kind, self.language,
                           self.line)


def _message_line(m: ChatMessage) -> bytes:
    return (json.dumps([m.sender, m.time.isoformat() if m.time else None, m.text, m.kind],
                       ensure_ascii=False) + "\n").encode()


def content_hash(messages: Sequence[ChatMessage]) -> str:
    """The identity of a conversation's content (see the module docstring)."""
    digest = hashlib.sha256()
    for message in messages:
        digest.update(_message_line(message))
    return digest.hexdigest()


def _prefix_hashes(messages: Sequence[ChatMessage], counts: set[int]) -> dict[int, str]:
    digest = hashlib.sha256()
    out = {0: digest.hexdigest()} if 0 in counts else {}
    for index, message in enumerate(messages, start=1):
        digest.update(_message_line(message))
        if index in counts:
            out[index] = digest.copy().hexdigest()
    return out


def _insert_messages(conn: sqlite3.Connection, conversation_id: str,
                     messages: Sequence[ChatMessage], first_seq: int, now: str) -> None:
    conn.executemany(_INSERT_MESSAGE, (
        (new_id(), conversation_id, seq, m.sender, m.time.isoformat() if m.time else None,
         m.text, m.kind, m.language, m.line, now)
        for seq, m in enumerate(messages, start=first_seq)))


def _save_one(conn: sqlite3.Connection, tenant_id: str, conv: Conversation, now: str) -> str:
    full = content_hash(conv.messages)
    found = conn.execute("SELECT id FROM conversations WHERE tenant_id = ? AND content_hash = ?",
                         (tenant_id, full)).fetchone()
    if found is not None:
        return str(found[0])
    earlier = conn.execute(
        "SELECT c.id, c.content_hash, (SELECT COUNT(*) FROM chat_messages m "
        "WHERE m.conversation_id = c.id) FROM conversations c "
        "WHERE c.tenant_id = ? AND c.title = ? AND c.format = ? ORDER BY c.created_at",
        (tenant_id, conv.title, conv.format)).fetchall()
    earlier = [row for row in earlier if row[2] < len(conv.messages)]
    prefixes = _prefix_hashes(conv.messages, {int(row[2]) for row in earlier})
    for cid, stored_hash, count in earlier:
        if prefixes.get(int(count)) == stored_hash:
            _insert_messages(conn, cid, conv.messages[count:], int(count), now)
            conn.execute(
                "UPDATE conversations SET content_hash = ?, source = ?, notes = ?, "
                "sentiment = NULL, sentiment_reason = NULL, summary = NULL, updated_at = ? "
                "WHERE id = ?",
                (full, conv.source, json.dumps(list(conv.notes), ensure_ascii=False), now, cid))
            return str(cid)
    cid = new_id()
    conn.execute(
        "INSERT INTO conversations (id, tenant_id, title, source, format, content_hash, notes, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (cid, tenant_id, conv.title, conv.source, conv.format, full,
         json.dumps(list(conv.notes), ensure_ascii=False), now, now))
    _insert_messages(conn, cid, conv.messages, 0, now)
    return cid


def save_conversations(db: Database, tenant_id: str, convs: Iterable[Conversation]) -> list[str]:
    """Store the conversations in one transaction; the id of each (an existing one when it
    was imported before, see the module docstring), in order."""
    now = utc_text(utcnow())
    with db.writing("IMMEDIATE") as conn:
        return [_save_one(conn, tenant_id, conv, now) for conv in convs]


def _row(raw: tuple[Any, ...]) -> ConversationRow:
    summary = None
    if raw[6] is not None:
        data = json.loads(str(raw[6]))
        summary = Summary(data["executive_summary"], list(data["open_questions"]),
                          list(data["next_steps"]))
    return ConversationRow(
        id=str(raw[0]), title=str(raw[1]), source=str(raw[2]), format=str(raw[3]),
        message_count=int(raw[9]),
        last_time=datetime.fromisoformat(str(raw[10])) if raw[10] is not None else None,
        sentiment=None if raw[4] is None else str(raw[4]),
        sentiment_reason=None if raw[5] is None else str(raw[5]),
        analysed_count=int(raw[11]), summary=summary, labellable_count=int(raw[12]),
        notes=tuple(json.loads(str(raw[7]))), created_at=utc_from_text(str(raw[8])))


def list_conversations(db: Database, tenant_id: str) -> list[ConversationRow]:
    """The workspace's conversations: urgent ones first, then the most recent."""
    with db.reading() as conn:
        return [_row(r) for r in conn.execute(_LIST.format(where="c.tenant_id = ?"),
                                              (tenant_id,))]


def get_conversation(db: Database, conversation_id: str) -> ConversationRow | None:
    with db.reading() as conn:
        found = conn.execute(_LIST.format(where="c.id = ?"), (conversation_id,)).fetchone()
    return None if found is None else _row(found)


def messages(db: Database, conversation_id: str) -> list[StoredMessage]:
    """The conversation's messages in order, with their labels and translations."""
    with db.reading() as conn:
        rows = conn.execute(_MESSAGES, (conversation_id,)).fetchall()
    return [StoredMessage(int(r[0]), str(r[1]), datetime.fromisoformat(r[2]) if r[2] else None,
                          str(r[3]), r[4], r[5], int(r[6] or 0), r[7], r[8], r[9], r[10])
            for r in rows]


def set_message_sentiments(db: Database, conversation_id: str,
                           labels: Iterable[tuple[int, Sentiment | None]]) -> None:
    """Store (seq, sentiment) for messages of the conversation (None clears one), in one
    transaction."""
    with db.writing() as conn:
        conn.executemany(
            "UPDATE chat_messages SET sentiment = ?, sentiment_reason = ? "
            "WHERE conversation_id = ? AND seq = ?",
            ((s.label if s else None, s.reason if s else None, conversation_id, seq)
             for seq, s in labels))


def _update(db: Database, conversation_id: str, assignments: str,
            values: tuple[object, ...]) -> None:
    with db.writing() as conn:
        conn.execute(f"UPDATE conversations SET {assignments}, updated_at = ? WHERE id = ?",
                     (*values, utc_text(utcnow()), conversation_id))


def set_conversation_sentiment(db: Database, conversation_id: str,
                               sentiment: Sentiment | None) -> None:
    _update(db, conversation_id, "sentiment = ?, sentiment_reason = ?",
            (sentiment.label, sentiment.reason) if sentiment else (None, None))


def set_summary(db: Database, conversation_id: str, summary: Summary | None) -> None:
    data = None if summary is None else json.dumps(summary.as_json(), ensure_ascii=False)
    _update(db, conversation_id, "summary = ?", (data,))


def set_translation(db: Database, conversation_id: str, seq: int,
                    translation: Translation | None) -> None:
    """Keep a message's translation (None forgets it); the original text is never changed."""
    text, language = (None, None) if translation is None else (
        translation.text, translation.target_language)
    with db.writing() as conn:
        conn.execute("UPDATE chat_messages SET translation = ?, translation_language = ? "
                     "WHERE conversation_id = ? AND seq = ?",
                     (text, language, conversation_id, seq))


def delete_conversation(db: Database, conversation_id: str) -> None:
    """The conversation and its messages (ON DELETE CASCADE)."""
    with db.writing() as conn:
        conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
