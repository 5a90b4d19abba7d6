"""Bulk-message items (no Qt): one lead of a job each, and the moves of its state: claimed
(running, with the run's token and process), written once (done or failed), given back
(pending) or recovered from a run that is over. Plain SQL on `bulk_items`; see bulk_jobs
for why each lead ends with exactly one message."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aidesk.features.bulk import Lead
from aidesk.storage import Database, procs
from aidesk.storage.values import utc_text, utcnow


@dataclass(frozen=True, slots=True)
class Item:
    id: str
    seq: int
    line: int
    lead: str
    cells: tuple[str, ...]
    language: str
    state: str
    message: str | None = None
    error: str | None = None
    provider: str | None = None
    model: str | None = None
    cost_usd: float | None = None
    attempts: int = 0

    def as_lead(self) -> Lead:
        return Lead(self.line, self.cells, self.lead, self.language)


_ITEM_COLUMNS = ("id, seq, line, lead, cells, language, state, message, error, provider, model, "
                 "cost_usd, attempts")
_CLAIM = (
    "UPDATE bulk_items SET state = 'running', claim = ?, claim_pid = ?, claim_start = ?, "
    "attempts = attempts + 1, updated_at = ? WHERE id = (SELECT id FROM bulk_items "
    "WHERE job_id = ? AND state = 'pending' ORDER BY seq LIMIT 1) RETURNING " + _ITEM_COLUMNS)
_FINISH = (
    "UPDATE bulk_items SET state = ?, message = ?, error = ?, provider = ?, model = ?, "
    "cost_usd = ?, tokens = ?, request_id = ?, claim = NULL, claim_pid = NULL, "
    "claim_start = NULL, finished_at = ?, updated_at = ? "
    "WHERE id = ? AND claim = ? AND state = 'running'")
_RELEASE = ("UPDATE bulk_items SET state = 'pending', claim = NULL, claim_pid = NULL, "
            "claim_start = NULL, updated_at = ? WHERE id = ? AND claim = ? AND state = 'running'")


def _item(row: Sequence[Any]) -> Item:
    return Item(str(row[0]), int(row[1]), int(row[2]), str(row[3]), tuple(json.loads(row[4])),
                str(row[5]), str(row[6]), row[7], row[8], row[9], row[10], row[11], int(row[12]))


# -- items --------------------------------------------------------------------------------------
def items(db: Database, job_id: str, offset: int = 0, limit: int = 1000) -> list[Item]:
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {_ITEM_COLUMNS} FROM bulk_items WHERE job_id = ? "
                            "ORDER BY seq LIMIT ? OFFSET ?", (job_id, limit, offset)).fetchall()
    return [_item(r) for r in rows]


def claim(db: Database, job_id: str, token: str) -> Item | None:
    """The next pending item (lowest seq), now running under `token`; None when none is left."""
    pid, started = procs.me()
    with db.writing("IMMEDIATE") as conn:
        row = conn.execute(_CLAIM, (token, pid, started, utc_text(utcnow()), job_id)).fetchone()
    return None if row is None else _item(row)


def finish(db: Database, item_id: str, token: str, *, message: str | None = None,
           error: str | None = None, provider: str | None = None, model: str | None = None,
           cost_usd: float | None = None, tokens: int | None = None,
           request_id: str | None = None) -> bool:
    """Write the item's outcome (done with `message`, or failed with `error`) in one
    transaction; False when the claim is no longer `token`'s (nothing written)."""
    from aidesk.redact import redact  # a key-shaped string in an answer is never stored

    now = utc_text(utcnow())
    state = "done" if message is not None else "failed"
    message = redact(message) if message is not None else None
    with db.writing() as conn:
        changed = conn.execute(_FINISH, (state, message, error, provider, model, cost_usd,
                                         tokens, request_id, now, now, item_id, token)).rowcount
    return changed == 1


def release(db: Database, item_id: str, token: str) -> None:
    """Put a claimed item back to pending (the run stopped before its answer)."""
    with db.writing() as conn:
        conn.execute(_RELEASE, (utc_text(utcnow()), item_id, token))


def recover(db: Database, job_id: str, live: Iterable[str]) -> int:
    """Items left running by a run that is over (its process ended, or a run of this
    process that is not live any more) go back to pending; how many."""
    me = procs.me()
    alive = set(live)
    with db.writing("IMMEDIATE") as conn:
        owners = conn.execute("SELECT DISTINCT claim, claim_pid, claim_start FROM bulk_items "
                              "WHERE job_id = ? AND state = 'running'", (job_id,)).fetchall()
        dead = [claim_token for claim_token, pid, started in owners
                if claim_token not in alive and (
                    (pid, started) == me or pid is None or procs.gone(int(pid), started))]
        freed = 0
        for claim_token in dead:
            freed += conn.execute(
                "UPDATE bulk_items SET state = 'pending', claim = NULL, claim_pid = NULL, "
                "claim_start = NULL, updated_at = ? WHERE job_id = ? AND state = 'running' AND "
                "claim IS ?", (utc_text(utcnow()), job_id, claim_token)).rowcount
    return freed


def retry_failed(db: Database, job_id: str) -> int:
    """Failed items back to pending (their reason cleared); how many."""
    with db.writing() as conn:
        return conn.execute("UPDATE bulk_items SET state = 'pending', error = NULL, "
                            "updated_at = ? WHERE job_id = ? AND state = 'failed'",
                            (utc_text(utcnow()), job_id)).rowcount
