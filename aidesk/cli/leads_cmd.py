"""`aidesk leads analyze FILE`: analyse each lead of a CRM export (CSV or JSON)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aidesk.cli.chat_cmd import add_file_options, each, epilog, report_errors
from aidesk.cli.context import core, print_json, run_async, workspace
from aidesk.cli.inputs import parse_map
from aidesk.errors import AIDeskError, ConfigError
from aidesk.i18n import _

if TYPE_CHECKING:
    from aidesk.features.leads import LeadAnalysis


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    leads = sub.add_parser("leads", help=_("lead analysis from a CRM export"),
                           description=_("Lead analysis from a CRM export (CSV or JSON)."))
    lsub = leads.add_subparsers(dest="action", metavar="ACTION", required=True)
    text = _("summary, interests, score and temperature, reasons and next actions per lead")
    analyze = lsub.add_parser(
        "analyze", parents=[common], help=text, description=text,
        epilog=epilog(
            _("Columns are guessed from the header; name them with --map lead=COLUMN,"
              "text=COLUMN (keys: lead, time, kind, text, company, email, phone, campaign)."),
            _("--json prints a list, one object per lead: {\"name\", \"key\", \"company\", "
              "\"email\", \"phone\", \"analysis\": {\"summary\", \"interests\": [...], "
              "\"score\": 0-100, \"temperature\": hot|warm|cold, \"reasons\": [...], "
              "\"next_actions\": [...]} or null, \"error\": null or the sentence}."),
            _("--csv writes UTF-8 with a BOM, ';' between columns and lists joined with '; ', "
              "as Excel in Brazil opens it.")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    add_file_options(analyze, leads=True)
    analyze.add_argument("--json", action="store_true", help=_("print JSON (see below)"))
    analyze.add_argument("--csv", type=Path, metavar="OUT",
                         help=_("also write the analyses to a CSV file"))
    analyze.set_defaults(run=_analyze)


def _analyze(args: argparse.Namespace) -> int:
    from aidesk.features import leads
    from aidesk.imports.leads import LEAD_KEYS, read_leads

    records = read_leads(args.file, parse_map(args.map, LEAD_KEYS))
    c = core()
    ws = workspace(c, args)
    results = run_async(c, each(records, lambda lead: leads.analyze_lead(c.router, ws, lead)))
    done = [(lead, r) for lead, r in zip(records, results, strict=True)
            if not isinstance(r, AIDeskError)]
    if args.csv is not None:
        try:
            args.csv.write_bytes(leads.to_csv(done))
        except OSError as exc:
            raise ConfigError(_("Cannot write {path}: {error}.").format(
                path=args.csv, error=exc.strerror or exc)) from None
    if args.json:
        print_json([_as_json(lead, r) for lead, r in zip(records, results, strict=True)])
    else:
        for lead, analysis in done:
            _print_card(lead, analysis)
    return report_errors([lead.name for lead in records], results)


def _as_json(lead: Any, result: LeadAnalysis | AIDeskError) -> dict[str, Any]:
    out = {"name": lead.name, "key": lead.key, "company": lead.company, "email": lead.email,
           "phone": lead.phone}
    if isinstance(result, AIDeskError):
        return {**out, "analysis": None, "error": result.user_message}
    return {**out, "analysis": result.as_json(), "error": None}


def _print_card(lead: Any, analysis: Any) -> None:
    from aidesk.features.leads import TEMPERATURE_LABELS

    company = f" ({lead.company})" if lead.company else ""
    print(f"== {lead.name}{company} ==")
    print(_("Score {score}/100, {temperature}").format(
        score=analysis.score, temperature=_(TEMPERATURE_LABELS[analysis.temperature])))
    print(analysis.summary)
    for heading, items in ((_("Interests:"), analysis.interests),
                           (_("Reasons:"), analysis.reasons),
                           (_("Next actions:"), analysis.next_actions)):
        print(heading)
        for item in items or ["—"]:
            print(f"  - {item}")
    print()
