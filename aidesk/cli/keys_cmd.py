"""`aidesk keys set|list|remove|check`: keys go to the OS keyring, tested before they are saved."""

from __future__ import annotations

import argparse
import getpass
import sys

from aidesk import providers
from aidesk.cli.context import core, print_json, print_table, run_async, workspace
from aidesk.errors import ConfigError
from aidesk.router.keycheck import REJECTED, check_workspace, forget_key, store_key, verify_key


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    keys = sub.add_parser("keys", help="provider API keys (kept in the OS keyring)")
    ksub = keys.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = ksub.add_parser("set", parents=[common], help="test a key and save it")
    s.add_argument("provider", choices=providers.PROVIDER_IDS)
    s.add_argument("--no-test", action="store_true", help="save without the connection test")
    s.add_argument("--force", action="store_true",
                   help="save even when the test rejects the key or cannot reach the provider")
    s.set_defaults(run=_set)
    ls = ksub.add_parser("list", parents=[common], help="show configured keys (masked)")
    ls.set_defaults(run=_list)
    rm = ksub.add_parser("remove", parents=[common], help="delete a key from the keyring")
    rm.add_argument("provider", choices=providers.PROVIDER_IDS)
    rm.set_defaults(run=_remove)
    ck = ksub.add_parser("check", parents=[common],
                         help="test every configured key with a real call (exit 0 if all pass)")
    ck.add_argument("--json", action="store_true", help="print JSON")
    ck.add_argument("providers", nargs="*", choices=[[], *providers.PROVIDER_IDS],
                    metavar="PROVIDER", help="only these providers")
    ck.set_defaults(run=_check)


def _read_key(provider: str) -> str:
    if sys.stdin.isatty():
        key = getpass.getpass(f"{providers.info(provider).label} API key: ")
    else:
        key = sys.stdin.readline()
    key = key.strip()
    if not key:
        raise ConfigError("No key given: pipe it on stdin or type it at the prompt.")
    return key


def _set(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    c.keys.check()
    key = _read_key(args.provider)
    check = None
    if not args.no_test:
        config = c.workspaces.config(ws.tenant_id, args.provider)
        check = run_async(c, verify_key(args.provider, key, base_url=config.base_url,
                                        model=config.model))
        print(f"{args.provider}: {check.outcome} — {check.message}", file=sys.stderr)
        if not check.ok and not args.force:
            hint = ("Not saved: fix the key, or save anyway with --force."
                    if check.outcome == REJECTED else
                    "Not saved: retry when the provider is reachable, or use --force.")
            print(f"aidesk: {hint}", file=sys.stderr)
            return 1
    store_key(c.workspaces, c.keys, ws, args.provider, key, check)
    masked = c.workspaces.config(ws.tenant_id, args.provider).key_mask
    print(f"Saved {args.provider} key {masked} in the OS keyring (workspace {ws.name}).")
    return 0


def _list(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    rows = []
    for cfg in c.workspaces.configs(ws.tenant_id).values():
        if not cfg.stored:
            continue
        key = cfg.key_mask or ("(none needed)" if not providers.info(cfg.provider).needs_key
                               else "(no key)")
        tested = cfg.last_test_status or "untested"
        rows.append((cfg.provider, key, cfg.model, "yes" if cfg.enabled else "no", tested))
    if not rows:
        print(f"No providers configured in workspace {ws.name}: `aidesk keys set openai`.")
        return 0
    print_table(["provider", "key", "model", "enabled", "last test"], rows)
    return 0


def _remove(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    if forget_key(c.workspaces, c.keys, ws, args.provider):
        print(f"Removed the {args.provider} key of workspace {ws.name}.")
        return 0
    print(f"aidesk: no {args.provider} key is stored in workspace {ws.name}.", file=sys.stderr)
    return 1


def _check(args: argparse.Namespace) -> int:
    c = core()
    ws = workspace(c, args)
    results = run_async(c, check_workspace(c.workspaces, c.keys, ws, args.providers or None))
    if args.json:
        print_json({"workspace": ws.name, "results": [r.as_json() for r in results],
                    "ok": bool(results) and all(r.ok for r in results)})
    elif results:
        print_table(["provider", "model", "outcome", "latency", "detail"],
                    [(r.provider, r.model, r.outcome, f"{r.latency_ms} ms", r.message)
                     for r in results])
    if not results:
        print(f"aidesk: no provider is configured in workspace {ws.name}.", file=sys.stderr)
        return 1
    return 0 if all(r.ok for r in results) else 1
