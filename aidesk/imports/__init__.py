"""Conversation and lead importers (WhatsApp, CSV, JSON): no AI, no Qt.

    read_path(path)      a file, a folder or a WhatsApp .zip → [Conversation]; ImportFailed
                         for a bad single file (a folder/zip: only when nothing could be read)
    read_many(path)      the same → ImportReport(conversations, problems: [ImportFailed])
    parse_text(text, name=…)   conversations from text already in memory
    csv_columns(path)    a CSV's header and the guessed {sender, time, text, conversation}
    leads.read_leads / leads.lead_columns, language.detect / language.warm_up

charset-normalizer, ftfy and lingua are imported only when a file needs them.
"""

from __future__ import annotations

from pathlib import Path

from aidesk.imports.model import FORMATS, LANGUAGES, ChatMessage, Conversation, ImportFailed
from aidesk.imports.sources import (
    MAX_BYTES,
    ImportReport,
    detect_format,
    load,
    parse_text,
    read_many,
    read_path,
    with_languages,
)

__all__ = ["FORMATS", "LANGUAGES", "MAX_BYTES", "ChatMessage", "Conversation", "ImportFailed",
           "ImportReport", "csv_columns", "csv_preview", "detect_format", "parse_text",
           "read_many", "read_path", "with_languages"]


def csv_columns(path: Path) -> tuple[list[str], dict[str, str]]:
    """The header of a CSV file and a guessed mapping {"sender"|"time"|"text"|"conversation":
    column} for the desktop's column-mapping dialog (columns "1", "2", … when the file has
    no header, and then no guess)."""
    header, guessed, _rows = csv_preview(path, rows=0)
    return header, guessed


def csv_preview(path: Path, rows: int = 5) -> tuple[list[str], dict[str, str], list[list[str]]]:
    """`csv_columns` and the first `rows` data rows, read as an import reads them."""
    from aidesk.imports import columns, tabular
    from aidesk.imports.encoding import decode

    path = Path(path)
    table = tabular.read_table(decode(load(path), name=path.name).text, name=path.name,
                               aliases=columns.MESSAGE_ALIASES)
    guessed = columns.guess_messages(table.header) if table.has_header else {}
    return table.header, guessed, [cells for _line, cells in table.rows[:rows]]
