"""`aidesk keys set|list|remove|check`: keys go to the OS keyring, tested before they are saved."""

from __future__ import annotations

import argparse
import sys

from aidesk import providers
from aidesk.cli.context import core, print_json, print_table, run_async, workspace
from aidesk.cli.inputs import UsageError, read_secret, read_workspace
from aidesk.errors import ConfigError
from aidesk.i18n import N_, _
from aidesk.keys import key_problem
from aidesk.redact import redact, register_secret
from aidesk.router.keycheck import REJECTED, check_workspace, forget_key, store_key, verify_key

ARGV_KEY = N_("A key on the command line is visible in `ps` and the shell history, so it is "
              "refused: pipe it on stdin (`printenv OPENAI_KEY | aidesk keys set openai`) or "
              "type it at the prompt (`aidesk keys set openai`).")
OUTCOMES = {"verified": N_("verified"), "unverified": N_("unverified"),
            "rejected": N_("rejected")}


def _outcome(outcome: str | None) -> str:
    return _(OUTCOMES[outcome]) if outcome in OUTCOMES else (outcome or _("untested"))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser],
             common: argparse.ArgumentParser) -> None:
    keys = sub.add_parser("keys", help=_("provider API keys (kept in the OS keyring)"),
                          description=_("Provider API keys: tested, then kept in the OS "
                                        "keyring."))
    ksub = keys.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = ksub.add_parser("set", parents=[common], help=_("test a key and save it"))
    # No `choices`: argparse would quote a key typed in the provider's place back on stderr.
    s.add_argument("provider", help=_("one of {providers}").format(
        providers=", ".join(providers.PROVIDER_IDS)))
    s.add_argument("key", nargs="*", help=argparse.SUPPRESS)  # refused: see ARGV_KEY
    s.add_argument("--no-test", action="store_true",
                   help=_("save without the connection test"))
    s.add_argument("--force", action="store_true",
                   help=_("save even when the test rejects the key or cannot reach the "
                          "provider"))
    s.set_defaults(run=_set)
    ls = ksub.add_parser("list", parents=[common], help=_("show configured keys (masked)"))
    ls.set_defaults(run=_list)
    rm = ksub.add_parser("remove", parents=[common], help=_("delete a key from the keyring"))
    rm.add_argument("provider", choices=providers.PROVIDER_IDS,
                    help=_("the provider whose key to delete"))
    rm.set_defaults(run=_remove)
    ck = ksub.add_parser("check", parents=[common],
                         help=_("test every configured key with a real call (exit 0 if all "
                                "pass)"))
    ck.add_argument("--json", action="store_true", help=_("print JSON"))
    ck.add_argument("providers", nargs="*", choices=[[], *providers.PROVIDER_IDS],
                    metavar="PROVIDER", help=_("only these providers"))
    ck.set_defaults(run=_check)
    ro = ksub.add_parser("rollout", parents=[common],
                         help=_("test the key, then send it to the central database so the "
                                "platform's servers use it"),
                         description=_("Roll a provider key out to the workspace's tenant in "
                                       "the central database (sync.dsn): the key is tested "
                                       "first, then you confirm the tenant and the provider."))
    ro.add_argument("provider", choices=providers.PROVIDER_IDS,
                    help=_("the provider whose key to roll out"))
    ro.add_argument("--yes", action="store_true",
                    help=_("confirm without the question (for scripts)"))
    ro.set_defaults(run=_rollout)


def _read_key(provider: str) -> str:
    key = read_secret(
        _("{provider} API key: ").format(provider=_(providers.info(provider).label)),
        _("the key"), _("The key typed is not valid UTF-8 text; paste it again."))
    key = key.strip()
    register_secret(key)
    problem = key_problem(key)
    if problem:
        raise ConfigError(problem)
    return key


def _set(args: argparse.Namespace) -> int:
    if args.key or args.provider.strip().lower() not in providers.PROVIDERS:
        for arg in args.key:  # a key: never echo or log it
            register_secret(arg)
        if args.provider.strip().lower() not in providers.PROVIDERS:
            register_secret(args.provider)  # a key typed in the provider's place
        looks_like_key = key_problem(args.provider) is None and len(args.provider) > 20
        if args.key or looks_like_key or redact(args.provider) != args.provider:
            raise UsageError(_(ARGV_KEY))
        raise UsageError(_("Unknown provider: name one of {providers}, then give the key on "
                           "stdin or at the prompt.").format(
                               providers=", ".join(providers.PROVIDER_IDS)))
    args.provider = args.provider.strip().lower()
    if not providers.info(args.provider).needs_key:
        raise ConfigError(_("{provider} needs no key; set its address with `aidesk config set "
                            "providers.{provider}.base_url URL`.").format(
                                provider=args.provider))
    c = core()
    ws = workspace(c, args)
    c.keys.check()
    key = _read_key(args.provider)
    check = None
    if not args.no_test:
        config = c.workspaces.config(ws.tenant_id, args.provider)
        check = run_async(c, verify_key(args.provider, key, base_url=config.base_url,
                                        model=config.model))
        if not check.ok and not args.force:
            hint = (_("Not saved: fix the key, or save anyway with --force.")
                    if check.outcome == REJECTED else
                    _("Not saved: retry when the provider is reachable, or use --force."))
            print("aidesk: " + _("{provider} key {outcome}: {message}").format(
                provider=args.provider, outcome=_outcome(check.outcome),
                message=check.message) + f" {hint}", file=sys.stderr)
            return 1
        print(f"{args.provider}: {_outcome(check.outcome)} — {check.message}", file=sys.stderr)
    store_key(c.workspaces, c.keys, ws, args.provider, key, check)
    masked = c.workspaces.config(ws.tenant_id, args.provider).key_mask
    print(_("Saved {provider} key {mask} in the OS keyring (workspace {workspace}).").format(
        provider=args.provider, mask=masked, workspace=ws.name))
    return 0


def _list(args: argparse.Namespace) -> int:
    c = core(read_only=True)
    ws = read_workspace(c, args)
    rows = []
    for cfg in c.workspaces.configs(ws.tenant_id).values():
        if not cfg.stored:
            continue
        key = cfg.key_mask or (_("(none needed)") if not providers.info(cfg.provider).needs_key
                               else _("(no key)"))
        rows.append((cfg.provider, key, cfg.model, _("yes") if cfg.enabled else _("no"),
                     _outcome(cfg.last_test_status)))
    if not ws.id:
        rows = []
    if not rows:
        print(_("No providers configured in workspace {workspace}: `aidesk keys set "
                "openai`.").format(workspace=ws.name))
        return 0
    print_table([_("provider"), _("key"), _("model"), _("enabled"), _("last test")], rows)
    return 0


def _remove(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    if forget_key(c.workspaces, c.keys, ws, args.provider):
        print(_("Removed the {provider} key of workspace {workspace}.").format(
            provider=args.provider, workspace=ws.name))
        return 0
    print("aidesk: " + _("no {provider} key is stored in workspace {workspace}.").format(
        provider=args.provider, workspace=ws.name), file=sys.stderr)
    return 1


def _check(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    results = run_async(c, check_workspace(c.workspaces, c.keys, ws, args.providers or None))
    if args.json:
        print_json({"workspace": ws.name, "results": [r.as_json() for r in results],
                    "ok": bool(results) and all(r.ok for r in results)})
    elif results:
        print_table([_("provider"), _("model"), _("outcome"), _("latency"), _("detail")],
                    [(r.provider, r.model, _outcome(r.outcome), f"{r.latency_ms} ms", r.message)
                     for r in results])
    if not results:
        print("aidesk: " + _("no provider is configured in workspace {workspace}.").format(
            workspace=ws.name), file=sys.stderr)
        return 1
    return 0 if all(r.ok for r in results) else 1


YES = {"y", "yes", "s", "sim"}


def _rollout(args: argparse.Namespace) -> int:
    from aidesk.sync import rollout

    c = core()
    ws = workspace(c, args)
    provider = args.provider
    if not providers.info(provider).needs_key:
        raise rollout.RolloutRefused(_("{provider} needs no key, so there is none to roll "
                                       "out.").format(provider=provider))
    key = c.keys.get(ws.tenant_id, provider)
    if key is None:
        raise rollout.RolloutRefused(_("Workspace {workspace} has no {provider} key to roll "
                                       "out; save it with `aidesk keys set {provider}` "
                                       "first.").format(workspace=ws.name, provider=provider))
    config = c.workspaces.config(ws.tenant_id, provider)
    check = run_async(c, verify_key(provider, key, base_url=config.base_url, model=config.model,
                                    tenant_id=ws.tenant_id))
    c.workspaces.record_test(ws.tenant_id, provider, check.outcome, check.message)
    if not check.ok:
        print("aidesk: " + _("Not rolled out: the {provider} key is {outcome} ({message}).").format(
            provider=provider, outcome=_outcome(check.outcome), message=check.message.rstrip(".")),
            file=sys.stderr)
        return 1
    print(f"{provider}: {_outcome(check.outcome)} — {check.message}", file=sys.stderr)
    confirmed = args.yes or _confirm(rollout.question(ws, provider))
    result = rollout.rollout(c, ws, provider, confirmed=confirmed)
    print(_("Rolled out the {provider} key (fingerprint {fingerprint}) to tenant {tenant} "
            "(workspace {workspace}).").format(provider=provider, fingerprint=result.fingerprint,
                                               tenant=result.tenant_id, workspace=ws.name))
    return 0


def _confirm(text: str) -> bool:
    """Ask on the terminal (or read the answer piped on stdin); only yes confirms."""
    print(text + " " + _("[y/N]") + " ", end="", file=sys.stderr, flush=True)
    try:
        answer = sys.stdin.readline()
    except (OSError, UnicodeDecodeError):
        answer = ""
    if not sys.stdin.isatty():
        print(file=sys.stderr)
    return answer.strip().lower() in YES
