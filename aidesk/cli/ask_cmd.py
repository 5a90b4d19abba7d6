"""`aidesk ask`: one routed call from the command line."""

from __future__ import annotations

import argparse
import sys

from aidesk import providers
from aidesk.cli.context import core, print_json, run_async, workspace
from aidesk.cli.inputs import UsageError, read_stdin
from aidesk.core import Core
from aidesk.errors import ConfigError, limit_label
from aidesk.formats import plain
from aidesk.i18n import _, ngettext
from aidesk.redact import StreamRedactor, redact
from aidesk.router import RouterResult
from aidesk.router.results import LimitWarning, RouterEvent
from aidesk.workspaces import Workspace

MAX_TOKENS = 1_000_000  # above every model's output limit; the provider refuses what it cannot do


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    ask = sub.add_parser("ask", parents=[common], help=_("send one prompt through the router"),
                         description=_("Send one prompt through the router."))
    ask.add_argument("prompt", nargs="?", help=_("the prompt (default: read from stdin)"))
    ask.add_argument("--provider", "-p", choices=providers.PROVIDER_IDS,
                     help=_("the provider to ask first"))
    ask.add_argument("--model", "-m", help=_("the model (default: the provider's)"))
    ask.add_argument("--module",
                     help=_("module name for preferences and usage (e.g. marketing)"))
    ask.add_argument("--system", help=_("system instruction"))
    ask.add_argument("--max-tokens", type=int, default=1024,
                     help=_("the longest answer, in tokens (default: 1024)"))
    ask.add_argument("--no-cache", action="store_true", help=_("do not answer from the cache"))
    ask.add_argument("--no-fallback", action="store_true",
                     help=_("try only the first provider"))
    ask.add_argument("--stream", action="store_true", help=_("print the answer as it arrives"))
    ask.add_argument("--json", action="store_true", help=_("print one JSON object"))
    ask.set_defaults(run=_ask)


def _ask(args: argparse.Namespace) -> int:
    if not 1 <= args.max_tokens <= MAX_TOKENS:
        from aidesk.formats import number

        raise UsageError(_("--max-tokens must be between 1 and {max}.").format(
            max=number(MAX_TOKENS)))
    if args.model is not None and (not args.model.strip() or any(
            c.isspace() or not c.isprintable() for c in args.model.strip())):
        raise UsageError(_("--model must be a model name without spaces."))
    prompt = args.prompt if args.prompt is not None else read_stdin(_("the prompt"))
    if not prompt.strip():
        raise ConfigError(_("The prompt is empty: pass it as an argument or on stdin."))
    c = core()
    ws = workspace(c, args)
    c.router.subscribe(_warn)
    result = run_async(c, _run(c, ws, prompt, args))
    if args.json:
        print_json(_redacted(result.as_json()))
    else:
        if not args.stream:
            print(redact(result.text))
        for hop in result.hops:
            line = _("skipped {provider}: {reason}") if hop.skipped else _(
                "fell back from {provider}: {reason}")
            print("aidesk: " + line.format(provider=hop.provider, reason=redact(hop.message)),
                  file=sys.stderr)
        if result.truncated:
            print("aidesk: " + _("the answer reached the output limit and was cut short; "
                                 "raise --max-tokens or ask for a shorter text."),
                  file=sys.stderr)
        source = _("cache") if result.cached else f"{result.latency_ms} ms"
        tokens = (ngettext("{count} token", "{count} tokens", result.usage.total_tokens).format(
            count=result.usage.total_tokens) if result.usage.known else _("tokens unknown"))
        print(f"[{result.provider} {result.model}, {tokens}, {source}]", file=sys.stderr)
    return 0


async def _run(c: Core, ws: Workspace, prompt: str, args: argparse.Namespace) -> RouterResult:
    options = {"provider": args.provider, "model": args.model, "module": args.module,
               "use_cache": not args.no_cache, "fallback": not args.no_fallback,
               "system": args.system, "max_tokens": args.max_tokens}
    if not args.stream:
        return await c.router.ask(ws, prompt, **options)
    result: RouterResult | None = None
    shown = StreamRedactor()
    async for event in c.router.stream(ws, prompt, **options):
        if isinstance(event, RouterResult):
            result = event
        elif not args.json:
            sys.stdout.write(shown.feed(event.text))
            sys.stdout.flush()
    if not args.json:
        print(shown.flush())
    assert result is not None
    return result


def _redacted(value: object) -> object:
    """Every string in a JSON-ready value, redacted (the answer and hop reasons included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def _warn(event: RouterEvent) -> None:
    if isinstance(event, LimitWarning):
        s = event.status
        print("aidesk: " + _("warning: {limit} at {percent} ({used} of {value}).").format(
            limit=limit_label(s.limit), percent=f"{s.fraction:.0%}", used=plain(s.used),
            value=plain(s.value)), file=sys.stderr)
