"""`aidesk bulk run|resume|list|export`: one personalised message per lead of a CSV.

`run` reads the file and the brief (refused in one sentence when a placeholder has no
column or the brief is empty), stores the job, writes the first three messages for real
(kept: the run does not write them again), prints them with the estimated cost of the rest,
asks to go on (unless --yes), then writes the rest with progress on stderr and the CSV at
the end. Killed at any moment, `aidesk bulk resume JOB` goes on where it stopped. Exit 0
when every lead has its message, 1 when some failed or a limit stopped the run (the CSV is
written all the same, with each lead's status and error).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.cli.chat_cmd import epilog
from aidesk.cli.context import core, print_table, run_async, workspace
from aidesk.cli.inputs import UsageError, parse_map, read_workspace
from aidesk.errors import ConfigError
from aidesk.i18n import _, ngettext

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.features.bulk_control import RunProgress, RunReport
    from aidesk.features.bulk_jobs import Job
    from aidesk.workspaces import Workspace


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    bulk = sub.add_parser("bulk", help=_("one personalised message per lead of a CSV"),
                          description=_("Bulk messages: one personalised message per lead of "
                                        "a CSV, in the lead's language."))
    bsub = bulk.add_subparsers(dest="action", metavar="ACTION", required=True)
    text = _("write a message for every lead of LEADS.csv from a brief")
    run = bsub.add_parser(
        "run", parents=[common], help=text, description=text,
        epilog=epilog(
            _("Every column is a placeholder by its name: \u201cNome\u201d is {nome}, "
              "\u201cE-mail\u201d is {email}; the mapped lead, company, e-mail, phone and "
              "language also give {nome}, {empresa}, {email}, {telefone} and {idioma}. Write "
              "{{ and }} for a brace."),
            _("Columns are guessed from the header; name them with --map lead=COLUMN,"
              "language=COLUMN (keys: lead, company, email, phone, language, text). The "
              "language column holds pt, en, es, fr or it (or their names); without one, or "
              "where it is empty, the language is detected from the lead's text, else "
              "Portuguese."),
            _("The first three messages are written and shown with the estimated cost of the "
              "rest before anything else is asked for; --yes goes on without asking. The CSV "
              "(UTF-8 with a BOM, ';' between columns, as Excel in Brazil opens it) has the "
              "file's columns, then language, message, status and error.")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("file", type=Path, metavar="LEADS.csv", help=_("the leads, one per row"))
    run.add_argument("--brief", required=True, metavar="TEXT",
                     help=_("what each message should say, with {placeholders}"))
    run.add_argument("--out", type=Path, required=True, metavar="OUT.csv",
                     help=_("where to write the messages"))
    _concurrency(run)
    run.add_argument("--map", action="append", metavar="KEY=COLUMN",
                     help=_("which column holds what, e.g. --map lead=cliente,language=idioma "
                            "(repeatable)"))
    run.add_argument("--yes", "-y", action="store_true",
                     help=_("write them all without asking after the preview"))
    run.set_defaults(run=_run)

    resume = bsub.add_parser("resume", parents=[common], help=_("go on with a job"),
                             description=_("Write the job's leads still without a message."))
    resume.add_argument("job", metavar="JOB", help=_("the job's id (its first characters do)"))
    resume.add_argument("--out", type=Path, metavar="OUT.csv",
                        help=_("where to write the messages (default: the job's file)"))
    resume.add_argument("--retry-failed", action="store_true",
                        help=_("also write again the leads that failed"))
    _concurrency(resume)
    resume.set_defaults(run=_resume)

    listing = bsub.add_parser("list", parents=[common], help=_("the workspace's jobs"),
                              description=_("The workspace's bulk jobs, newest first."))
    listing.set_defaults(run=_list)

    export = bsub.add_parser("export", parents=[common], help=_("write a job's CSV"),
                             description=_("Write a job's leads with their messages to a CSV."))
    export.add_argument("job", metavar="JOB", help=_("the job's id (its first characters do)"))
    export.add_argument("--out", type=Path, required=True, metavar="OUT.csv",
                        help=_("the CSV to write"))
    export.set_defaults(run=_export)


def _concurrency(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, metavar="N",
                        help=_("messages written at the same time, 1 to 32 (default: the "
                               "bulk.concurrency setting)"))


def _check_concurrency(value: int | None) -> None:
    if value is not None and not 1 <= value <= 32:
        raise UsageError(_("--concurrency must be between 1 and 32."))


def _check_out(path: Path) -> Path:
    path = path.expanduser()
    if path.is_dir() or not path.absolute().parent.is_dir():
        raise UsageError(_("--out must name a file in an existing folder, not {path}.").format(
            path=path))
    return path.absolute()


# -- run ----------------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from aidesk.features import bulk_jobs, bulk_run
    from aidesk.features.bulk import FIELDS, MODULE, check_brief, read_leads_file

    _check_concurrency(args.concurrency)
    out = _check_out(args.out)
    leads = read_leads_file(args.file, parse_map(args.map, FIELDS))
    check_brief(args.brief, leads.placeholders, leads.name)
    c = core()
    ws = workspace(c, args)
    c.router.resolve(ws, None, None, MODULE)  # no usable provider: say so before the job
    job = bulk_jobs.create_job(c.db, ws.tenant_id, leads, args.brief, str(out))
    print(ngettext("Job {id}: {n} lead from {file}.", "Job {id}: {n} leads from {file}.",
                   len(leads.leads)).format(id=job.short_id, n=len(leads.leads),
                                            file=leads.name))
    shown = run_async(c, bulk_run.preview(c.router, c.db, ws, job.id))
    _print_preview(shown, len(leads.leads))
    if shown.stop is not None:
        print(f"aidesk: {shown.stop.user_message}", file=sys.stderr)
        _resume_hint(job.short_id)
        return 1
    job = bulk_jobs.get_job(c.db, job.id)
    if job.counts.pending:
        _print_estimate(c, ws, job, shown)
        if not args.yes and not _confirm(job.counts.pending):
            print(_("Nothing more written; go on later with `aidesk bulk resume {id}`.").format(
                id=job.short_id))
            return 1
    return _write_all(c, ws, job, args.concurrency, out)


def _print_preview(shown: RunReport, total: int) -> None:
    from aidesk.features.structured import LANGUAGE_LABELS

    print(_("Preview ({n} of {total}):").format(n=len(shown.items), total=total))
    for item in sorted(shown.items, key=lambda i: i.seq):
        language = _(LANGUAGE_LABELS.get(item.language, item.language))
        who = item.lead or _("line {n}").format(n=item.line)
        print(f"\n{item.seq + 1}. {who} · {language}")
        if item.message is not None:
            print("   " + item.message.replace("\n", "\n   "))
        else:
            print("   " + _("failed: {reason}").format(reason=item.error))
    print()


def _print_estimate(c: Core, ws: Workspace, job: Job, shown: RunReport) -> None:
    from aidesk import settings
    from aidesk.features.bulk_estimate import estimate

    found = estimate(c.router, c.db, ws, job, shown.samples)
    print(found.describe(settings.brl_per_usd(c.workspaces)))


def _confirm(pending: int) -> bool:
    if not sys.stdin.isatty():
        raise ConfigError(_("Confirm with --yes to write the other messages when stdin is not a "
                            "terminal; the job is kept for `aidesk bulk resume`."))
    answer = input(ngettext("Write the other {n} message? [y/N] ",
                            "Write the other {n} messages? [y/N] ", pending).format(n=pending))
    return answer.strip().lower() in ("y", "yes", _("y"), _("yes"))


def _write_all(c: Core, ws: Workspace, job: Job, concurrency: int | None,
               out: Path | None) -> int:
    from aidesk.features import bulk_jobs, bulk_run

    printer = _Printer(job.counts.total)

    async def go() -> RunReport:
        import asyncio

        try:
            return await bulk_run.run_job(c.router, c.db, ws, job.id, concurrency=concurrency,
                                          progress=printer)
        except asyncio.CancelledError:
            printer.end()
            _resume_hint(job.short_id)
            raise

    report = run_async(c, go())
    printer.end()
    done = bulk_jobs.get_job(c.db, job.id)
    if out is not None:
        _write_csv(c, done, out)
    counts = done.counts
    print(_("{done} of {total} messages written, {failed} failed, {left} left.").format(
        done=counts.done, total=counts.total, failed=counts.failed,
        left=counts.pending + counts.running) + (
            " " + _("Saved to {path}.").format(path=out) if out is not None else ""))
    if report.stop is not None:
        print(f"aidesk: {report.stop.user_message}", file=sys.stderr)
        _resume_hint(job.short_id)
        return 1
    if counts.failed:
        print("aidesk: " + ngettext(
            "{n} lead has no message; its reason is in the error column.",
            "{n} leads have no message; their reasons are in the error column.",
            counts.failed).format(n=counts.failed), file=sys.stderr)
        return 1
    return 0


def _resume_hint(short_id: str) -> None:
    print("aidesk: " + _("Go on with `aidesk bulk resume {id}`.").format(id=short_id),
          file=sys.stderr)


def _write_csv(c: Core, job: Job, out: Path) -> None:
    from aidesk.features.bulk_jobs import export_csv

    try:
        out.write_bytes(export_csv(c.db, job))
    except OSError as exc:
        raise ConfigError(_("Cannot write {path}: {error}.").format(
            path=out, error=exc.strerror or exc)) from None


class _Printer:
    """Progress on stderr: one line redrawn on a terminal, else a line every 10%."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.tty = sys.stderr.isatty()
        self.step = -1
        self.shown = False
        self.last = 0.0

    def __call__(self, p: RunProgress) -> None:
        from aidesk import formats

        done = p.counts.finished
        text = _("{done} of {total} messages").format(done=formats.number(done),
                                                      total=formats.number(p.counts.total))
        if p.per_second:
            text += " · " + _("{rate}/s").format(rate=formats.number(p.per_second, 1))
        if p.eta_s is not None:
            text += " · " + _("about {time} left").format(time=_duration(p.eta_s))
        for provider, seconds in p.waiting.items():
            text += " · " + _("{provider} asked to wait {seconds} s").format(
                provider=provider, seconds=formats.plain(round(seconds)))
        if self.tty:
            if time.monotonic() - self.last > 0.2 or done == p.counts.total:
                self.last = time.monotonic()
                print(f"\r{text}\x1b[K", end="", file=sys.stderr, flush=True)
                self.shown = True
        elif done * 10 // max(1, p.counts.total) != self.step:
            self.step = done * 10 // max(1, p.counts.total)
            print(text, file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.shown:
            print(file=sys.stderr)
            self.shown = False


def _duration(seconds: float) -> str:
    if seconds < 90:
        return _("{n} s").format(n=max(1, round(seconds)))
    if seconds < 90 * 60:
        return _("{n} min").format(n=round(seconds / 60))
    return _("{n} h").format(n=round(seconds / 3600, 1))


# -- resume, list, export -----------------------------------------------------------------------
def _job_and_workspace(c: Core, job_id: str) -> tuple[Job, Workspace]:
    from aidesk.features.bulk_jobs import JobNotFound, get_job

    job = get_job(c.db, job_id.strip())
    ws = c.workspaces.find(job.tenant_id)
    if ws is None:
        raise JobNotFound(job_id)
    return job, ws


def _resume(args: argparse.Namespace) -> int:
    from aidesk.features import bulk_jobs

    _check_concurrency(args.concurrency)
    out = _check_out(args.out) if args.out is not None else None
    c = core()
    job, ws = _job_and_workspace(c, args.job)
    if out is not None:
        bulk_jobs.set_out_path(c.db, job.id, str(out))
    elif job.out_path:
        out = Path(job.out_path)
    if args.retry_failed:
        bulk_jobs.retry_failed(c.db, job.id)
        job = bulk_jobs.get_job(c.db, job.id)
    if not job.counts.pending and not job.counts.running:
        print(_("Every lead of job {id} already has its message or its reason.").format(
            id=job.short_id))
    return _write_all(c, ws, job, args.concurrency, out)


def _list(args: argparse.Namespace) -> int:
    from aidesk import formats
    from aidesk.features.bulk_jobs import JOB_STATUS_LABELS, list_jobs

    c = core(read_only=True)
    ws = read_workspace(c, args)
    found = list_jobs(c.db, ws.tenant_id)
    if not found:
        print(_("No bulk jobs in workspace '{name}' yet: start one with `aidesk bulk run`.")
              .format(name=ws.name))
        return 0
    rows: list[list[Any]] = [[
        job.short_id, formats.date_time(job.created_at), Path(job.source).name,
        _(JOB_STATUS_LABELS.get(job.status, job.status)), job.counts.done, job.counts.failed,
        job.counts.pending + job.counts.running, job.counts.total] for job in found]
    print_table([_("JOB"), _("CREATED"), _("FILE"), _("STATUS"), _("WRITTEN"), _("FAILED"),
                 _("LEFT"), _("LEADS")], rows)
    return 0


def _export(args: argparse.Namespace) -> int:
    out = _check_out(args.out)
    c = core(read_only=True)
    job, _ws = _job_and_workspace(c, args.job)
    _write_csv(c, job, out)
    print(ngettext("Wrote {n} lead to {path}.", "Wrote {n} leads to {path}.",
                   job.counts.total).format(n=job.counts.total, path=out))
    return 0
