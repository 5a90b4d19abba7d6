"""Shared plumbing for the subcommands: opening the core, picking the workspace, printing tables."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from aidesk.core import Core, open_core
from aidesk.i18n import _
from aidesk.workspaces import Workspace

T = TypeVar("T")


def core(*, read_only: bool = False) -> Core:
    """The core for a command; `read_only` commands write nothing at all (no backup, no
    spool replay, no cache purge), so they also work while another process writes."""
    return open_core(read_only=read_only)


def workspace(c: Core, args: argparse.Namespace) -> Workspace:
    return c.workspaces.get(getattr(args, "workspace", None))


def run_async(c: Core, coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to the end. SIGINT and SIGTERM cancel it like a user's Stop, so the router
    records the call as cancelled and frees its limit reservation before the process exits
    (with 130 or 143, as a shell expects)."""
    received: list[int] = []

    async def main() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        handled = []
        for signum in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(signum, _cancel, task, signum, received)
                handled.append(signum)
            except (NotImplementedError, RuntimeError, ValueError):  # Windows, not main thread
                pass
        try:
            return await coro
        finally:
            for signum in handled:
                loop.remove_signal_handler(signum)
            await c.aclose()

    try:
        return asyncio.run(main())
    except asyncio.CancelledError:
        if not received:
            raise
        print("aidesk: " + _("cancelled."), file=sys.stderr)
        raise SystemExit(128 + received[0]) from None


def _cancel(task: asyncio.Task[Any], signum: int, received: list[int]) -> None:
    received.append(signum)
    task.cancel()



def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()
