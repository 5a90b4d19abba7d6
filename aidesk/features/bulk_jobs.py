"""Bulk-message jobs in the database (no Qt): tables `bulk_jobs` and `bulk_items`, plain SQL.

A job is one leads file and one brief; each lead is an item whose state is pending,
running, done or failed (with the reason). Exactly once, whatever kills the process:

- a runner *claims* the next pending item in one write transaction (state running, the
  run's token, and its process: pid and start time, as limit reservations record it,
  aidesk.storage.procs);
- the answer is written in one transaction (state done and the message) that only
  succeeds while the claim is still the runner's; a finished item is never claimed again;
- an item left running by a process that has ended (SIGKILL, power cut) goes back to
  pending when the job runs again (`recover`). Its call may have been made: the request is
  the same, so the router answers it from its cache when the answer was recorded before the
  kill; only a call cut while in flight is made again.

So each lead ends with one stored (and exported) message: the item's, written once. A job
holds its runner's token while it runs; another process cannot run it at the same time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aidesk.errors import AIDeskError
from aidesk.features.bulk import FIELDS, LeadsFile, placeholders
from aidesk.features.bulk_items import (
    Item,
    claim,
    finish,
    items,
    recover,
    release,
    retry_failed,
)
from aidesk.i18n import N_, _, ngettext
from aidesk.storage import Database, procs
from aidesk.storage.values import new_id, utc_from_text, utc_text, utcnow

__all__ = ["JOB_STATUS_LABELS", "RESUMABLE", "STATES", "STATE_LABELS", "Counts", "Item", "Job",
           "JobBusy", "JobNotFound", "acquire", "claim", "counts", "create_job", "delete_job",
           "export_csv", "finish", "get_job", "items", "list_jobs", "recover", "release",
           "resumable", "retry_failed", "set_out_path", "set_status"]

STATES = ("pending", "running", "done", "failed")
STATE_LABELS = {"pending": N_("Pending"), "running": N_("Running"), "done": N_("Done"),
                "failed": N_("Failed")}
# ready: made (and maybe previewed), not run yet; running: a runner holds it (or held it
# when its process died); paused; stopped: a limit or a failure stopped it; cancelled by
# the user; done: no lead left to write (some may have failed).
JOB_STATUS_LABELS = {"ready": N_("Ready"), "running": N_("Running"), "paused": N_("Paused"),
                     "stopped": N_("Stopped"), "cancelled": N_("Cancelled"),
                     "done": N_("Finished")}
RESUMABLE = ("running", "paused", "stopped")  # offered for resume when the app opens


class JobNotFound(AIDeskError):
    code = "bulk_job_not_found"

    def __init__(self, job: str, ambiguous: bool = False) -> None:
        super().__init__(
            (_("More than one bulk job starts with “{job}”; give more of its id.") if ambiguous
             else _("There is no bulk job “{job}” in this workspace.")).format(job=job),
            cli_hint=_("List them with `aidesk bulk list`."), gui_hint="")


class JobBusy(AIDeskError):
    code = "bulk_job_busy"

    def __init__(self, pid: int | None) -> None:
        super().__init__(_("This bulk job is running in another AIDesk window or command "
                           "(process {pid}); wait for it to finish or stop it there.").format(
                               pid=pid if pid is not None else "?"))


@dataclass(frozen=True, slots=True)
class Counts:
    pending: int = 0
    running: int = 0
    done: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.running + self.done + self.failed

    @property
    def finished(self) -> int:
        return self.done + self.failed


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    tenant_id: str
    source: str
    brief: str
    header: tuple[str, ...]
    mapping: dict[str, str]
    status: str
    stop_reason: str | None
    out_path: str | None
    created_at: datetime
    counts: Counts
    cost_usd: float | None = 0.0  # what the messages written cost; None: a price unknown

    @property
    def short_id(self) -> str:
        return self.id[:8]

    def leads_file(self) -> LeadsFile:
        """The file's columns and placeholders, as the prompts need them (no rows)."""
        from aidesk.imports import columns as cols

        where = cols.resolve(self.mapping, self.header, FIELDS, name=self.source)
        return LeadsFile(self.source, self.header, dict(self.mapping), (),
                         placeholders(self.header, where))

    def describe(self) -> str:
        """"leads.csv: 340 of 1,000 written, 2 failed" (in the user's language)."""
        from aidesk import formats

        text = _("{file}: {done} of {total} written").format(
            file=self.source.replace("\\", "/").rsplit("/", 1)[-1],
            done=formats.number(self.counts.done), total=formats.number(self.counts.total))
        if self.counts.failed:
            text += ngettext(", {n} failed", ", {n} failed", self.counts.failed).format(
                n=formats.number(self.counts.failed))
        return text


_JOB_COLUMNS = ("id, tenant_id, source, brief, header, mapping, status, stop_reason, out_path, "
                "created_at")
_COUNTS = "SELECT state, count(*) FROM bulk_items WHERE job_id = ? GROUP BY state"
_COST = ("SELECT coalesce(sum(cost_usd), 0), count(*) - count(cost_usd) FROM bulk_items "
         "WHERE job_id = ? AND state = 'done'")
def _job(conn: sqlite3.Connection, row: Sequence[Any]) -> Job:
    counts = dict(conn.execute(_COUNTS, (row[0],)).fetchall())
    spent, unknown = conn.execute(_COST, (row[0],)).fetchone()
    return Job(str(row[0]), str(row[1]), str(row[2]), str(row[3]), tuple(json.loads(row[4])),
               dict(json.loads(row[5])), str(row[6]), row[7], row[8], utc_from_text(row[9]),
               Counts(**{s: int(counts.get(s, 0)) for s in STATES}),
               None if unknown else float(spent))


# -- jobs ---------------------------------------------------------------------------------------
def create_job(db: Database, tenant_id: str, leads: LeadsFile, brief: str,
               out_path: str | None = None) -> Job:
    """Store a new job (status ready) with one pending item per lead, in one transaction."""
    from aidesk.redact import redact  # a key pasted in a file or brief is never stored

    job_id, now = new_id(), utc_text(utcnow())
    with db.writing("IMMEDIATE") as conn:
        conn.execute(
            "INSERT INTO bulk_jobs (id, tenant_id, source, brief, header, mapping, status, "
            "total, out_path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'ready', ?, ?, "
            "?, ?)", (job_id, tenant_id, leads.path, redact(brief),
                      json.dumps([redact(h) for h in leads.header], ensure_ascii=False),
                      json.dumps({k: redact(v) for k, v in leads.mapping.items()},
                                 ensure_ascii=False), len(leads.leads), out_path,
                      now, now))
        conn.executemany(
            "INSERT INTO bulk_items (id, job_id, seq, line, lead, cells, language, state, "
            "attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?)",
            [(new_id(), job_id, seq, lead.line, redact(lead.name),
              json.dumps([redact(c) for c in lead.cells], ensure_ascii=False), lead.language,
              now)
             for seq, lead in enumerate(leads.leads)])
    return get_job(db, job_id)


def get_job(db: Database, job: str, tenant_id: str | None = None) -> Job:
    """A job by its id or a unique start of it (8 characters are shown), in `tenant_id`."""
    where, args = "id LIKE ? ESCAPE '\\'", [job.replace("%", "\\%").replace("_", "\\_") + "%"]
    if tenant_id is not None:
        where += " AND tenant_id = ?"
        args.append(tenant_id)
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {_JOB_COLUMNS} FROM bulk_jobs WHERE {where} LIMIT 2",
                            args).fetchall()
        exact = [r for r in rows if r[0] == job]
        if len(rows) != 1 and not exact:
            raise JobNotFound(job, ambiguous=len(rows) > 1)
        return _job(conn, exact[0] if exact else rows[0])


def list_jobs(db: Database, tenant_id: str) -> list[Job]:
    """The workspace's jobs, newest first."""
    with db.reading() as conn:
        rows = conn.execute(f"SELECT {_JOB_COLUMNS} FROM bulk_jobs WHERE tenant_id = ? "
                            "ORDER BY created_at DESC", (tenant_id,)).fetchall()
        return [_job(conn, r) for r in rows]


def resumable(db: Database, live: Iterable[str] = ()) -> list[Job]:
    """Jobs of any workspace left with leads to write and no live runner (`live`: the runs
    of this process): interrupted (its process ended while it ran), paused or stopped by a
    limit. Newest first."""
    mine, alive = procs.me(), set(live)
    with db.reading() as conn:
        rows = conn.execute(
            f"SELECT {_JOB_COLUMNS}, runner, runner_pid, runner_start FROM bulk_jobs WHERE "
            f"status IN ({', '.join('?' * len(RESUMABLE))}) ORDER BY created_at DESC",
            RESUMABLE).fetchall()
        jobs = []
        for row in rows:
            runner, pid, started = row[-3:]
            if runner in alive or (pid is not None and (pid, started) != mine
                                   and not procs.gone(int(pid), started)):
                continue  # a run holds it now, here or in another process
            job = _job(conn, row[:-3])
            if job.counts.pending + job.counts.running:
                jobs.append(job)
        return jobs


def delete_job(db: Database, job_id: str) -> None:
    with db.writing() as conn:
        conn.execute("DELETE FROM bulk_items WHERE job_id = ?", (job_id,))
        conn.execute("DELETE FROM bulk_jobs WHERE id = ?", (job_id,))


def acquire(db: Database, job_id: str, token: str, live: Iterable[str]) -> None:
    """Make this run (`token`) the job's runner; JobBusy when another live one holds it."""
    pid, started = procs.me()
    with db.writing("IMMEDIATE") as conn:
        row = conn.execute("SELECT runner, runner_pid, runner_start FROM bulk_jobs WHERE id = ?",
                           (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(job_id)
        runner, other, other_start = row
        if runner is not None and runner != token:
            mine = other == pid and other_start == started
            if (mine and runner in set(live)) or (
                    not mine and other is not None and not procs.gone(int(other), other_start)):
                raise JobBusy(other)
        conn.execute("UPDATE bulk_jobs SET status = 'running', stop_reason = NULL, runner = ?, "
                     "runner_pid = ?, runner_start = ?, updated_at = ? WHERE id = ?",
                     (token, pid, started, utc_text(utcnow()), job_id))


def set_status(db: Database, job_id: str, status: str, reason: str | None = None, *,
               token: str | None = None) -> None:
    """The job's status (and why it stopped); with `token`, the runner lets go of it."""
    now = utc_text(utcnow())
    with db.writing() as conn:
        conn.execute(
            "UPDATE bulk_jobs SET status = ?, stop_reason = ?, updated_at = ?, "
            "finished_at = CASE WHEN ? = 'done' THEN ? ELSE finished_at END"
            + (", runner = NULL, runner_pid = NULL, runner_start = NULL" if token else "")
            + " WHERE id = ?" + (" AND (runner = ? OR runner IS NULL)" if token else ""),
            (status, reason, now, status, now, job_id, *((token,) if token else ())))


def set_out_path(db: Database, job_id: str, out_path: str) -> None:
    with db.writing() as conn:
        conn.execute("UPDATE bulk_jobs SET out_path = ? WHERE id = ?", (out_path, job_id))


def counts(db: Database, job_id: str) -> Counts:
    with db.reading() as conn:
        found = dict(conn.execute(_COUNTS, (job_id,)).fetchall())
    return Counts(**{s: int(found.get(s, 0)) for s in STATES})


# -- export -------------------------------------------------------------------------------------
EXPORT_COLUMNS = ("language", "message", "status", "error")


def export_csv(db: Database, job: Job) -> bytes:
    """Every lead's row as in the file, then its language, message, status and error: as
    aidesk.features.leads writes CSV for Excel in Brazil (BOM, `;`, formulas guarded)."""
    from aidesk.features.leads import csv_bytes

    width = len(job.header)
    rows: list[list[str]] = []
    offset = 0
    while True:
        page = items(db, job.id, offset, 5000)
        if not page:
            break
        offset += len(page)
        for item in page:
            cells = (list(item.cells) + [""] * width)[:width]
            rows.append([*cells, item.language, item.message or "", item.state,
                         item.error or ""])
    header = [*job.header, *(_unique(c, job.header) for c in EXPORT_COLUMNS)]
    return csv_bytes(header, rows)


def _unique(column: str, header: Sequence[str]) -> str:
    """`column`, or `column_2`… when the file already has a column of that name."""
    taken = {h.strip().lower() for h in header}
    name, n = column, 1
    while name in taken:
        n += 1
        name = f"{column}_{n}"
    return name
