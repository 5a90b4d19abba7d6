"""Leads in the database (no Qt): save, list, keep the analysis. Plain SQL, sync.

A lead is identified by its key (the CRM's id, else its name; column `external_id`) within
a workspace: importing it again updates its name, company, e-mail, phone and history in
place. When the history changed, the stored analysis no longer describes it and is cleared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidesk.features.leads import LeadAnalysis, LeadWithHistory
from aidesk.storage import Database
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow


@dataclass(frozen=True, slots=True)
class StoredEvent:
    time: datetime | None  # naive local time, as the import read it
    kind: str  # note | message | campaign
    text: str


@dataclass(frozen=True, slots=True)
class LeadRow:
    id: str
    name: str
    key: str
    company: str
    email: str
    phone: str
    history: tuple[StoredEvent, ...]
    analysis: LeadAnalysis | None
    analysed_at: datetime | None  # UTC


def _history(lead: LeadWithHistory) -> str:
    return json.dumps([{"time": e.time.isoformat() if e.time else None, "kind": e.kind,
                        "text": e.text} for e in lead.history], ensure_ascii=False)


def key_of(lead: LeadWithHistory) -> str:
    return lead.key.strip() or lead.name.strip()


def save_leads(db: Database, tenant_id: str, leads: Iterable[LeadWithHistory]) -> list[str]:
    """Insert or update the leads in one transaction; their ids, in order."""
    now = utc_text(utcnow())
    ids: list[str] = []
    with db.writing("IMMEDIATE") as conn:
        for lead in leads:
            key, history = key_of(lead), _history(lead)
            found = conn.execute("SELECT id, history FROM leads WHERE tenant_id = ? AND "
                                 "external_id = ?", (tenant_id, key)).fetchone()
            values = (lead.name, lead.company, lead.email, lead.phone, history, now)
            if found is None:
                lead_id = new_id()
                conn.execute(
                    "INSERT INTO leads (name, company, email, phone, history, updated_at, id, "
                    "tenant_id, external_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, lead_id, tenant_id, key, now))
            else:
                lead_id = str(found[0])
                stale = ", analysis = NULL, analysed_at = NULL" if found[1] != history else ""
                conn.execute(f"UPDATE leads SET name = ?, company = ?, email = ?, phone = ?, "
                             f"history = ?, updated_at = ?{stale} WHERE id = ?",
                             (*values, lead_id))
            ids.append(lead_id)
    return ids


def _row(raw: Sequence[Any]) -> LeadRow:
    events = tuple(StoredEvent(datetime.fromisoformat(e["time"]) if e["time"] else None,
                               str(e["kind"]), str(e["text"])) for e in json.loads(raw[7]))
    analysis = LeadAnalysis.from_json(json.loads(raw[8])) if raw[8] is not None else None
    return LeadRow(str(raw[0]), str(raw[1]), str(raw[2]), str(raw[3]), str(raw[4]),
                   str(raw[5]), events, analysis,
                   utc_from_text(raw[9]) if raw[9] is not None else None)


_SELECT = ("SELECT id, name, external_id, company, email, phone, tenant_id, history, analysis, "
           "analysed_at FROM leads")


def list_leads(db: Database, tenant_id: str) -> list[LeadRow]:
    """The workspace's leads: analysed ones by score (highest first), then by name."""
    with db.reading() as conn:
        rows = conn.execute(_SELECT + " WHERE tenant_id = ? ORDER BY analysis IS NULL, "
                            "json_extract(analysis, '$.score') DESC, name COLLATE NOCASE",
                            (tenant_id,)).fetchall()
    return [_row(r) for r in rows]


def get_lead(db: Database, lead_id: str) -> LeadRow | None:
    with db.reading() as conn:
        found = conn.execute(_SELECT + " WHERE id = ?", (lead_id,)).fetchone()
    return None if found is None else _row(found)


def set_analysis(db: Database, lead_id: str, analysis: LeadAnalysis | None) -> None:
    """Keep the lead's latest analysis (None clears it), stamped with the time (UTC)."""
    now = utc_text(utcnow())
    data = None if analysis is None else json.dumps(analysis.as_json(), ensure_ascii=False)
    with db.writing() as conn:
        conn.execute("UPDATE leads SET analysis = ?, analysed_at = ?, updated_at = ? "
                     "WHERE id = ?", (data, now if analysis else None, now, lead_id))


def delete_lead(db: Database, lead_id: str) -> None:
    with db.writing() as conn:
        conn.execute("DELETE FROM leads WHERE id = ?", (lead_id,))
