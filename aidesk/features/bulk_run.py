"""Running a bulk-message job (no Qt): workers claim leads, ask the router (module "bulk"),
store each message as it arrives; preview, estimate, pause, resume, cancel, progress.

Concurrency: `bulk.concurrency` workers (or the caller's number), each with one call in
flight; the workspace limits are checked by the router on every call.

Providers. Each call names its provider (`Router.ask(provider=…, fallback=False)`): the
runner walks the workspace's fallback order itself, so that a provider that answers 429 is
*paused* for the time it asked (at most MAX_PAUSE_S) instead of being asked again by every
worker. The time is RateLimited.retry_after, read by aidesk.providers.common.retry_after from
`retry-after-ms`, then `retry-after`, in the order the openai SDK reads them
(openai/_base_client.py `_parse_retry_after_header`); Anthropic documents `retry-after` on
its 429s (https://docs.anthropic.com/en/api/rate-limits), Gemini a RetryInfo delay
(aidesk/providers/gemini.py). While it is
paused the workers use the next provider in the user's order; when the order has no other,
they wait. A provider that fails otherwise (5xx, timeout, a rejected key) makes that lead
move on to the next provider, as the router's own fallback would; a request refused as such
(BadRequest) fails the lead with the reason.

Stops. A workspace limit (LimitExceeded) stops the run: the lead in hand goes back to
pending, the calls in flight finish, the job is `stopped` with the limit's sentence (which
names it and its reset). A limit full only because of this run's calls in flight
(LimitHeld) waits for them first. No usable provider or a disk error stop it the same way.
Cancel stops after the calls in flight (pending leads stay pending); an asyncio
cancellation (Ctrl+C, closing the app) gives the leads in hand back and leaves the job
`paused`. See bulk_jobs for why no lead gets two messages.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from aidesk.errors import (
    AIDeskError,
    DeadlineExceeded,
    LimitExceeded,
    NoProviderAvailable,
    NotConfigured,
    ProviderError,
    RateLimited,
    StorageError,
)
from aidesk.features import bulk_jobs as jobs
from aidesk.features.bulk import (
    MAX_TOKENS,
    MODULE,
    PREVIEW_COUNT,
    SYSTEM,
    Brief,
    LeadsFile,
    clean_message,
    prompt_for,
    split_brief,
)
from aidesk.features.bulk_control import (
    Control,
    Progress,
    RunReport,
    _live,
    pause_provider,
    paused_for,
    progress_now,
)
from aidesk.features.bulk_items import Item
from aidesk.features.bulk_jobs import Counts, Job
from aidesk.i18n import _
from aidesk.router import Router
from aidesk.router.limits import LimitHeld
from aidesk.router.route import Target
from aidesk.storage import Database
from aidesk.storage.values import new_id
from aidesk.workspaces import Workspace

MAX_RATE_WAITS = 20  # rate-limit pauses one lead may wait through before it fails
CHAIN_TTL_S = 2.0  # the provider order is read again after this long
PROGRESS_EVERY_S = 0.1


async def run_job(router: Router, db: Database, ws: Workspace, job_id: str, *,
                  concurrency: int | None = None, control: Control | None = None,
                  progress: Progress | None = None, limit: int | None = None) -> RunReport:
    """Write the job's pending messages; `limit` writes only that many (the preview)."""
    if concurrency is None:
        from aidesk.settings import bulk_concurrency

        concurrency = bulk_concurrency(router.workspaces)
    job = jobs.get_job(db, job_id, ws.tenant_id)
    run = _Run(router, db, ws, job, control or Control(), progress, limit)
    return await run.go(max(1, concurrency))


async def preview(router: Router, db: Database, ws: Workspace, job_id: str,
                  count: int = PREVIEW_COUNT) -> RunReport:
    """The first `count` messages, written for real and kept as those leads' messages (the
    run does not write them again); the report's `items` are the ones finished."""
    return await run_job(router, db, ws, job_id, concurrency=count, limit=count)


class _Run:
    def __init__(self, router: Router, db: Database, ws: Workspace, job: Job,
                 control: Control, progress: Progress | None, limit: int | None) -> None:
        self.router, self.db, self.ws, self.job = router, db, ws, job
        self.control, self.progress, self.limit = control, progress, limit
        self.token = new_id()
        self.brief: Brief = split_brief(job.brief)
        self.leads: LeadsFile = job.leads_file()
        self.report = RunReport(job.id)
        self.stopping = False
        self.claimed = 0
        self.calling = 0  # workers waiting on the router right now
        self.counts = job.counts
        self.finished_at: deque[float] = deque(maxlen=64)
        self.started = time.monotonic()
        self.last_progress = 0.0
        self._chain: tuple[float, list[Target]] = (0.0, [])

    async def go(self, concurrency: int) -> RunReport:
        jobs.acquire(self.db, self.job.id, self.token, _live)
        _live.add(self.token)
        self.control.changed = self._control_changed
        status = "paused"
        try:
            jobs.recover(self.db, self.job.id, _live)
            self.counts = jobs.counts(self.db, self.job.id)
            self._report(force=True)
            workers = min(concurrency, max(1, self.counts.pending))
            try:
                async with asyncio.TaskGroup() as group:
                    for _n in range(workers):
                        group.create_task(self._worker())
            except ExceptionGroup as failed:  # a bug in a worker: raised as itself
                raise failed.exceptions[0] from None
            status = self._final_status()
        finally:
            _live.discard(self.token)
            self.control.changed = None
            reason = self.report.stop.user_message if self.report.stop else None
            jobs.set_status(self.db, self.job.id, status, reason, token=self.token)
            self.report.status = status
            self.report.counts = self.counts = jobs.counts(self.db, self.job.id)
            self._report(force=True)
        return self.report

    def _final_status(self) -> str:
        left = jobs.counts(self.db, self.job.id)
        if not left.pending and not left.running:
            return "done"
        if self.report.stop is not None:
            return "stopped"
        if self.control.cancelled:
            return "cancelled"
        return "ready" if self.limit is not None else "paused"

    def _control_changed(self) -> None:
        if not self.stopping and self.limit is None:
            status = "paused" if self.control.paused else "running"
            jobs.set_status(self.db, self.job.id, status)
        self._report(force=True)

    # -- workers ------------------------------------------------------------------------------
    async def _worker(self) -> None:
        while True:
            await self.control.wait()
            if self.stopping or self.control.cancelled:
                return
            if self.limit is not None and self.claimed >= self.limit:
                return
            await self._provider_free()
            if self.stopping or self.control.cancelled or self.control.paused:
                continue
            self.claimed += 1
            try:
                item = jobs.claim(self.db, self.job.id, self.token)
            except StorageError as exc:
                self._stop(exc)
                return
            if item is None:
                return
            self._move("pending", "running")
            try:
                await self._write(item)
            except BaseException:
                self._give_back(item)
                raise

    async def _provider_free(self) -> None:
        """Return once a provider of the order is not paused (or the run stops)."""
        while not self.stopping and not self.control.cancelled:
            chain = self._targets()
            if not chain:
                return
            waits = [paused_for(self.ws.tenant_id, t.provider) for t in chain]
            if min(waits) <= 0:
                return
            self._report()
            await asyncio.sleep(min(min(waits), 1.0))

    def _targets(self) -> list[Target]:
        at, chain = self._chain
        if time.monotonic() - at > CHAIN_TTL_S or not chain:
            try:
                chain = self.router.resolve(self.ws, None, None, MODULE).targets
            except NoProviderAvailable as exc:
                self._stop(exc)
                return []
            self._chain = (time.monotonic(), chain)
        return chain

    def _give_back(self, item: Item) -> None:
        """The item goes back to pending (nothing was written for it)."""
        jobs.release(self.db, item.id, self.token)
        self.claimed -= 1
        self._move("running", "pending")

    async def _write(self, item: Item) -> None:
        prompt = prompt_for(self.brief, self.leads, item.as_lead())
        failed: dict[str, AIDeskError] = {}
        rate_waits = 0
        while True:
            chain = self._targets()
            if self.stopping or self.control.cancelled or self.control.paused or not chain:
                self._give_back(item)
                return
            usable = [t for t in chain if t.provider not in failed
                      and paused_for(self.ws.tenant_id, t.provider) <= 0]
            if not usable:
                waiting = [t for t in chain if t.provider not in failed]
                if not waiting:
                    self._done(item, error=_reasons(failed))
                    return
                await asyncio.sleep(min(1.0, min(paused_for(self.ws.tenant_id, t.provider)
                                                  for t in waiting) + 0.01))
                continue
            target = usable[0]
            began = time.perf_counter()
            self.calling += 1
            try:
                result = await self.router.ask(
                    self.ws, prompt, provider=target.provider, model=target.model,
                    module=MODULE, system=SYSTEM, max_tokens=MAX_TOKENS, fallback=False)
            except RateLimited as exc:
                self.calling -= 1
                rate_waits += 1
                seconds = pause_provider(self.ws.tenant_id, target.provider, exc.retry_after)
                self.report.pauses.append((target.provider, time.monotonic(), seconds))
                if rate_waits > MAX_RATE_WAITS:
                    self._done(item, error=exc.user_message)
                    return
                self._report(force=True)
                continue
            except LimitHeld as exc:
                self.calling -= 1
                self._give_back(item)
                if self.calling:  # this run's own calls hold it: they free it as they end
                    await self._calls_end()
                else:
                    self._stop(exc)
                return
            except (LimitExceeded, NoProviderAvailable, StorageError) as exc:
                self.calling -= 1
                self._give_back(item)
                self._stop(exc)
                return
            except (NotConfigured, DeadlineExceeded) as exc:
                self.calling -= 1
                failed[target.provider] = exc
                self._chain = (0.0, [])
                continue
            except ProviderError as exc:
                self.calling -= 1
                self._chain = (0.0, [])
                if not exc.fallback:
                    self._done(item, error=exc.user_message, provider=target.provider,
                               model=target.model)
                    return
                failed[target.provider] = exc
                continue
            except AIDeskError as exc:
                self.calling -= 1
                self._done(item, error=exc.user_message)
                return
            except BaseException:
                self.calling -= 1
                raise
            self.calling -= 1
            self.report.latencies_ms.append((time.perf_counter() - began) * 1000)
            message = clean_message(result.text)
            if result.truncated or not message:
                self._done(item, error=_(
                    "{provider}: the message was cut by the output limit; shorten what the "
                    "brief asks for.").format(provider=result.provider)
                           if message else _("{provider}: the answer was empty.").format(
                               provider=result.provider))
                return
            tokens = result.usage.total_tokens if result.usage.known else None
            if result.usage.known:
                self.report.samples.append((len(SYSTEM) + len(prompt), result.usage))
            self._done(item, message=message, provider=result.provider, model=result.model,
                       cost=result.cost_usd, tokens=tokens, request_id=result.request_id)
            return

    async def _calls_end(self) -> None:
        """Wait until no call of this run is in flight (they settle the limit's use)."""
        while self.calling and not self.stopping:
            await asyncio.sleep(0.05)

    def _move(self, before: str, after: str) -> None:
        values = {s: getattr(self.counts, s) for s in jobs.STATES}
        values[before] = max(0, values[before] - 1)
        values[after] += 1
        self.counts = Counts(**values)

    def _done(self, item: Item, *, message: str | None = None, error: str | None = None,
              provider: str | None = None, model: str | None = None,
              cost: float | None = None, tokens: int | None = None,
              request_id: str | None = None) -> None:
        if not jobs.finish(self.db, item.id, self.token, message=message, error=error,
                           provider=provider, model=model, cost_usd=cost, tokens=tokens,
                           request_id=request_id):
            return
        if message is not None:
            self.report.written += 1
        else:
            self.report.failed += 1
        if self.limit is not None:
            self.report.items.append(Item(item.id, item.seq, item.line, item.lead, item.cells,
                                          item.language, "done" if message else "failed",
                                          message, error, provider, model, cost,
                                          item.attempts))
        self.finished_at.append(time.monotonic())
        self._move("running", "done" if message is not None else "failed")
        self._report()

    def _stop(self, exc: AIDeskError) -> None:
        if self.report.stop is None:
            self.report.stop = exc
        self.stopping = True
        self._report(force=True)

    # -- progress -----------------------------------------------------------------------------
    def _report(self, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if force or now - self.last_progress >= PROGRESS_EVERY_S:
            self.last_progress = now
            self.progress(progress_now(self.ws.tenant_id, self.counts, self.finished_at,
                                       self.control.paused, self.stopping))


def _reasons(failed: dict[str, AIDeskError]) -> str:
    if len(failed) == 1:
        return next(iter(failed.values())).user_message
    return _("Every provider failed.") + " " + "; ".join(e.user_message
                                                       for e in failed.values())
