"""`aidesk chat sentiment|summarize|suggest FILE`: the Chat tools on an exported conversation.

FILE is read as `aidesk import` reads it (a WhatsApp .txt, a CSV, a JSON, a folder or a
WhatsApp .zip); every conversation in it is worked on and printed, nothing is stored. A
conversation whose answer could not be validated is reported on stderr with its sentence
and the command exits 1 after printing the others.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from aidesk.cli.context import core, print_json, run_async, workspace
from aidesk.cli.inputs import parse_map
from aidesk.errors import AIDeskError
from aidesk.i18n import N_, _

T = TypeVar("T")

JSON_HELP = {
    "sentiment": N_(
        "--json prints a list, one object per conversation: {\"title\", \"source\", "
        "\"format\", \"sentiment\": {\"label\", \"reason\"} or null, \"messages\": [{\"sender\", "
        "\"time\", \"text\", \"kind\", \"language\", \"line\", \"sentiment\": {\"label\", "
        "\"reason\"} or null}], \"error\": null or the sentence}. Labels: positive, neutral, "
        "negative, urgent; media and system lines get none."),
    "summarize": N_(
        "--json prints a list, one object per conversation: {\"title\", \"source\", "
        "\"summary\": {\"executive_summary\", \"open_questions\": [...], \"next_steps\": "
        "[...]} or null, \"error\": null or the sentence}."),
    "suggest": N_(
        "--json prints a list, one object per conversation: {\"title\", \"source\", "
        "\"language\": pt|en|es|fr|it, \"replies\": [three texts] or null, \"error\": null or "
        "the sentence}."),
}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    chat = sub.add_parser("chat", help=_("sentiment, summary and replies for a conversation"),
                          description=_("The Chat tools on an exported conversation (WhatsApp "
                                        "export, CSV, JSON, a folder or a .zip)."))
    csub = chat.add_subparsers(dest="action", metavar="ACTION", required=True)
    tools = (("sentiment", _("label each message and the conversation")),
             ("summarize", _("executive summary, open questions, next steps")),
             ("suggest", _("three replies in the customer's language")))
    for name, text in tools:
        tool = csub.add_parser(name, parents=[common], help=text, description=text,
                               epilog=epilog(_(JSON_HELP[name])),
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        add_file_options(tool)
        tool.add_argument("--json", action="store_true", help=_("print JSON (see below)"))
        if name == "suggest":
            tool.add_argument("--language", choices=("pt", "en", "es", "fr", "it"),
                              help=_("the replies' language (default: the customer's)"))
            tool.add_argument("--agent", metavar="NAME",
                              help=_("the business's sender name in the conversation"))
        tool.set_defaults(run=_RUNS[name])


def epilog(*paragraphs: str) -> str:
    """Paragraphs wrapped for a terminal (the help's epilog keeps them apart)."""
    import textwrap

    return "\n\n".join(textwrap.fill(p, 78) for p in paragraphs)


def add_file_options(parser: argparse.ArgumentParser, *, leads: bool = False) -> None:
    parser.add_argument("file", type=Path, metavar="FILE", help=_("the file to read"))
    if not leads:
        parser.add_argument("--format", choices=("whatsapp", "csv", "json"),
                            help=_("the file's format (default: detected)"))
    example = "lead=nome,text=observacao" if leads else "sender=remetente,text=mensagem"
    parser.add_argument("--map", action="append", metavar="KEY=COLUMN",
                        help=_("which column holds what, e.g. --map {example} "
                               "(repeatable)").format(example=example))


def read_conversations(args: argparse.Namespace) -> list[Any]:
    from aidesk.imports import read_path
    from aidesk.imports.columns import MESSAGE_KEYS

    return list(read_path(args.file, format=args.format, mapping=parse_map(args.map, MESSAGE_KEYS)))


async def each(items: Sequence[Any], work: Callable[[Any], Awaitable[T]],
               concurrency: int = 4) -> list[T | AIDeskError]:
    """`work(item)` for every item, `concurrency` at a time: a result, or the item's own
    error. Errors that stop every call (limits, no provider, the disk) end it all."""
    from aidesk.features.chat_batch import STOPS_THE_RUN
    from aidesk.features.structured import bounded

    def job(item: Any) -> Callable[[], Awaitable[T | AIDeskError]]:
        async def run() -> T | AIDeskError:
            try:
                return await work(item)
            except STOPS_THE_RUN:
                raise
            except AIDeskError as exc:
                return exc
        return run

    return await bounded([job(item) for item in items], concurrency)


def report_errors(names: Sequence[str], results: Sequence[object]) -> int:
    """Each failed item's sentence on stderr; the exit status (1 when any failed)."""
    failed = [(name, r) for name, r in zip(names, results, strict=True)
              if isinstance(r, AIDeskError)]
    for name, exc in failed:
        print(f"aidesk: {name}: {exc.user_message}", file=sys.stderr)
    return 1 if failed else 0


def _error(result: object) -> str | None:
    return result.user_message if isinstance(result, AIDeskError) else None


def _label(sentiment: Any) -> str:
    from aidesk.features.chat import SENTIMENT_EMOJI, SENTIMENT_LABELS

    return f"{SENTIMENT_EMOJI[sentiment.label]} {_(SENTIMENT_LABELS[sentiment.label])}"


def _sentiment(args: argparse.Namespace) -> int:
    from aidesk.features import chat

    convs = read_conversations(args)
    c = core()
    ws = workspace(c, args)

    async def one(conv: Any) -> tuple[list[Any], Any]:
        people = [m for m in conv.messages if chat.needs_label(m)]
        if not people:
            raise chat.NothingToAnalyse
        labels = await chat.classify_messages(c.router, ws, people)
        overall = await chat.classify_conversation(c.router, ws, conv.messages)
        found = dict(zip((id(m) for m in people), labels, strict=True))
        return [found.get(id(m)) for m in conv.messages], overall

    results = run_async(c, each(convs, one, concurrency=1))
    if args.json:
        out = []
        for conv, result in zip(convs, results, strict=True):
            labels, overall = result if not isinstance(result, AIDeskError) else (
                [None] * len(conv.messages), None)
            out.append({"title": conv.title, "source": conv.source, "format": conv.format,
                        "sentiment": _as_json(overall),
                        "messages": [{**m.as_json(), "sentiment": _as_json(s)}
                                     for m, s in zip(conv.messages, labels, strict=True)],
                        "error": _error(result)})
        print_json(out)
    else:
        for conv, result in zip(convs, results, strict=True):
            if isinstance(result, AIDeskError):
                continue
            labels, overall = result
            print(f"== {conv.title} ({conv.source}) ==")
            print(_("Conversation: {label} — {reason}").format(label=_label(overall),
                                                               reason=overall.reason))
            for message, sentiment in zip(conv.messages, labels, strict=True):
                if sentiment is None:
                    continue
                when = message.time.strftime("%Y-%m-%d %H:%M ") if message.time else ""
                text = " ".join(message.text.split())
                print(f"{when}{message.sender}: {text[:80]}{'…' if len(text) > 80 else ''}")
                print(f"    {_label(sentiment)} — {sentiment.reason}")
            print()
    return report_errors([c_.title for c_ in convs], results)


def _as_json(sentiment: Any) -> dict[str, str] | None:
    return None if sentiment is None else {"label": sentiment.label, "reason": sentiment.reason}


def _summarize(args: argparse.Namespace) -> int:
    from aidesk.features import chat

    convs = read_conversations(args)
    c = core()
    ws = workspace(c, args)
    results = run_async(c, each(convs, lambda conv: chat.summarize(c.router, ws,
                                                                   conv.messages)))
    if args.json:
        print_json([{"title": conv.title, "source": conv.source,
                     "summary": None if isinstance(r, AIDeskError) else r.as_json(),
                     "error": _error(r)} for conv, r in zip(convs, results, strict=True)])
    else:
        for conv, summary in zip(convs, results, strict=True):
            if isinstance(summary, AIDeskError):
                continue
            print(f"== {conv.title} ({conv.source}) ==")
            print(summary.executive_summary)
            for heading, items in ((_("Open questions:"), summary.open_questions),
                                   (_("Next steps:"), summary.next_steps)):
                print(heading)
                for item in items or ["—"]:
                    print(f"  - {item}")
            print()
    return report_errors([conv.title for conv in convs], results)


def _suggest(args: argparse.Namespace) -> int:
    from aidesk.features import chat

    convs = read_conversations(args)
    c = core()
    ws = workspace(c, args)
    results = run_async(c, each(convs, lambda conv: chat.suggest_replies(
        c.router, ws, conv.messages, language=args.language, agent=args.agent)))
    if args.json:
        print_json([{"title": conv.title, "source": conv.source,
                     "language": None if isinstance(r, AIDeskError) else r.language,
                     "replies": None if isinstance(r, AIDeskError) else list(r.options),
                     "error": _error(r)} for conv, r in zip(convs, results, strict=True)])
    else:
        for conv, replies in zip(convs, results, strict=True):
            if isinstance(replies, AIDeskError):
                continue
            print(f"== {conv.title} ({conv.source}) [{replies.language}] ==")
            for number, option in enumerate(replies.options, start=1):
                print(f"{number}. {option}")
            print()
    return report_errors([conv.title for conv in convs], results)


_RUNS = {"sentiment": _sentiment, "summarize": _summarize, "suggest": _suggest}
