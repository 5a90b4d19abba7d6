"""What the Bulk messages tab runs on the worker: reading the leads CSV (its columns for the
mapping dialog, then every lead with its language), the preview with its estimate, the run
as a stream of progress, the items a page at a time, the jobs to offer, the export."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.ui.chat.work import PREVIEW_ROWS, CsvLayout

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.bulk import LeadsFile
    from aidesk.features.bulk_control import Control, RunReport
    from aidesk.features.bulk_estimate import Estimate
    from aidesk.features.bulk_jobs import Item, Job
    from aidesk.workspaces import Workspace

PAGE = 200  # items read at a time as the table scrolls


@dataclass(frozen=True, slots=True)
class Prepared:
    """A job made from the file and the brief, with its preview and estimate."""

    job: Job
    preview: RunReport
    estimate: Estimate | None  # None when the preview already wrote every lead
    estimate_text: str


@dataclass(frozen=True, slots=True)
class Ended:
    """The run's last word: its report and the job as it was left."""

    report: RunReport
    job: Job


async def layout(path: Path) -> CsvLayout:
    """Header, guessed mapping and first rows of a leads CSV."""
    from aidesk.features.bulk import preview_file

    def read() -> CsvLayout:
        header, guessed, rows = preview_file(path, PREVIEW_ROWS)
        return CsvLayout(path, header, guessed, rows)

    return await asyncio.to_thread(read)


async def read(path: Path, mapping: Mapping[str, str]) -> LeadsFile:
    """Every lead with its language (detection runs off the event loop)."""
    from aidesk.features.bulk import read_leads_file

    return await asyncio.to_thread(read_leads_file, path, dict(mapping))


def jobs_of(core: Core, ws: Workspace) -> list[Job]:
    from aidesk.features.bulk_jobs import list_jobs

    return list_jobs(core.db, ws.tenant_id)


def job(core: Core, job_id: str) -> Job:
    from aidesk.features.bulk_jobs import get_job

    return get_job(core.db, job_id)


def page(core: Core, job_id: str, offset: int, limit: int = PAGE) -> list[Item]:
    from aidesk.features.bulk_jobs import items

    return items(core.db, job_id, offset, limit)


async def prepare(core: Core, ws: Workspace, leads: LeadsFile, brief: str,
                  replaces: str | None) -> Prepared:
    """A new job for `leads` and `brief` (dropping `replaces`, a job made for an earlier
    version of the brief that never ran), its first three messages and the estimate."""
    from aidesk import settings
    from aidesk.features import bulk_jobs, bulk_run
    from aidesk.features.bulk import MODULE, check_brief
    from aidesk.features.bulk_estimate import estimate

    check_brief(brief, leads.placeholders, leads.name)
    core.router.resolve(ws, None, None, MODULE)  # no usable provider: say so, make no job
    if replaces is not None:
        old = bulk_jobs.get_job(core.db, replaces)
        if old.status == "ready":
            bulk_jobs.delete_job(core.db, old.id)
    made = bulk_jobs.create_job(core.db, ws.tenant_id, leads, brief)
    shown = await bulk_run.preview(core.router, core.db, ws, made.id)
    made = bulk_jobs.get_job(core.db, made.id)
    found = None
    text = ""
    if made.counts.pending:
        found = estimate(core.router, core.db, ws, made, shown.samples)
        text = found.describe(settings.brl_per_usd(core.workspaces))
    return Prepared(made, shown, found, text)


def new_control() -> Control:
    from aidesk.features.bulk_control import Control

    return Control()


def run_stream(core: Core, ws: Workspace, job_id: str, control: Control,
               retry_failed: bool = False) -> AsyncIterator[Any]:
    """RunProgress items as the run goes, then Ended."""
    from aidesk.features import bulk_jobs, bulk_run

    async def stream() -> AsyncIterator[Any]:
        from contextlib import aclosing

        from aidesk.ui.progress import Finished, relayed

        if retry_failed:
            bulk_jobs.retry_failed(core.db, job_id)
        async with aclosing(relayed(lambda tell: bulk_run.run_job(
                core.router, core.db, ws, job_id, control=control, progress=tell))) as items:
            async for item in items:
                yield (Ended(item.result, bulk_jobs.get_job(core.db, job_id))
                       if isinstance(item, Finished) else item)

    return stream()


def resumable(core: Core) -> list[Job]:
    from aidesk.features.bulk_control import live_runs
    from aidesk.features.bulk_jobs import resumable as unfinished

    return unfinished(core.db, live_runs())


async def export(core: Core, job_id: str, path: Path) -> int:
    from aidesk.features.bulk_jobs import export_csv, get_job

    found = get_job(core.db, job_id)
    data = export_csv(core.db, found)
    await asyncio.to_thread(path.write_bytes, data)
    return found.counts.total
