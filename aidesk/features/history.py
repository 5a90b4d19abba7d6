"""Past results of a module, read from the audit trail (no Qt): the Assistant's history.

Every routed call leaves one `ai_audit_logs` row with its prompt and answer. `recent()`
lists a workspace's successful answers of one module, newest first, optionally only those
whose prompt or answer contains a search text. A row's prompt is the request as
`aidesk.router.records.prompt_text` wrote it (`role: content` blocks for a conversation),
so `parse_prompt()` turns it back into messages and a past result can be refined.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from aidesk.providers.base import Message, Role
from aidesk.storage import Database
from aidesk.storage.values import utc_from_text

DEFAULT_LIMIT = 200
SCAN_LIMIT = 2000  # rows searched at most: years of one workspace's copy

_RECENT = (
    "SELECT id, request_id, created_at, provider, model, prompt, response, truncated "
    "FROM ai_audit_logs WHERE tenant_id = ? AND module = ? AND success = 1 "
    "AND response IS NOT NULL AND response != '' ORDER BY created_at DESC, id DESC LIMIT ?"
)
_BLOCK = re.compile(r"(?:^|\n\n)(system|user|assistant): ", re.MULTILINE)
_ROLES: dict[str, Role] = {"system": "system", "user": "user", "assistant": "assistant"}


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    id: str
    request_id: str
    created_at: datetime  # UTC
    provider: str | None
    model: str | None
    messages: tuple[Message, ...]  # the request as sent
    response: str
    truncated: bool = False

    @property
    def system(self) -> str | None:
        return next((m.content for m in self.messages if m.role == "system"), None)

    @property
    def request(self) -> str:
        """The last thing the user asked (the form's prompt, or a follow-up instruction)."""
        users = [m.content for m in self.messages if m.role == "user"]
        return users[-1] if users else ""

    def conversation(self) -> tuple[Message, ...]:
        """The messages so far, the answer included: the start of a follow-up."""
        return (*self.messages, Message("assistant", self.response))

    def matches(self, search: str) -> bool:
        needle = search.strip().casefold()
        return not needle or needle in self.request.casefold() \
            or needle in self.response.casefold()


def parse_prompt(text: str) -> tuple[Message, ...]:
    """Messages from an audit row's prompt: `role: content` blocks, else one user message."""
    starts = list(_BLOCK.finditer(text))
    if not starts or starts[0].start() != 0:
        return (Message("user", text),)
    messages = []
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        messages.append(Message(_ROLES[match.group(1)], text[match.end():end]))
    return tuple(messages)


def recent(db: Database, tenant_id: str, module: str, search: str = "",
           limit: int = DEFAULT_LIMIT) -> list[HistoryEntry]:
    """Successful answers of `module` in this workspace, newest first (at most `limit`)."""
    with db.raw() as conn:
        return query(conn, tenant_id, module, search, limit)


def query(conn: sqlite3.Connection, tenant_id: str, module: str, search: str = "",
          limit: int = DEFAULT_LIMIT) -> list[HistoryEntry]:
    scan = limit if not search.strip() else SCAN_LIMIT
    found: list[HistoryEntry] = []
    for row in conn.execute(_RECENT, (tenant_id, module, scan)):
        entry = HistoryEntry(
            id=str(row[0]), request_id=str(row[1]), created_at=utc_from_text(str(row[2])),
            provider=row[3], model=row[4], messages=parse_prompt(str(row[5] or "")),
            response=str(row[6]), truncated=bool(row[7]))
        if entry.matches(search):
            found.append(entry)
            if len(found) >= limit:
                break
    return found


def follow_up(conversation: tuple[Message, ...], instruction: str) -> tuple[Message, ...]:
    """The conversation with one more instruction ("mais curto", "mais formal") at the end."""
    text = instruction.strip()
    if not text:
        raise ValueError("empty instruction")
    return (*conversation, Message("user", text))
