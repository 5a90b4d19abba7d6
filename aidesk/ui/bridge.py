"""The one way the UI reaches the core: an asyncio loop in a worker thread, results by signal.

Widgets never touch the network or the database. They call `bridge.call(fn)` (a plain
function run on the worker thread with the core), `bridge.run(coro_fn)` (a coroutine
on the worker's event loop) or `bridge.stream(agen_fn)`, and get a `Job` whose signals
arrive on the UI thread.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # asyncio loads on the worker thread, after the window shows
    import asyncio
    from concurrent.futures import Future

    from aidesk.core import Core




class Job(QObject):
    """One piece of work on the worker. Exactly one of `done`, `failed`, `cancelled` fires."""

    item = Signal(object)  # stream events, in order
    done = Signal(object)
    failed = Signal(object)  # the exception
    cancelled = Signal()

    def __init__(self, bridge: CoreBridge) -> None:
        super().__init__(bridge)
        self._bridge = bridge
        self._task: asyncio.Task[Any] | None = None
        self._cancel_requested = False
        self.finished = False

    def cancel(self) -> None:
        self._cancel_requested = True
        task, loop = self._task, self._bridge.loop
        if task is not None and loop is not None:
            loop.call_soon_threadsafe(task.cancel)

    def _finish(self, kind: str, payload: Any = None) -> None:
        """Called on the worker thread: hand the outcome to the UI thread."""
        self._bridge._relay.emit(self, kind, payload)


class CoreBridge(QObject):
    """Owns the worker thread, its event loop and the core opened on it."""

    ready = Signal(object)  # the Core
    startup_failed = Signal(object)
    # Router events (limit warnings, rejected keys), on the UI thread. Not named `event`:
    # that would shadow QObject.event().
    router_event = Signal(object)
    configs_changed = Signal()  # something changed provider settings: refresh views
    # Everything the worker reports goes through this queued signal, so every other
    # signal is emitted on the UI thread, whatever a widget connects it to.
    _relay = Signal(object, str, object)

    def __init__(self, open_core: Callable[[], Core], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_core = open_core
        self.core: Core | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._jobs: set[Job] = set()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._main, name="aidesk-core", daemon=True)
        self._modules_seen = 0
        # Auto connection to a method of this UI-thread object: queued when the worker
        # emits. (Importing `Qt` for an explicit type costs ~20 ms of start-up.)
        self._relay.connect(self._dispatch)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        self._started.wait()

    def _main(self) -> None:
        import asyncio

        loop = asyncio.new_event_loop()
        self.loop = loop
        asyncio.set_event_loop(loop)
        self._started.set()
        loop.call_soon(self._open)
        loop.run_forever()
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()

    def recover(self, fix: Callable[[], Any]) -> None:
        """Run `fix` (e.g. restore a backup) on the worker while no core is open, then try
        to open the core again: `ready` or `startup_failed` follows, as at start-up."""
        loop = self.loop
        assert loop is not None and self.core is None, "recover only before the core opens"

        def attempt() -> None:
            try:
                fix()
            except Exception as exc:
                self._relay.emit(None, "startup_failed", exc)
                return
            self._open()

        loop.call_soon_threadsafe(attempt)

    def _open(self) -> None:
        try:
            core = self._open_core()
        except Exception as exc:
            self._relay.emit(None, "startup_failed", exc)
            return
        core.router.subscribe(lambda event: self._relay.emit(None, "router_event", event))
        self.core = core
        self._freeze_long_lived()
        self._relay.emit(None, "ready", core)

    def _freeze_long_lived(self) -> None:
        """Keep start-up and module objects out of the cyclic GC's full passes.

        A full collection walks every object while holding the GIL: with Qt, SQLAlchemy
        and a provider SDK loaded that is 100+ ms during which the UI thread cannot run.
        Objects that exist now (or that a first SDK import created) live as long as the
        app, so they are frozen; later garbage is still collected as usual.
        """
        self._modules_seen = len(sys.modules)
        gc.freeze()

    def _after_job(self) -> None:
        if len(sys.modules) > self._modules_seen + 20:  # a job imported a library (an SDK)
            self._freeze_long_lived()

    def _task_done(self, job: Job, task: asyncio.Task[Any]) -> None:
        self._after_job()
        _deliver(job, task)

    def _dispatch(self, job: Job | None, kind: str, payload: Any) -> None:
        if job is None:
            getattr(self, kind).emit(payload)
            return
        job.finished = kind != "item"
        if kind == "item":
            job.item.emit(payload)
        elif kind == "cancelled":
            job.cancelled.emit()
        else:
            getattr(job, kind).emit(payload)
        if job.finished:
            self._jobs.discard(job)

    def stop(self, timeout: float = 5.0) -> None:
        """Cancel running jobs, close provider clients and the database, end the thread."""
        loop = self.loop
        if loop is None or not self._thread.is_alive():
            return
        import asyncio

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if self.core is not None:
                await self.core.aclose()
                self.core.close()

        future = asyncio.run_coroutine_threadsafe(shutdown(), loop)
        try:
            future.result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            self._thread.join(timeout)

    # -- work ---------------------------------------------------------------------------------
    def call(self, fn: Callable[[Core], Any]) -> Job:
        """Run a plain (blocking) function with the core on the worker thread."""

        async def wrapper(core: Core) -> Any:
            return fn(core)

        return self.run(wrapper)

    def run(self, coro_fn: Callable[[Core], Awaitable[Any]]) -> Job:
        job = Job(self)
        self._jobs.add(job)

        async def body() -> Any:
            core = self.core
            if core is None:
                raise RuntimeError("the core is not open yet")
            return await coro_fn(core)

        self._submit(job, body)
        return job

    def stream(self, agen_fn: Callable[[Core], AsyncIterator[Any]]) -> Job:
        """Run an async iterator; each item arrives as `job.item`, then `job.done(None)`."""
        job = Job(self)
        self._jobs.add(job)

        async def body() -> None:
            assert self.core is not None
            stream = agen_fn(self.core)
            try:
                async for item in stream:
                    self._relay.emit(job, "item", item)
            finally:
                # An async generator (what Router.stream is) must be closed on this loop;
                # a plain AsyncIterator has nothing to close.
                aclose = getattr(stream, "aclose", None)
                if aclose is not None:
                    await aclose()

        self._submit(job, body)
        return job

    def _submit(self, job: Job, body: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        loop = self.loop
        assert loop is not None, "start() the bridge first"

        def launch() -> None:
            if job._cancel_requested:
                job._finish("cancelled")
                return
            task = loop.create_task(body())
            job._task = task
            task.add_done_callback(lambda t: self._task_done(job, t))

        try:
            if loop.is_closed() or not self._thread.is_alive():
                raise RuntimeError("the bridge has stopped")
            loop.call_soon_threadsafe(launch)
        except RuntimeError:  # stopped (the window closed): a late reply's follow-up is dropped
            from PySide6.QtCore import QTimer

            # once the caller has connected to the job's signals
            QTimer.singleShot(0, lambda: job._finish("cancelled"))


def _deliver(job: Job, task: asyncio.Task[Any] | Future[Any]) -> None:
    if task.cancelled():
        job._finish("cancelled")
        return
    exc = task.exception()
    if exc is not None:
        job._finish("failed", exc)
    else:
        job._finish("done", task.result())
