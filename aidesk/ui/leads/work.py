"""What the Leads tab runs on the worker: reading the CSV's columns, importing, analysing one
lead or all those not analysed yet (a few at a time, with progress), exporting."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.ui.chat.work import PREVIEW_ROWS, CsvLayout
from aidesk.ui.progress import Report, with_progress

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.lead_store import LeadRow
    from aidesk.features.leads import LeadAnalysis
    from aidesk.workspaces import Workspace

CONCURRENCY = 4


def leads(core: Core, ws: Workspace) -> list[LeadRow]:
    from aidesk.features import lead_store

    return lead_store.list_leads(core.db, ws.tenant_id)


async def layout(path: Path) -> CsvLayout:
    """Header, guessed mapping and first rows of a leads file (CSV, or JSON rows)."""
    from aidesk.imports.leads import lead_preview

    def read() -> CsvLayout:
        header, guessed, rows = lead_preview(path, PREVIEW_ROWS)
        return CsvLayout(path, header, guessed, rows)

    return await asyncio.to_thread(read)


async def import_leads(core: Core, ws: Workspace, path: Path,
                       mapping: Mapping[str, str]) -> int:
    from aidesk.features import lead_store
    from aidesk.imports.leads import read_leads

    records = await asyncio.to_thread(read_leads, path, mapping)
    await asyncio.to_thread(lead_store.save_leads, core.db, ws.tenant_id, records)
    return len(records)


async def analyse(core: Core, ws: Workspace, lead: LeadRow) -> LeadAnalysis:
    from aidesk.features import lead_store
    from aidesk.features.leads import analyze_lead

    analysis = await analyze_lead(core.router, ws, lead)
    lead_store.set_analysis(core.db, lead.id, analysis)
    return analysis


def analyse_stream(core: Core, ws: Workspace, rows: Sequence[LeadRow]) -> AsyncIterator[Any]:
    """Analyse the leads not analysed yet, `CONCURRENCY` at a time; each result is stored as
    it comes, so a cancelled or failed run resumes where it stopped."""
    todo = [r for r in rows if r.analysis is None]

    async def run(report: Report) -> int:
        done = 0
        report(0, len(todo))
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(lead: LeadRow) -> None:
            nonlocal done
            async with gate:
                await analyse(core, ws, lead)
            done += 1
            report(done, len(todo))

        try:
            async with asyncio.TaskGroup() as group:
                for lead in todo:
                    group.create_task(one(lead))
        except ExceptionGroup as failed:  # the first failure, as the single call raises it
            raise failed.exceptions[0] from None
        return done

    return with_progress(run)


async def export(rows: Sequence[LeadRow], path: Path, kind: str) -> int:
    from aidesk.features.leads import to_csv, to_json

    pairs = [(r, r.analysis) for r in rows if r.analysis is not None]
    data = to_csv(pairs) if kind == "csv" else to_json(pairs).encode("utf-8")
    await asyncio.to_thread(path.write_bytes, data)
    return len(pairs)
