"""WhatsApp `.txt` exports (Android and iOS, Portuguese, English and Spanish phones).

    15/01/2024 09:05 - Maria Souza: Bom dia!                    Android, 24-hour clock
    1/15/24, 9:05 AM - John: Morning!                           Android en-US (also "a.m.",
                                                                and U+202F before "PM")
    [15/01/2024, 09:05:12] Maria Souza: Bom dia!                iOS (U+200E marks media
    ‎[15/01/2024, 09:06:00] Maria Souza: ‎imagem ocultada        and notices)

A line that starts with no date continues the message above (multi-line messages stay
whole). Whether dates are day- or month-first is decided from the whole file
(timeparse.day_first, with the notices' language as the hint). Lines are read once with
one compiled pattern and dates are built from the matched digits (no strptime).
"""

from __future__ import annotations

import re
from datetime import datetime

from aidesk.i18n import _
from aidesk.imports import whatsapp_phrases as phrases
from aidesk.imports.model import ChatMessage, Conversation, ImportFailed
from aidesk.imports.timeparse import day_first, full_year, hour_24

HEADER = re.compile(
    r"[\u200e\u200f\ufeff]*\[?(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4}),?[ \u00a0]"
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    r"(?:[ \u00a0\u202f]?([aApP])\.?[ \u00a0\u202f]?[mM]\.?)?"
    r"(?:\][ \u00a0]?| - )(.*)")
HINT_CHARS = 20_000  # where the notices that hint at the locale are looked for
SNIFF_LINES = 20  # a file is a WhatsApp export when one of its first non-empty lines matches

# One record per message line: (line number, the pattern's groups, the lines that follow it)
Record = tuple[int, tuple[str, ...], list[str]]


def looks_like(text: str) -> bool:
    """Whether `text` reads as a WhatsApp export (one of its first lines is a message line)."""
    seen = 0
    for line in text.split("\n", 200)[:200]:
        if not line.strip():
            continue
        if HEADER.match(line):
            return True
        seen += 1
        if seen >= SNIFF_LINES:
            break
    return False


def parse(text: str, *, name: str, title: str | None = None) -> Conversation:
    """One conversation from an export's text. ImportFailed when no line is a message line."""
    records: list[Record] = []
    current: list[str] | None = None
    match = HEADER.match
    for number, line in enumerate(text.split("\n"), start=1):
        if line.endswith("\r"):
            line = line[:-1]
        m = match(line)
        if m is None:
            if current is not None:
                current.append(line)
            continue
        current = []
        records.append((number, m.groups(), current))
    if not records:
        raise ImportFailed(_(
            "{file}: no line looks like a WhatsApp message (\u201cdate time - name: "
            "text\u201d); is it a WhatsApp export?").format(file=name), file=name)
    order = _day_first(records, text, name)
    return Conversation(title=title or phrases.title_from_name(name), source=name,
                        format="whatsapp", messages=tuple(_messages(records, order)))


def _day_first(records: list[Record], text: str, name: str) -> bool:
    dates: list[tuple[int, int, int]] = []
    twelve_hour = False
    for _number, (a, b, c, *_time, ampm, _rest), _more in records:
        if len(a) <= 2:
            dates.append((int(a), int(b), full_year(int(c))))
        twelve_hour = twelve_hour or ampm is not None
    if not dates:
        return True

    def hint() -> bool | None:  # the language of the notices (at the top) and the file name
        head = text[:HINT_CHARS]
        pt = phrases.PT_WORDS.search(head) is not None or name.lower().startswith("conversa")
        en = phrases.EN_WORDS.search(head) is not None or name.lower().startswith("whatsapp chat")
        return True if pt and not en else (not twelve_hour) if en and not pt else None

    return day_first(dates, hint)


def _messages(records: list[Record], first_is_day: bool) -> list[ChatMessage]:
    out: list[ChatMessage] = []
    classify = phrases.classify
    for number, (a, b, c, hour, minute, second, ampm, rest), more in records:
        try:
            moment = _moment(a, b, c, hour, minute, second, ampm, first_is_day)
        except ValueError:  # an impossible date: a pasted line inside the message above
            line = f"{a}/{b}/{c} {hour}:{minute} {rest}"
            if out:
                last = out[-1]
                out[-1] = ChatMessage(last.sender, last.time, "\n".join(
                    [last.text, line, *more]).rstrip(), last.kind, None, last.line)
            continue
        body = "\n".join([rest, *more]).rstrip() if more else rest.rstrip()
        sender, sep, said = body.partition(": ")
        if not sep or "\n" in sender or _quoting_notice(sender):
            out.append(ChatMessage("", moment, body.replace(phrases.LRM, "").strip(),
                                   "system", None, number))
            continue
        who, words, kind = classify(sender.replace(phrases.LRM, "").strip(), said)
        out.append(ChatMessage(who, moment, words, kind, None, number))
    return out


def _moment(a: str, b: str, c: str, hour: str, minute: str, second: str | None,
            ampm: str | None, first_is_day: bool) -> datetime:
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif first_is_day:
        day, month, year = int(a), int(b), full_year(int(c))
    else:
        month, day, year = int(a), int(b), full_year(int(c))
    return datetime(year, month, day, hour_24(int(hour), ampm), int(minute),
                    int(second) if second else 0)


def _quoting_notice(sender: str) -> bool:
    """`Maria criou o grupo "Campanha: verão"` split at the ": " inside the quotes."""
    return (('"' in sender or "\u201c" in sender)
            and phrases.QUOTING_NOTICE.search(sender) is not None)
