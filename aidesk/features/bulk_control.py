"""What a bulk-message run is steered and reported with (no Qt): rate-limit pauses per
workspace and provider, the Control a user pauses, resumes and cancels it with, the progress
it reports and the report it ends with. The runner is aidesk.features.bulk_run."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aidesk.errors import AIDeskError
from aidesk.features.bulk_items import Item
from aidesk.features.bulk_jobs import Counts
from aidesk.providers.base import Usage

MAX_PAUSE_S = 60.0  # the longest a 429 pauses a provider, whatever it asked
DEFAULT_PAUSE_S = 5.0  # a 429 that says nothing about when to come back

_live: set[str] = set()  # tokens of the runs going on in this process
_paused: dict[tuple[str, str], float] = {}  # (tenant, provider) → time.monotonic() until


def live_runs() -> frozenset[str]:
    """The tokens of the runs going on in this process."""
    return frozenset(_live)


def paused_for(tenant_id: str, provider: str) -> float:
    """Seconds left on `provider`'s rate-limit pause in this workspace (0: not paused)."""
    return max(0.0, _paused.get((tenant_id, provider), 0.0) - time.monotonic())


def pause_provider(tenant_id: str, provider: str, retry_after: float | None) -> float:
    """Pause `provider` for what it asked (bounded); returns the seconds it is paused."""
    seconds = min(MAX_PAUSE_S, retry_after if retry_after and retry_after > 0
                  else DEFAULT_PAUSE_S)
    until = time.monotonic() + seconds
    key = (tenant_id, provider)
    _paused[key] = max(_paused.get(key, 0.0), until)
    return seconds


class Control:
    """Pause, resume and cancel a run (call from the run's event loop)."""

    def __init__(self) -> None:
        self._go = asyncio.Event()
        self._go.set()
        self.cancelled = False
        self.changed: Callable[[], None] | None = None

    @property
    def paused(self) -> bool:
        return not self._go.is_set() and not self.cancelled

    def pause(self) -> None:
        self._go.clear()
        self._notify()

    def resume(self) -> None:
        self._go.set()
        self._notify()

    def cancel(self) -> None:
        self.cancelled = True
        self._go.set()
        self._notify()

    async def wait(self) -> None:
        await self._go.wait()

    def _notify(self) -> None:
        if self.changed is not None:
            self.changed()


@dataclass(frozen=True, slots=True)
class RunProgress:
    counts: Counts
    per_second: float | None  # messages finished per second lately (None: too early)
    eta_s: float | None  # time left at that pace
    paused: bool  # the user paused
    waiting: dict[str, float]  # provider → seconds left on its rate-limit pause
    stopping: bool = False


@dataclass(slots=True)
class RunReport:
    job_id: str
    status: str = "running"
    written: int = 0  # done by this run
    failed: int = 0  # failed in this run
    stop: AIDeskError | None = None  # what stopped the run early
    counts: Counts = field(default_factory=Counts)
    latencies_ms: list[float] = field(default_factory=list)  # each router call's wall time
    pauses: list[tuple[str, float, float]] = field(default_factory=list)  # provider, at, s
    items: list[Item] = field(default_factory=list)  # the items finished (preview only)
    samples: list[tuple[int, Usage]] = field(default_factory=list)  # prompt chars, usage


Progress = Callable[[RunProgress], None]


def progress_now(tenant_id: str, counts: Counts, finished_at: Sequence[float], paused: bool,
                 stopping: bool) -> RunProgress:
    """The run's progress now: the pace over the last messages finished (`finished_at`:
    their time.monotonic()), the time left at that pace, the providers asking to wait."""
    now = time.monotonic()
    rate = None
    if len(finished_at) >= 4:
        span = now - finished_at[0]
        rate = len(finished_at) / span if span > 0 else None
    left = counts.pending + counts.running
    waiting = {provider: round(seconds, 1) for (tenant, provider) in list(_paused)
               if tenant == tenant_id and (seconds := paused_for(tenant, provider)) > 0}
    return RunProgress(counts, rate, left / rate if rate else None, paused, waiting, stopping)
