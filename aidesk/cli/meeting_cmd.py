"""`aidesk meeting summarize AUDIO`: transcribe a recorded meeting and summarise it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aidesk.cli.chat_cmd import epilog
from aidesk.cli.context import core, print_json, run_async, workspace
from aidesk.i18n import _, ngettext

if TYPE_CHECKING:
    from aidesk.features.meetings import Meeting, Step


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    meeting = sub.add_parser("meeting", help=_("meeting transcripts and summaries"),
                             description=_("Transcripts and summaries of recorded meetings."))
    msub = meeting.add_subparsers(dest="action", metavar="ACTION", required=True)
    text = _("transcribe a recording, then summarise it: key points, decisions, action items")
    summarize = msub.add_parser(
        "summarize", parents=[common], help=text, description=text,
        epilog=epilog(
            _("AUDIO: mp3, m4a, wav, ogg, webm, flac, opus and most other audio files. One "
              "over 25 MB, or of another type, is cut into parts (in silences where it can "
              "be) and the parts' transcripts are joined. Transcription goes to OpenAI or "
              "Groq in the workspace's order (the model: --model, else the "
              "providers.openai|groq.transcription_model setting); the summary is written "
              "in Brazilian Portuguese by the chat providers."),
            _("An owner or due date is given only when the meeting said it; otherwise it is "
              "null, never guessed."),
            _("--json prints {\"file\", \"duration_s\", \"language\", \"transcript_chars\", "
              "\"summary\", \"key_points\": [...], \"decisions\": [...], \"action_items\": "
              "[{\"task\", \"owner\": text or null, \"due\": text or null}], \"transcript\", "
              "\"parts\": [{\"index\", \"start_s\", \"end_s\", \"provider\", \"model\", "
              "\"cost_usd\", \"billed_s\", \"cached\", \"request_id\", \"chars\"}], "
              "\"cost_usd\" (the transcription's, null when a price is unknown), \"id\" (set "
              "with --save)}.")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    summarize.add_argument("audio", type=Path, metavar="AUDIO",
                           help=_("the recording to transcribe"))
    summarize.add_argument("--json", action="store_true", help=_("print JSON (see below)"))
    summarize.add_argument("--model", metavar="M",
                           help=_("transcription model, e.g. gpt-transcribe, whisper-1, "
                                  "whisper-large-v3-turbo (Groq)"))
    summarize.add_argument("--provider", metavar="P", choices=("openai", "groq"),
                           help=_("transcribe with this provider first (openai or groq)"))
    summarize.add_argument("--language", metavar="CODE", default="pt",
                           help=_("the language spoken, as a two-letter code (default: pt; "
                                  "auto to let the provider detect it)"))
    summarize.add_argument("--save", action="store_true",
                           help=_("keep the meeting in the workspace (the desktop's Meetings "
                                  "tab lists it)"))
    summarize.set_defaults(run=_summarize)


def _summarize(args: argparse.Namespace) -> int:
    from aidesk.features import meeting_store, meetings

    meetings.check_language(args.language)
    c = core()
    ws = workspace(c, args)
    meeting = run_async(c, meetings.summarize_meeting(
        c.router, ws, args.audio, model=args.model, provider=args.provider,
        language=args.language, progress=_progress() if sys.stderr.isatty() else None))
    if args.save:
        meeting = meeting_store.save_meeting(c.db, ws.tenant_id, meeting)
    if args.json:
        print_json(meeting.as_json())
    else:
        _print(meeting)
    return 0


def _progress() -> Callable[[Step], None]:
    def tell(step: Step) -> None:
        if step.stage == "split":
            text = _("Reading the recording…")
        elif step.stage == "transcribe":
            text = _("Transcribed {done} of {total} parts…").format(
                done=int(step.done), total=int(step.total or 0))
        else:
            text = _("Summarising…")
        print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
        if step.stage == "summarise" and step.total and step.done >= step.total:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)

    return tell



def _print(meeting: Meeting) -> None:
    from aidesk.features.meeting_text import duration_text
    from aidesk.formats import money, number

    s = meeting.summary
    parts = len(meeting.parts)
    cost = money(meeting.cost_usd) if meeting.cost_usd is not None else _("unknown")
    print(f"== {meeting.title} ==")
    print(ngettext("{duration}, {parts} part, transcript of {chars} characters ({models}); "
                   "transcription {cost}",
                   "{duration}, {parts} parts, transcript of {chars} characters ({models}); "
                   "transcription {cost}", parts).format(
        duration=duration_text(meeting.duration_s), parts=parts,
        chars=number(len(meeting.transcript)), models=", ".join(meeting.models), cost=cost))
    print()
    print(_("Summary:"))
    print(f"  {s.summary}")
    for heading, items in ((_("Key points:"), s.key_points), (_("Decisions:"), s.decisions)):
        print(heading)
        for item in items or ["—"]:
            print(f"  - {item}")
    print(_("Action items:"))
    for a in s.action_items:
        print("  - " + _("{task} (owner: {owner}; due: {due})").format(
            task=a.task, owner=a.owner or "—", due=a.due or "—"))
    if not s.action_items:
        print("  —")
