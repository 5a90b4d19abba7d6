"""CSV (and TSV) exports: the delimiter and the header detected, rows read with their line.

Delimiters: `;` (Excel in Brazil), `,`, tab and `|`, found by csv.Sniffer on the first
lines, else by which of them splits those lines into the same number of fields. The first
row is a header when csv.Sniffer says so or when one of its cells is a known column name
(columns.py); else the columns are "1", "2", ….

Messages: the mapped (or guessed) `text` column is required, `sender`, `time` and
`conversation` are optional; rows are grouped into one conversation per `conversation`
value, in the order they first appear. Empty rows are skipped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from aidesk.i18n import _, ngettext
from aidesk.imports import columns as cols
from aidesk.imports.model import ChatMessage, Conversation, ImportFailed, MessageKind
from aidesk.imports.timeparse import TimeReader
from aidesk.imports.whatsapp_phrases import MEDIA, title_from_name

DELIMITERS = ";,\t|"
SAMPLE = 16384


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (1-based line where the row starts, cells)
    delimiter: str | None  # None: one column
    has_header: bool


def read_table(text: str, *, name: str, aliases: Mapping[str, tuple[str, ...]]) -> Table:
    sample = text[:SAMPLE]
    if len(text) > SAMPLE:
        sample = sample[: sample.rfind("\n") + 1] or sample
    delimiter = _delimiter(sample, prefer_tab=name.lower().endswith(".tsv"))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter or "\x00", quotechar='"',
                        skipinitialspace=False, strict=False)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(c.strip() for c in row):
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFailed(_("{file}, line {line}: not valid CSV ({error}).").format(
            file=name, line=start, error=exc), file=name, line=start) from None
    if not rows:
        raise ImportFailed(_("{file} is empty.").format(file=name), file=name)
    first = [c.strip() for c in rows[0][1]]
    known = cols.guess(first, aliases)
    has_header = bool(known) or _sniffed_header(sample, delimiter)
    if has_header:
        return Table(first, rows[1:], delimiter, True)
    width = max(len(r) for _line, r in rows)
    return Table([str(i) for i in range(1, width + 1)], rows, delimiter, False)


def _delimiter(sample: str, *, prefer_tab: bool) -> str | None:
    try:
        found = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:  # it wants every line alike; one line written otherwise is enough
        found = None
    if found and not (prefer_tab and "\t" in sample):
        return found
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    best: tuple[int, int, str] | None = None  # (lines that agree, fields, delimiter)
    for d in ("\t", *DELIMITERS) if prefer_tab else DELIMITERS:
        counts = [ln.count(d) for ln in lines]
        usual = max(set(counts), key=lambda c: (counts.count(c), c)) if counts else 0
        agree = counts.count(usual)
        if usual and agree * 2 >= len(lines) and (best is None or (agree, usual) > best[:2]):
            best = (agree, usual, d)
    return best[2] if best else found


def _sniffed_header(sample: str, delimiter: str | None) -> bool:
    if delimiter is None:
        return False
    try:
        return csv.Sniffer().has_header(sample)
    except csv.Error:
        return False


def parse(text: str, *, name: str, mapping: Mapping[str, str] | None = None,
          title: str | None = None) -> list[Conversation]:
    table = read_table(text, name=name, aliases=cols.MESSAGE_ALIASES)
    given = (cols.completed(mapping, table.header, cols.MESSAGE_ALIASES) if table.has_header
             else dict(mapping or {}))
    if len(table.header) == 1 and set(given) != {"text"}:  # the delimiter is none we know
        raise one_column(name, 1 if table.has_header or not table.rows else table.rows[0][0])
    where = cols.resolve(given, table.header, cols.MESSAGE_KEYS, name=name)
    if "text" not in where:
        raise ImportFailed(_(
            "{file}: no column holds the messages' text (columns: {columns})."
        ).format(file=name, columns=", ".join(table.header)), file=name, line=1,
            cli_hint=_("Name it with --map text=COLUMN."),
            gui_hint=_("Choose it in the column mapping."))
    needed = max(i for indexes in where.values() for i in indexes) + 1
    times = TimeReader(cols.cell(r, where.get("time")) for _n, r in table.rows)
    groups: dict[str, list[ChatMessage]] = {}
    for line, row in table.rows:
        if len(row) < needed:
            raise ImportFailed(ngettext(
                "{file}, line {line}: {found} column where {needed} were expected; is this "
                "line written with another delimiter?",
                "{file}, line {line}: {found} columns where {needed} were expected; is this "
                "line written with another delimiter?", len(row)).format(
                    file=name, line=line, found=len(row), needed=needed), file=name, line=line)
        said = cols.cell(row, where["text"])
        if not said:
            continue
        value = cols.cell(row, where.get("time"))
        try:
            moment = times.read(value)
        except ValueError:
            raise bad_time(name, line, value) from None
        kind: MessageKind = "media" if MEDIA.search(said) else "text"
        message = ChatMessage(cols.cell(row, where.get("sender")), moment, said, kind, None, line)
        groups.setdefault(cols.cell(row, where.get("conversation")), []).append(message)
    default = title or title_from_name(name)
    return [Conversation(key or default, name, "csv", tuple(messages))
            for key, messages in groups.items()]


def one_column(name: str, line: int) -> ImportFailed:
    return ImportFailed(_(
        "{file}, line {line}: only one column was found where the sender and the text were "
        "expected; separate the columns with ; , tab or |.").format(file=name, line=line),
        file=name, line=line)


def bad_time(name: str, line: int, value: str) -> ImportFailed:
    return ImportFailed(_(
        "{file}, line {line}: \u201c{value}\u201d is not a date and time this import reads "
        "(e.g. 15/03/2024 14:30 or 2024-03-15T14:30).").format(
            file=name, line=line, value=value[:40]), file=name, line=line)
