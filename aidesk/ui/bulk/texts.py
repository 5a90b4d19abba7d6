"""The Bulk messages tab's sentences: a job in the list, a file's leads and languages, a
job at a glance."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidesk.i18n import _

if TYPE_CHECKING:
    from aidesk.features.bulk import LeadsFile
    from aidesk.features.bulk_jobs import Job

def job_title(job: Job) -> str:
    """"leads.csv · 25/11 14:30 · 340/1000 · Paused" for the job list."""
    from aidesk import formats
    from aidesk.features.bulk_jobs import JOB_STATUS_LABELS

    name = job.source.replace("\\", "/").rsplit("/", 1)[-1]
    return " · ".join((name, formats.date_time(job.created_at),
                       f"{formats.number(job.counts.done)}/{formats.number(job.counts.total)}",
                       _(JOB_STATUS_LABELS.get(job.status, job.status))))


def describe_leads(leads: LeadsFile) -> str:
    """"leads.csv: 1,000 leads (Portuguese 850, English 150; 40 detected from their text)"."""
    from collections import Counter

    from aidesk import formats
    from aidesk.i18n import ngettext
    from aidesk.ui.bulk.models import language_text

    counted = Counter(lead.language for lead in leads.leads)
    languages = ", ".join(f"{language_text(code)} {formats.number(n)}"
                          for code, n in counted.most_common())
    text = ngettext("{file}: {n} lead ({languages})", "{file}: {n} leads ({languages})",
                    len(leads.leads)).format(file=leads.name, n=formats.number(len(leads.leads)),
                                             languages=languages)
    if leads.detected:
        text += " · " + ngettext("{n} language detected from the lead's text",
                                 "{n} languages detected from the leads' text",
                                 leads.detected).format(n=formats.number(leads.detected))
    return text


def summary_html(job: Job) -> str:
    """The job at a glance, where a fresh preview would be: when, status, counts, cost."""
    import html

    from aidesk import formats
    from aidesk.features.bulk_jobs import JOB_STATUS_LABELS
    from aidesk.i18n import ngettext
    from aidesk.ui.hints import for_gui

    c = job.counts
    lines = [_("Created {time}.").format(time=formats.date_time(job.created_at)),
             _("{status}: {done} of {total} written").format(
                 status=_(JOB_STATUS_LABELS.get(job.status, job.status)),
                 done=formats.number(c.done), total=formats.number(c.total))
             + (ngettext(", {n} failed", ", {n} failed", c.failed).format(
                 n=formats.number(c.failed)) if c.failed else "")
             + (ngettext(", {n} left", ", {n} left", c.pending + c.running).format(
                 n=formats.number(c.pending + c.running)) if c.pending + c.running else "")
             + "."]
    if c.done:
        lines.append(_("The messages written cost {cost}.").format(
            cost=formats.money(job.cost_usd)))
    if job.stop_reason and job.status == "stopped":
        lines.append(for_gui(job.stop_reason))
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    title = html.escape(_("This job"))  # outside the f-string: Babel reads no _() inside one
    return f"<p><b>{title}</b></p>{body}"


def describe_file(job: Job) -> str:
    from aidesk import formats
    from aidesk.i18n import ngettext

    name = job.source.replace("\\", "/").rsplit("/", 1)[-1]
    return ngettext("{file}: {n} lead", "{file}: {n} leads", job.counts.total).format(
        file=name, n=formats.number(job.counts.total))
