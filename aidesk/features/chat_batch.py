"""Sentiment for a whole list of stored conversations (no Qt): every message not labelled
yet, then each conversation's own label, with bounded concurrency and progress.

Each batch's labels are stored as soon as its answer arrives, so a cancelled run (asyncio
cancel) or a crash keeps what was done, and the next run sends only the messages still
without a label. A conversation whose label is already stored is not asked again; its
label is judged from its last messages, so it runs beside the message batches.

A failure that concerns one conversation (an answer that stayed invalid, every provider
failing for that request) is collected in the report and the run goes on; a failure that
will stop every request (a workspace limit, no usable provider, the disk) ends the run with
that error, after what was stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from aidesk.errors import (
    AIDeskError,
    LimitExceeded,
    NoProviderAvailable,
    NotConfigured,
    StorageError,
)
from aidesk.features import chat, chat_store
from aidesk.features.chat_store import StoredMessage
from aidesk.features.structured import bounded
from aidesk.router import Router
from aidesk.storage import Database
from aidesk.workspaces import Workspace

DEFAULT_CONCURRENCY = 4
STOPS_THE_RUN = (LimitExceeded, NoProviderAvailable, NotConfigured, StorageError)
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class BatchError:
    conversation_id: str
    title: str
    message: str  # the error's sentence, in the user's language


@dataclass(slots=True)
class BatchReport:
    total: int = 0  # steps planned: messages to label plus conversations to label
    done: int = 0  # steps stored by this run
    messages_labelled: int = 0
    conversations_labelled: int = 0
    already_labelled: int = 0  # messages found with a label (not sent again)
    errors: list[BatchError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Plan:
    report: BatchReport
    progress: Progress | None
    failed: set[str] = field(default_factory=set)

    def step(self, count: int) -> None:
        self.report.done += count
        if self.progress is not None:
            self.progress(self.report.done, self.report.total)

    def fail(self, cid: str, title: str, exc: AIDeskError) -> None:
        if cid not in self.failed:  # one entry per conversation: its first error
            self.failed.add(cid)
            self.report.errors.append(BatchError(cid, title, exc.user_message))


async def analyse_all(router: Router, db: Database, ws: Workspace,
                      conversation_ids: Sequence[str], *,
                      concurrency: int = DEFAULT_CONCURRENCY,
                      progress: Progress | None = None,
                      batch_size: int = chat.BATCH_SIZE) -> BatchReport:
    """Label what is not labelled yet in these conversations, `concurrency` calls at a time;
    `progress(done, total)` after each stored step (and once at the start with 0)."""
    plan = _Plan(BatchReport(), progress)
    jobs: list[Callable[[], Awaitable[None]]] = []
    for cid in dict.fromkeys(conversation_ids):
        row = chat_store.get_conversation(db, cid)
        if row is None:  # deleted meanwhile
            continue
        stored = chat_store.messages(db, cid)
        people = [m for m in stored if chat.needs_label(m.chat_message())]
        todo = [m for m in people if m.sentiment is None]
        plan.report.already_labelled += len(people) - len(todo)
        for indexes in chat.batches([m.chat_message() for m in todo], batch_size=batch_size):
            batch = [todo[i] for i in indexes]
            jobs.append(_labels_job(router, db, ws, plan, cid, row.title, batch))
            plan.report.total += len(batch)
        if row.sentiment is None and people:
            jobs.append(_conversation_job(router, db, ws, plan, cid, row.title, stored))
            plan.report.total += 1
    plan.step(0)
    await bounded(jobs, concurrency)
    return plan.report


def _labels_job(router: Router, db: Database, ws: Workspace, plan: _Plan, cid: str,
                title: str, batch: list[StoredMessage]) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        try:
            labels = await chat.classify_batch(router, ws, [m.chat_message() for m in batch])
        except STOPS_THE_RUN:
            raise
        except AIDeskError as exc:
            plan.fail(cid, title, exc)
            return
        chat_store.set_message_sentiments(db, cid, [(m.seq, s) for m, s in
                                                    zip(batch, labels, strict=True)])
        plan.report.messages_labelled += len(batch)
        plan.step(len(batch))

    return job


def _conversation_job(router: Router, db: Database, ws: Workspace, plan: _Plan, cid: str,
                      title: str, stored: list[StoredMessage]) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        try:
            sentiment = await chat.classify_conversation(
                router, ws, [m.chat_message() for m in stored])
        except STOPS_THE_RUN:
            raise
        except AIDeskError as exc:
            plan.fail(cid, title, exc)
            return
        chat_store.set_conversation_sentiment(db, cid, sentiment)
        plan.report.conversations_labelled += 1
        plan.step(1)

    return job
