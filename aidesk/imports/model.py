"""What every importer produces: conversations of messages, and the error a bad file gets.

No AI and no Qt here. A message's `time` is the naive local time written in the export
(WhatsApp and most CRMs write no zone); `line` points back into the source file so an
error or a reader can find it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from aidesk.errors import AIDeskError

MessageKind = Literal["text", "media", "system"]
FORMATS: tuple[str, ...] = ("whatsapp", "csv", "json")
LANGUAGES: tuple[str, ...] = ("pt", "en", "es", "fr", "it")  # what detection may answer


@dataclass(frozen=True, slots=True)
class ChatMessage:
    sender: str  # "" for a system line
    time: datetime | None  # naive, the export's local time; None when the source has none
    text: str  # for media: the placeholder or file name as written
    kind: MessageKind = "text"
    language: str | None = None  # one of LANGUAGES, or None: not detected or uncertain
    line: int = 0  # 1-based line (WhatsApp), row (CSV) or index (JSON) in the source

    def as_json(self) -> dict[str, Any]:
        return {"sender": self.sender, "time": self.time.isoformat() if self.time else None,
                "text": self.text, "kind": self.kind, "language": self.language,
                "line": self.line}


@dataclass(frozen=True, slots=True)
class Conversation:
    title: str  # e.g. "Maria Souza" (from the WhatsApp file name or the CSV's contact)
    source: str  # the file name it came from (inside a .zip: "chat.zip/_chat.txt")
    format: str  # one of FORMATS
    messages: tuple[ChatMessage, ...]
    notes: tuple[str, ...] = field(default=())  # translated remarks, e.g. "encoding repaired"

    @property
    def people(self) -> tuple[str, ...]:
        """Senders of people's messages, in order of first appearance."""
        seen: dict[str, None] = {}
        for m in self.messages:
            if m.kind != "system" and m.sender:
                seen.setdefault(m.sender, None)
        return tuple(seen)

    def as_json(self) -> dict[str, Any]:
        return {"title": self.title, "source": self.source, "format": self.format,
                "notes": list(self.notes), "messages": [m.as_json() for m in self.messages]}


class ImportFailed(AIDeskError):
    """A file could not be imported: the message names the file and, when known, the line."""

    code = "import_failed"

    def __init__(self, message: str, *, file: str, line: int | None = None,
                 cli_hint: str = "", gui_hint: str = "") -> None:
        self.file = file
        self.line = line
        super().__init__(message, cli_hint=cli_hint, gui_hint=gui_hint)
