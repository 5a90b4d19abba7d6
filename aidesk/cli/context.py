"""Shared plumbing for the subcommands: opening the core, picking the workspace, printing tables."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Coroutine, Sequence
from typing import Any, TypeVar

from aidesk.core import Core, open_core
from aidesk.workspaces import Workspace

T = TypeVar("T")


def core() -> Core:
    return open_core()


def workspace(c: Core, args: argparse.Namespace) -> Workspace:
    return c.workspaces.get(getattr(args, "workspace", None))


def run_async(c: Core, coro: Coroutine[Any, Any, T]) -> T:
    async def main() -> T:
        try:
            return await coro
        finally:
            await c.aclose()

    return asyncio.run(main())


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2, default=str)
    print()
