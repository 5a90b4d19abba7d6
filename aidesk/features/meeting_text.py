"""Meeting texts (no Qt, no AI): joining the parts' transcripts, checking that an owner or
a due date was said, and the meeting as Markdown or plain text for Copy and Export.

Joining: parts cut in a silence are joined as they are. A part cut at a fixed length begins
`overlap_s` seconds before the previous one ended, so the words of that stretch come twice:
the longest run of at least two words that the end of the previous transcript and the start
of the next share (compared without case, accents or punctuation) is kept once, with the
previous part's words before it and the next part's after it. The words at the very edge of
a part, heard cut in two, are dropped with it. When no such run is found (the two
transcripts disagree on every word) both are kept whole: repeated words are better than
lost ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from aidesk.formats import date_time, money, number
from aidesk.i18n import _, ngettext

if TYPE_CHECKING:
    from aidesk.features.meetings import Meeting

WORDS_PER_SECOND = 4  # fast speech, for how many words an overlap can hold
MIN_RUN = 2
_WORD = re.compile(r"\w+")


def normal(word: str) -> str:
    """A word without case, accents or punctuation ("Sexta-feira," → "sextafeira")."""
    text = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in text if c.isalnum())


def join_overlap(before: str, after: str, overlap_s: float) -> str:
    """`before` then `after`, with the words both heard in the overlap kept once."""
    a, b = before.split(), after.split()
    if not a or not b:
        return " ".join(a + b)
    if overlap_s <= 0:
        return " ".join(a + b)
    reach = max(12, int(overlap_s * WORDS_PER_SECOND * 2))
    tail, head = a[-reach:], b[:reach]
    matcher = SequenceMatcher(None, [normal(w) for w in tail], [normal(w) for w in head],
                              autojunk=False)
    i, j, size = matcher.find_longest_match(0, len(tail), 0, len(head))
    if size < MIN_RUN:
        return " ".join(a + b)
    return " ".join(a[:len(a) - len(tail) + i] + b[j:])


def join_parts(texts: Sequence[str], overlaps: Sequence[float]) -> str:
    """The parts' transcripts in order; `overlaps[i]`: how much of part i the part before
    it also holds (0 for the first, and after a cut in a silence)."""
    joined = ""
    for text, overlap in zip(texts, overlaps, strict=True):
        joined = join_overlap(joined, text.strip(), overlap) if joined else text.strip()
    return joined


def said(phrase: str, transcript_words: set[str]) -> bool:
    """Whether a word of `phrase` (of three letters or more, or a number) is in the
    transcript: an owner or due date the meeting never mentioned is not one it gave."""
    words = [normal(w) for w in _WORD.findall(phrase)]
    wanted = [w for w in words if len(w) >= 3 or w.isdigit()]
    return any(w in transcript_words for w in wanted)


def words_of(transcript: str) -> set[str]:
    return {normal(w) for w in _WORD.findall(transcript)}


def duration_text(seconds: float) -> str:
    """1:02:03 or 12:34 (hours:minutes:seconds)."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def facts(meeting: Meeting) -> list[str]:
    out = [_("Duration: {duration}").format(duration=duration_text(meeting.duration_s))]
    if meeting.created_at is not None:
        out.append(_("Summarised: {when}").format(when=date_time(meeting.created_at)))
    parts = len(meeting.parts)
    out.append(ngettext("Transcript: {count} characters in {parts} part, by {models}",
                          "Transcript: {count} characters in {parts} parts, by {models}",
                          parts).format(count=number(len(meeting.transcript)), parts=parts,
                                        models=", ".join(meeting.models) or "—"))
    cost = meeting.cost_usd
    out.append(_("Transcription cost: {cost}").format(
        cost=money(cost) if cost is not None else _("unknown")))
    return out


def to_markdown(meeting: Meeting, *, transcript: bool = True) -> str:
    s = meeting.summary
    summary, actions, said = _("Summary"), _("Action items"), _("Transcript")
    what, owner, due = _("What"), _("Owner"), _("Due")
    lines = [f"# {meeting.title}", "", *(f"- {fact}" for fact in facts(meeting)), "",
             f"## {summary}", "", s.summary, ""]
    for heading, items in ((_("Key points"), s.key_points), (_("Decisions"), s.decisions)):
        lines += [f"## {heading}", ""] + ([f"- {item}" for item in items] or ["—"]) + [""]
    lines += [f"## {actions}", ""]
    if s.action_items:
        lines += [f"| {what} | {owner} | {due} |", "| --- | --- | --- |"]
        lines += [f"| {_cell(a.task)} | {_cell(a.owner or '—')} | {_cell(a.due or '—')} |"
                  for a in s.action_items]
    else:
        lines.append("—")
    if transcript:
        lines += ["", f"## {said}", "", meeting.transcript]
    return "\n".join(lines).rstrip() + "\n"


def to_text(meeting: Meeting, *, transcript: bool = True) -> str:
    s = meeting.summary
    lines = [meeting.title, "=" * len(meeting.title), *facts(meeting), "",
             _("Summary"), s.summary, ""]
    for heading, items in ((_("Key points"), s.key_points), (_("Decisions"), s.decisions)):
        lines += [heading] + ([f"  - {item}" for item in items] or ["  —"]) + [""]
    lines.append(_("Action items"))
    for a in s.action_items:
        lines.append("  - " + _("{task} (owner: {owner}; due: {due})").format(
            task=a.task, owner=a.owner or "—", due=a.due or "—"))
    if not s.action_items:
        lines.append("  —")
    if transcript:
        lines += ["", _("Transcript"), meeting.transcript]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
