"""`aidesk import FILE`: read a conversation export and print its messages (nothing stored).

FILE is a WhatsApp .txt, a CSV or a JSON file, a folder of them, or a .zip as WhatsApp
shares it. A bad file gets its sentence on stderr and the exit status is 1; in a folder or
zip the good files are printed all the same. Notes (an encoding repaired) go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path

from aidesk.cli.inputs import parse_map
from aidesk.i18n import N_, _, ngettext
from aidesk.imports.columns import MESSAGE_KEYS

JSON_HELP = N_(
    "--json prints, for one conversation, a list of its messages: {\"sender\", \"time\" (ISO "
    "8601, the export's local time, or null), \"text\", \"kind\" (text, media or system), "
    "\"language\" (pt, en, es, fr, it or null when uncertain), \"line\"}; for several (a "
    "folder, a zip, a CSV with a conversation column), a list of {\"title\", \"source\", "
    "\"format\", \"notes\", \"messages\": [...]}.")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    import textwrap

    cmd = sub.add_parser(
        "import", help=_("read a WhatsApp, CSV or JSON conversation export and print it"),
        description=textwrap.fill(_(
            "Read a conversation export (a WhatsApp .txt or .zip, a CSV, a JSON file, or a "
            "folder of them) and print its messages. Nothing is stored."), 78),
        epilog=textwrap.fill(_(JSON_HELP), 78),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    cmd.add_argument("file", type=Path, metavar="FILE",
                     help=_("the file, folder or .zip to read"))
    cmd.add_argument("--format", choices=("whatsapp", "csv", "json"),
                     help=_("the file's format (default: detected)"))
    cmd.add_argument("--map", action="append", metavar="KEY=COLUMN",
                     help=_("which CSV column or JSON field holds what (keys: sender, time, "
                            "text, conversation), e.g. --map sender=remetente,text=mensagem "
                            "(repeatable; Data+Hora joins two columns)"))
    cmd.add_argument("--no-language", action="store_true",
                     help=_("do not detect each message's language (faster)"))
    cmd.add_argument("--json", action="store_true", help=_("print JSON (see below)"))
    cmd.set_defaults(run=_import)


def _import(args: argparse.Namespace) -> int:
    from aidesk.cli.context import print_json
    from aidesk.imports import read_many

    mapping = parse_map(args.map, MESSAGE_KEYS)
    report = read_many(args.file, format=args.format, mapping=mapping,
                       detect_language=not args.no_language)
    convs = report.conversations
    if args.json:
        if len(convs) == 1:
            print_json([m.as_json() for m in convs[0].messages])
        else:
            print_json([c.as_json() for c in convs])
    else:
        clock = Clock()
        for number, conv in enumerate(convs):
            if number:
                print()
            print(ngettext("== {title} ({source}, {count} message)",
                           "== {title} ({source}, {count} messages)", len(conv.messages)).format(
                title=conv.title, source=conv.source, count=len(conv.messages)))
            for m in conv.messages:
                stamp = clock.format(m.time) if m.time else "-"
                if m.kind == "system":
                    head = f"{stamp}  * "
                elif m.kind == "media":
                    head = f"{stamp}  {m.sender}: " + _("[media]") + " "
                else:
                    head = f"{stamp}  {m.sender}: "
                indent = " " * (len(stamp) + 2)
                first, *more = m.text.split("\n")
                print("\n".join([head + first, *(indent + ln if ln else "" for ln in more)]))
    for conv in convs:
        for note in conv.notes:
            print("aidesk: " + _("note: {source}: {note}").format(source=conv.source, note=note),
                  file=sys.stderr)
    for problem in report.problems:
        print(f"aidesk: {problem.user_message}", file=sys.stderr)
    return 1 if report.problems else 0


class Clock:
    """A message's date and time as the user's language writes them (15/01/2024 09:05 in
    pt-BR, 1/15/24, 9:05 AM in English), as written in the export (no time zone applied);
    dates and times are formatted once each, not once per message."""

    def __init__(self) -> None:
        from aidesk.i18n import babel_locale

        self.locale = babel_locale()
        self.pattern = str(self.locale.datetime_formats["short"])
        self.dates: dict[date, str] = {}
        self.times: dict[tuple[int, int], str] = {}

    def format(self, moment: datetime) -> str:
        from babel.dates import format_date, format_time

        day = moment.date()
        text_date = self.dates.get(day)
        if text_date is None:
            text_date = self.dates[day] = format_date(day, "short", locale=self.locale)
        key = (moment.hour, moment.minute)
        text_time = self.times.get(key)
        if text_time is None:
            text_time = self.times[key] = format_time(moment.time().replace(second=0),
                                                      "short", locale=self.locale)
        return self.pattern.replace("{1}", text_date).replace("{0}", text_time)
