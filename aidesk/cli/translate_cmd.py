"""`aidesk translate [--to pt] [--from LANG] [TEXT]`: translate a text (stdin without TEXT)."""

from __future__ import annotations

import argparse
import sys

from aidesk.cli.chat_cmd import epilog
from aidesk.cli.context import core, print_json, run_async, workspace
from aidesk.cli.inputs import read_stdin
from aidesk.i18n import _
from aidesk.redact import redact

LANGUAGES = ("pt", "en", "es", "fr", "it")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    text = _("translate a text between Portuguese, English, Spanish, French and Italian")
    tr = sub.add_parser(
        "translate", parents=[common], help=_("translate a text (pt, en, es, fr, it)"),
        description=text,
        epilog=epilog(_("--json prints {\"text\", \"source_language\", \"target_language\"}, "
                        "the languages as pt, en, es, fr or it.")),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    tr.add_argument("text", nargs="?", help=_("the text (default: read from stdin)"))
    tr.add_argument("--to", choices=LANGUAGES, default="pt",
                    help=_("the language to translate into (default: pt)"))
    tr.add_argument("--from", dest="source", choices=LANGUAGES,
                    help=_("the text's language (default: detected)"))
    tr.add_argument("--json", action="store_true", help=_("print JSON (see below)"))
    tr.set_defaults(run=_translate)


def _translate(args: argparse.Namespace) -> int:
    from aidesk.features.chat import translate

    text = args.text if args.text is not None else read_stdin(_("the text"))
    c = core()
    ws = workspace(c, args)
    result = run_async(c, translate(c.router, ws, text, to=args.to, source=args.source))
    if args.json:
        print_json({"text": redact(result.text), "source_language": result.source_language,
                    "target_language": result.target_language})
    else:
        print(redact(result.text))
        print(f"[{result.source_language} → {result.target_language}]", file=sys.stderr)
    return 0
