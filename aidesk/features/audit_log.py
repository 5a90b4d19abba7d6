"""The audit log viewer's queries (no Qt): filtered keyset pages, one row's detail.

Pages are newest first on (created_at, id) and continue after the last row's key, never
with OFFSET, so the millionth row costs what the first does. Every filter is a bound
parameter and each has an index (migration 0009). Text search goes through the FTS5 table
`ai_audit_fts`; the user's words are each quoted, so no FTS5 syntax gets through.

An audit row says success or not; why a call failed (error, refused by a limit, cancelled)
is the `outcome` of the usage row written with it (same tenant, request id and timestamp).
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from aidesk.storage import Database
from aidesk.storage.values import utc_from_text, utc_text

PAGE_SIZE = 200
OUTCOMES = ("success", "error", "refused", "cancelled")
PREVIEW_CHARS = 160
WINDOW = 5000  # rows walked first for a search (see _search)
SORT_AT_MOST = 50_000  # matches sorted rather than walked
_MASKED = re.compile(r"[\w-]{1,8}…\w{4}")  # aidesk.redact.mask's shape: `sk-…a1b2`
_USAGE = ("FROM ai_usage_logs u WHERE u.tenant_id = a.tenant_id "
          "AND u.created_at = a.created_at AND u.request_id = a.request_id")
_OUTCOME = f"CASE WHEN a.success THEN 'ok' ELSE coalesce((SELECT u.outcome {_USAGE}), 'error') END"
_FAILED_AS = {"error": "('error', 'not_configured')", "refused": "('refused')",
              "cancelled": "('cancelled')"}
ROW_COLUMNS = (
    "a.id", "a.created_at", "a.provider", "a.model", "a.module", "a.user_id", _OUTCOME,
    "a.tokens_used", f"substr(a.prompt, 1, {PREVIEW_CHARS})", "a.error_message", "a.truncated",
)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    start: datetime | None = None  # aware; rows at or after
    end: datetime | None = None  # aware; rows before
    provider: str | None = None
    model: str | None = None
    user_id: str | None = None
    module: str | None = None
    outcome: str | None = None  # one of OUTCOMES
    text: str = ""  # words all found in the prompt or the response

    def __post_init__(self) -> None:
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {self.outcome!r}")


@dataclass(frozen=True, slots=True)
class Cursor:
    """The key of the last row shown: the next page starts after it."""
    created_at: str
    id: str


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: str
    created_at: datetime  # UTC
    provider: str | None
    model: str | None
    module: str | None
    user_id: str | None
    outcome: str  # ok | error | refused | cancelled | not_configured
    tokens: int | None
    preview: str  # the prompt's start
    error: str | None
    truncated: bool

    @property
    def cursor(self) -> Cursor:
        return Cursor(utc_text(self.created_at), self.id)


@dataclass(frozen=True, slots=True)
class Hop:
    provider: str
    model: str | None
    reason: str  # why the router moved on from it


@dataclass(frozen=True, slots=True)
class AuditDetail:
    row: AuditRow
    request_id: str
    prompt: str | None  # None: the workspace keeps metadata only (audit.keep_text false)
    response: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    cost_usd: float | None
    latency_ms: int | None
    cached: bool
    finish_reason: str | None
    hops: tuple[Hop, ...]
    masked: bool  # a key-shaped string was masked in the prompt, answer or error


def fts_query(text: str) -> str:
    """The user's words as an FTS5 query: each a quoted string, all required ('' for none)."""
    words = text.split()
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def where(tenant_id: str, flt: AuditFilter, *, text: bool = True) -> tuple[str, list[Any]]:
    """The WHERE clause of `flt` (table alias `a`) and its parameters (without the search
    words when `text` is false)."""
    parts, params = ["a.tenant_id = ?"], [tenant_id]
    for column, value in (("provider", flt.provider), ("model", flt.model),
                          ("user_id", flt.user_id), ("module", flt.module)):
        if value is not None:
            parts.append(f"a.{column} = ?")
            params.append(value)
    if flt.start is not None:
        parts.append("a.created_at >= ?")
        params.append(utc_text(flt.start))
    if flt.end is not None:
        parts.append("a.created_at < ?")
        params.append(utc_text(flt.end))
    if flt.outcome == "success":
        parts.append("a.success = 1")
    elif flt.outcome is not None:
        parts.append(f"a.success = 0 AND {_OUTCOME} IN {_FAILED_AS[flt.outcome]}")
    query = fts_query(flt.text) if text else ""
    if query:
        parts.append("a.rowid IN (SELECT rowid FROM ai_audit_fts WHERE ai_audit_fts MATCH ?)")
        params.append(query)
    return " AND ".join(parts), params


def _row(values: sqlite3.Row | tuple[Any, ...]) -> AuditRow:
    return AuditRow(
        id=str(values[0]), created_at=utc_from_text(str(values[1])), provider=values[2],
        model=values[3], module=values[4], user_id=values[5], outcome=str(values[6]),
        tokens=values[7], preview=str(values[8] or ""), error=values[9],
        truncated=bool(values[10]))


def _table(flt: AuditFilter) -> str:
    """Failed calls are few: read them along the success index, whatever else is filtered
    (without statistics per value the planner would walk a provider's or user's rows)."""
    if flt.outcome is not None and flt.outcome != "success":
        return "ai_audit_logs a INDEXED BY ix_ai_audit_logs_tenant_id_success_created_at"
    return "ai_audit_logs a"


def page_query(conn: sqlite3.Connection, tenant_id: str, flt: AuditFilter,
               after: Cursor | None = None, limit: int = PAGE_SIZE) -> list[AuditRow]:
    clause, params = where(tenant_id, flt, text=False)
    if after is not None:
        clause += " AND (a.created_at, a.id) < (?, ?)"
        params += [after.created_at, after.id]
    order = "ORDER BY a.created_at DESC, a.id DESC"
    columns, table = ", ".join(ROW_COLUMNS), _table(flt)
    query = fts_query(flt.text)
    if not query:
        sql = f"SELECT {columns} FROM {table} WHERE {clause} {order} LIMIT ?"
        return [_row(r) for r in conn.execute(sql, [*params, limit])]
    return _search(conn, query, table, clause, params, limit)


def _search(conn: sqlite3.Connection, query: str, table: str, clause: str,
            params: list[Any], limit: int) -> list[AuditRow]:
    """Rows matching the search words too, by the cheaper of two ways, as the number of
    matches says. Rare words (at most SORT_AT_MOST): take the FTS matches and sort them.
    Common words: walk the rows in order and ask the FTS index about each; the page fills
    within a few thousand rows (the first WINDOW walked first, then on if need be)."""
    order = "ORDER BY a.created_at DESC, a.id DESC"
    walk = f"SELECT a.rowid AS r, a.created_at AS c, a.id AS i FROM {table} WHERE {clause} {order}"
    check = ("EXISTS (SELECT 1 FROM ai_audit_fts f WHERE f.ai_audit_fts MATCH ? "
             "AND f.rowid = w.r)")
    # The walk reads its ordered co-routine in order and stops at `limit` matches; its
    # output is checked to be in order (else sorted, at the cost of checking every row).
    walked = f"SELECT w.r, w.c, w.i FROM ({walk} LIMIT ?) w WHERE {check}"

    def walk_rows(window: int) -> list[int]:
        got = conn.execute(f"{walked} LIMIT ?", [*params, window, query, limit]).fetchall()
        if any(a[1:] < b[1:] for a, b in pairwise(got)):
            got = conn.execute(f"{walked} ORDER BY w.c DESC, w.i DESC LIMIT ?",
                               [*params, window, query, limit]).fetchall()
        return [r[0] for r in got]

    matches = conn.execute("SELECT count(*) FROM ai_audit_fts WHERE ai_audit_fts MATCH ?",
                           (query,)).fetchone()[0]
    if not matches:
        return []
    if matches <= SORT_AT_MOST:
        sort = (f"SELECT a.rowid FROM {table} WHERE {clause} AND a.rowid IN (SELECT rowid "
                f"FROM ai_audit_fts WHERE ai_audit_fts MATCH ?) {order} LIMIT ?")
        found = [r[0] for r in conn.execute(sort, [*params, query, limit])]
    else:
        found = walk_rows(WINDOW)
        if len(found) < limit:  # common, yet not among the latest rows: walk on
            found = walk_rows(-1)
    if not found:
        return []
    rows = (f"SELECT {', '.join(ROW_COLUMNS)} FROM ai_audit_logs a WHERE a.rowid IN "
            f"({', '.join('?' * len(found))}) ORDER BY a.created_at DESC, a.id DESC")
    return [_row(r) for r in conn.execute(rows, found)]


def page(db: Database, tenant_id: str, flt: AuditFilter, after: Cursor | None = None,
         limit: int = PAGE_SIZE) -> list[AuditRow]:
    """At most `limit` rows matching `flt`, newest first, after `after` (from the top: None).
    Fewer than `limit` means there are no more."""
    with db.raw() as conn:
        return page_query(conn, tenant_id, flt, after, limit)


def _hops(raw: str | None) -> tuple[Hop, ...]:
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return ()
    return tuple(Hop(str(h.get("provider") or "?"), h.get("model"), str(h.get("error") or ""))
                 for h in items if isinstance(h, dict))


def detail(db: Database, tenant_id: str, audit_id: str) -> AuditDetail | None:
    """One row in full (None when it is gone, e.g. purged), with its usage row's figures."""
    sql = (f"SELECT {', '.join(ROW_COLUMNS)}, a.request_id, a.prompt, a.response, a.hops, "
           "a.finish_reason, u.prompt_tokens, u.completion_tokens, u.cost_usd, "
           "u.response_time_ms, u.cached FROM ai_audit_logs a LEFT JOIN ai_usage_logs u "
           "ON u.tenant_id = a.tenant_id AND u.created_at = a.created_at "
           "AND u.request_id = a.request_id WHERE a.tenant_id = ? AND a.id = ? LIMIT 1")
    with db.raw() as conn:
        found = conn.execute(sql, (tenant_id, audit_id)).fetchone()
    if found is None:
        return None
    row = _row(found)
    request_id, prompt, response, hops, finish = found[11:16]
    texts = (prompt or "", response or "", row.error or "")
    return AuditDetail(
        row=row, request_id=str(request_id), prompt=prompt, response=response,
        prompt_tokens=found[16], completion_tokens=found[17],
        cost_usd=float(found[18]) if found[18] is not None else None, latency_ms=found[19],
        cached=bool(found[20]), finish_reason=finish or None, hops=_hops(hops),
        masked=any(_MASKED.search(t) for t in texts))
