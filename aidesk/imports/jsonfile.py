"""JSON exports: a list of messages, or conversations holding one.

Shapes accepted (the top level, then each conversation):

    [ {message}, … ]                                   one conversation (or several, when
                                                       the messages carry a conversation key)
    {"messages": [ … ], "name"|"title"|"contact": …}   one conversation (Telegram, CRMs)
    {"conversations"|"chats"|"data"|"items"|"results"|"tickets": [ {conversation}, … ]}
    [ {"contact": …, "messages": [ … ]}, … ]           several conversations
    {"chats": {"list": [ … ]}}                         Telegram's export of all chats

A message's fields, by the first name present (case-insensitive; the same `mapping` as for
CSV can name others):
    sender  sender, from, author, name, sender_name, user, username, remetente, autor, de
            (an object: its name, display_name, first_name + last_name, phone or id)
    time    timestamp, timestamp_ms, date_unixtime, date, time, datetime, created_at,
            createdAt, sent_at, sentAt, data, hora — ISO 8601, dd/mm/yyyy hh:mm or epoch
    text    text, body, message, content, msg, mensagem, texto, caption (a list of strings
            or {"text": …} parts is joined, as Telegram writes)
    conversation (flat lists) conversation, conversation_id, chat_id, chat, contact, thread
A "type" of service/system/notification makes a system line; image/audio/video/document/
sticker/file/ptt/media (or no text but an attachment) a media one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aidesk.i18n import _
from aidesk.imports.model import ChatMessage, Conversation, ImportFailed, MessageKind
from aidesk.imports.timeparse import TimeReader
from aidesk.imports.whatsapp_phrases import MEDIA, title_from_name

LISTS = ("conversations", "chats", "data", "items", "results", "tickets", "threads")
FIELDS: dict[str, tuple[str, ...]] = {
    "sender": ("sender", "from", "author", "name", "sender_name", "user", "username",
               "remetente", "autor", "de"),
    "time": ("timestamp", "timestamp_ms", "date_unixtime", "date", "time", "datetime",
             "created_at", "createdat", "sent_at", "sentat", "data", "hora"),
    "text": ("text", "body", "message", "content", "msg", "mensagem", "texto", "caption"),
    "conversation": ("conversation", "conversation_id", "chat_id", "chat", "contact",
                     "thread", "thread_id"),
}
TITLES = ("contact", "name", "title", "chat", "with", "customer", "cliente", "contato",
          "subject", "id")
MEDIA_TYPES = {"image", "audio", "video", "document", "sticker", "file", "ptt", "media",
               "photo", "voice", "gif"}
SYSTEM_TYPES = {"service", "system", "notification", "event"}
ATTACHMENTS = ("attachments", "attachment", "media", "file", "photo", "files")


def parse(text: str, *, name: str, mapping: Mapping[str, str] | None = None,
          title: str | None = None) -> list[Conversation]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(_("{file}, line {line}, column {column}: not valid JSON "
                             "({error}).").format(file=name, line=exc.lineno,
                                                  column=exc.colno, error=exc.msg),
                           file=name, line=exc.lineno) from None
    default = title or title_from_name(name)
    fields = {k: (v.lower(),) for k, v in (mapping or {}).items()}
    found = [(t or default, msgs) for t, msgs in _conversations(data, fields)]
    convs = [Conversation(t, name, "json", tuple(_messages(msgs, fields, name)))
             for t, msgs in found]
    convs = [c for c in convs if c.messages]
    if not convs:
        raise ImportFailed(_(
            "{file}: no messages found; the JSON is none of the shapes known (a list of "
            "messages, {{\"messages\": […]}} or {{\"conversations\": […]}}, each message "
            "with a text, body, message or content field).").format(file=name), file=name)
    return convs


def _conversations(data: Any, fields: Mapping[str, tuple[str, ...]]
                   ) -> list[tuple[str, list[Any]]]:
    if isinstance(data, dict):
        keyed = _lower(data)
        if isinstance(keyed.get("messages"), list):
            return [(_title(keyed), keyed["messages"])]
        for key in LISTS:
            inner = keyed.get(key)
            if isinstance(inner, dict) and isinstance(inner.get("list"), list):
                inner = inner["list"]
            if isinstance(inner, list):
                return _conversations(inner, fields)
        return []
    if not isinstance(data, list):
        return []
    holders = [_lower(x) for x in data if isinstance(x, dict)]
    if holders and all(isinstance(h.get("messages"), list) for h in holders):
        return [(_title(h), h["messages"]) for h in holders]
    group_by = _first_key(holders, fields.get("conversation") or FIELDS["conversation"])
    if group_by is None:
        return [("", data)]
    groups: dict[str, list[Any]] = {}
    for item in data:
        value = _name(_lower(item).get(group_by)) if isinstance(item, dict) else ""
        groups.setdefault(value, []).append(item)
    return list(groups.items())


def _messages(items: list[Any], fields: Mapping[str, tuple[str, ...]],
              name: str) -> list[ChatMessage]:
    rows = [_lower(x) for x in items if isinstance(x, dict)]
    keys = {k: _first_key(rows, fields.get(k) or FIELDS[k]) for k in FIELDS}
    time_key = keys["time"]
    times = TimeReader(str(r.get(time_key, "")) for r in rows) if time_key else None
    out: list[ChatMessage] = []
    for index, row in enumerate(rows, start=1):
        said = _text(row.get(keys["text"])) if keys["text"] else ""
        kind: MessageKind = "text"
        kind_name = str(row.get("type", "")).lower()
        if kind_name in SYSTEM_TYPES:
            kind = "system"
        elif kind_name in MEDIA_TYPES or (not said and any(row.get(a) for a in ATTACHMENTS)):
            kind = "media"
            said = said or _attachment(row) or f"<{kind_name or 'media'}>"
        elif MEDIA.search(said):
            kind = "media"
        if not said:
            continue
        moment = None
        if times is not None and time_key is not None:
            raw = row.get(time_key)  # epoch milliseconds are told from seconds by size
            try:
                moment = times.read(raw)
            except ValueError:
                raise ImportFailed(_(
                    "{file}, message {index}: \u201c{value}\u201d is not a date and time this "
                    "import reads (e.g. 2024-03-15T14:30:00 or 15/03/2024 14:30).").format(
                        file=name, index=index, value=str(raw)[:40]), file=name) from None
        sender = _name(row.get(keys["sender"])) if keys["sender"] else ""
        out.append(ChatMessage(sender if kind != "system" else "", moment, said, kind,
                               None, index))
    return out


def _lower(item: Any) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in item.items()} if isinstance(item, dict) else {}


def _first_key(rows: list[dict[str, Any]], names: tuple[str, ...]) -> str | None:
    for key in names:
        if any(key in r for r in rows[:50]):
            return key
    return None


def _title(conv: dict[str, Any]) -> str:
    for key in TITLES:
        if conv.get(key) not in (None, "", [], {}):
            return _name(conv[key])
    return ""


def _name(value: Any) -> str:
    """A person or chat as text: a string as is, an object by its name, phone or id."""
    if isinstance(value, dict):
        v = _lower(value)
        full = " ".join(str(v[k]) for k in ("first_name", "last_name") if v.get(k))
        for candidate in (v.get("name"), v.get("display_name"), full, v.get("phone"),
                          v.get("email"), v.get("id")):
            if candidate:
                return str(candidate).strip()
        return ""
    return "" if value is None else str(value).strip()


def _text(value: Any) -> str:
    return _raw_text(value).strip()


def _raw_text(value: Any) -> str:
    if isinstance(value, list):  # Telegram: ["plain ", {"type": "bold", "text": "…"}, …]
        return "".join(_raw_text(part) for part in value)
    if isinstance(value, dict):
        v = _lower(value)
        return _raw_text(v.get("text") or v.get("body") or v.get("content") or "")
    return "" if value is None else str(value)


def _attachment(row: dict[str, Any]) -> str:
    for key in (*ATTACHMENTS, "file_name", "filename"):
        value = row.get(key)
        if isinstance(value, list) and value:
            value = value[0]
        if isinstance(value, dict):
            value = _lower(value).get("name") or _lower(value).get("file_name") or _lower(
                value).get("url")
        if isinstance(value, str) and value:
            return value
    return ""
