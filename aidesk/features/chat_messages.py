"""How the chat tools show messages to a model: a JSON array of {id?, sender, time, kind?,
text}, oldest first, and how they pick and batch them (no Qt, no AI call here)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from aidesk.imports.model import ChatMessage

BATCH_SIZE = 20
BATCH_CHARS = 6_000
MESSAGE_CHARS = 1_500  # one message's text in a prompt (a pasted contract is cut here)


def needs_label(message: ChatMessage) -> bool:
    """People's text messages get a sentiment; media placeholders and system lines do not."""
    return message.kind == "text" and bool(message.sender) and bool(message.text.strip())


def entry(message: ChatMessage, **extra: Any) -> dict[str, Any]:
    """A message as the prompt's JSON shows it."""
    text = message.text.strip()
    if len(text) > MESSAGE_CHARS:
        text = text[:MESSAGE_CHARS] + "…"
    out: dict[str, Any] = {**extra, "sender": message.sender or "(system)"}
    if message.time is not None:
        out["time"] = message.time.isoformat(timespec="minutes")
    if message.kind != "text":
        out["kind"] = message.kind
    out["text"] = text
    return out


def transcript(entries: list[dict[str, Any]]) -> str:
    return json.dumps(entries, ensure_ascii=False, indent=0)


def recent(messages: Sequence[ChatMessage], count: int, chars: int) -> list[ChatMessage]:
    """The last `count` people's messages (system lines left out) that fit in about `chars`
    characters, oldest first; always at least the last one."""
    picked: list[ChatMessage] = []
    used = 0
    for message in reversed(messages):
        if message.kind == "system" or not message.text.strip():
            continue
        size = min(len(message.text), MESSAGE_CHARS) + len(message.sender) + 40
        if picked and (len(picked) >= count or used + size > chars):
            break
        picked.append(message)
        used += size
    return picked[::-1]


def batches(messages: Sequence[ChatMessage], *, batch_size: int = BATCH_SIZE,
            max_chars: int = BATCH_CHARS) -> list[list[int]]:
    """Indexes of `messages` in consecutive batches of at most `batch_size` messages and
    about `max_chars` characters (a longer message makes a batch of its own)."""
    out: list[list[int]] = []
    current: list[int] = []
    used = 0
    for index, message in enumerate(messages):
        size = min(len(message.text), MESSAGE_CHARS) + len(message.sender) + 40
        if current and (len(current) >= batch_size or used + size > max_chars):
            out.append(current)
            current, used = [], 0
        current.append(index)
        used += size
    if current:
        out.append(current)
    return out
