"""Long jobs with a progress bar and Cancel (imports, analysing many conversations or leads).

`with_progress` turns a core function that reports `progress(done, total)` from the worker
into a stream for `bridge.stream`: `Progress` items while it runs, then one `Finished` with
its result. Cancelling the job cancels the core function (what it stored stays stored).
`ProgressRow` is the bar, its sentence and the Cancel button.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from aidesk.i18n import _
from aidesk.ui import icons

Report = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Finished:
    result: Any


async def relayed(start: Callable[[Callable[[Any], None]], Awaitable[Any]],
                  ) -> AsyncGenerator[Any, None]:
    """Run `start(tell)`; yield each item it tells (from the loop or from a thread of its
    own), then Finished(result). Closing the stream early cancels the work."""
    import asyncio

    queue: asyncio.Queue[Any] = asyncio.Queue()
    loop = asyncio.get_running_loop()

    def tell(item: Any) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    task = asyncio.ensure_future(start(tell))
    try:
        while not task.done():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                yield getter.result()
            else:
                getter.cancel()
        while not queue.empty():
            yield queue.get_nowait()
        yield Finished(task.result())
    finally:
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)


async def with_progress(start: Callable[[Report], Awaitable[Any]]) -> AsyncIterator[Any]:
    """Run `start(report)`; yield a Progress per report, then Finished(result)."""
    from contextlib import aclosing

    async with aclosing(relayed(
            lambda tell: start(lambda done, total: tell(Progress(done, total))))) as items:
        async for item in items:
            yield item


class ProgressRow(QWidget):
    """"Analysed 40 of 200 messages" ▮▮▮▯▯ [Cancel]; hidden when nothing runs."""

    cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(_("Progress"))
        self.bar.setTextVisible(True)
        self.bar.setMaximumWidth(260)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setToolTip(_("Stop; what is already done is kept"))
        icons.use(self.cancel_button, "x")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.cancel_button.clicked.connect(self._cancel)
        self.hide()

    def start(self, text: str) -> None:
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first report says how much there is
        self.cancel_button.setEnabled(True)
        self.show()

    def update_progress(self, done: int, total: int, text: str) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(done, max(total, 1)))
        self.label.setText(text)

    def stop(self) -> None:
        self.hide()

    def _cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.label.setText(_("Stopping…"))
        self.cancel.emit()
