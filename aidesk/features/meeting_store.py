"""Summarised meetings in the database, per workspace (no Qt): save, list, get, delete.
Plain SQL, sync (call it on a thread from async code). No audio is kept: the file's name,
its path, the transcript, the summary and the parts with their calls."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from aidesk.features.meetings import Meeting, MeetingSummary, PartTranscript
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow


@dataclass(frozen=True, slots=True)
class MeetingEntry:
    """One line of the list: enough to show it without reading the transcript."""

    id: str
    title: str
    duration_s: float
    created_at: datetime  # UTC
    actions: int  # how many action items
    cost_usd: float | None


def save_meeting(db: Database, tenant_id: str, meeting: Meeting) -> Meeting:
    """Store the meeting; it comes back with its id and time."""
    meeting_id, now = new_id(), utcnow()
    parts = json.dumps([_part(p) for p in meeting.parts], ensure_ascii=False)
    with db.writing() as conn:
        conn.execute(
            "INSERT INTO meetings (id, tenant_id, title, source, duration_s, language, "
            "transcript, summary, parts, cost_usd, created_at) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (meeting_id, tenant_id, meeting.title, meeting.source, round(meeting.duration_s, 3),
             meeting.language, meeting.transcript,
             json.dumps(meeting.summary.as_json(), ensure_ascii=False), parts,
             meeting.cost_usd, utc_text(now)))
    return replace(meeting, id=meeting_id, created_at=now)


def _part(p: PartTranscript) -> dict[str, Any]:
    return {"index": p.index, "start_s": p.start_s, "end_s": p.end_s, "text": p.text,
            "provider": p.provider, "model": p.model, "cost_usd": p.cost_usd,
            "billed_s": p.billed_s, "cached": p.cached, "request_id": p.request_id}


def list_meetings(db: Database, tenant_id: str) -> list[MeetingEntry]:
    """The workspace's meetings, newest first."""
    with db.reading() as conn:
        rows = conn.execute(
            "SELECT id, title, duration_s, created_at, "
            "json_array_length(summary, '$.action_items'), cost_usd FROM meetings "
            "WHERE tenant_id = ? ORDER BY created_at DESC, rowid DESC", (tenant_id,)).fetchall()
    return [MeetingEntry(str(r[0]), str(r[1]), float(r[2]), utc_from_text(r[3]), int(r[4] or 0),
                         None if r[5] is None else float(r[5])) for r in rows]


def get_meeting(db: Database, meeting_id: str) -> Meeting | None:
    with db.reading() as conn:
        row = conn.execute(
            "SELECT id, title, source, duration_s, language, transcript, summary, parts, "
            "created_at FROM meetings WHERE id = ?", (meeting_id,)).fetchone()
    return None if row is None else _meeting(row)


def _meeting(row: Sequence[Any]) -> Meeting:
    parts = tuple(PartTranscript(
        int(p["index"]), float(p["start_s"]), float(p["end_s"]), str(p.get("text", "")),
        str(p["provider"]), str(p["model"]), p.get("cost_usd"), p.get("billed_s"),
        bool(p.get("cached")), str(p.get("request_id", ""))) for p in json.loads(row[7]))
    return Meeting(str(row[1]), float(row[3]), row[4], str(row[5]),
                   parts, MeetingSummary.from_json(json.loads(row[6])), id=str(row[0]),
                   created_at=utc_from_text(row[8]), source=str(row[2]))


def delete_meeting(db: Database, meeting_id: str) -> None:
    with db.writing() as conn:
        conn.execute("DELETE FROM meetings WHERE id = ?", (meeting_id,))
