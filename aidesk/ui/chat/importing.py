"""Importing conversations into the Chat tab: file and folder pickers, drag and drop, the
column mapping of each CSV, then the import itself on the worker with a progress bar.

A bad file never stops the others: the good ones are saved and the bad ones are listed in one
message (file and line), with the encoding repairs noted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData, QObject, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog

from aidesk import formats
from aidesk.i18n import N_, _, ngettext
from aidesk.imports.model import ImportFailed
from aidesk.ui.chat import work
from aidesk.ui.column_map import ColumnMapDialog, Field
from aidesk.ui.progress import Finished, Progress

if TYPE_CHECKING:
    from aidesk.ui.bridge import Job
    from aidesk.ui.chat.tab import ChatTab

CHAT_FIELDS = (
    (("sender", N_("&Sender:"), True, N_("Who wrote the message"))),
    (("time", N_("&Time:"), False, N_("Date and time of the message"))),
    (("text", N_("Te&xt:"), True, N_("The message itself"))),
    (("conversation", N_("&Conversation:"), False,
      N_("Contact or chat id: rows are grouped into one conversation per value"))),
)


def chat_fields() -> list[Field]:
    return [Field(key, _(label), required, _(hint))
            for key, label, required, hint in CHAT_FIELDS]


def failure_text(failures: list[work.Failure]) -> str:
    return " ".join(f.message for f in failures)


class Importer(QObject):
    def __init__(self, tab: ChatTab) -> None:
        super().__init__(tab)
        self.tab = tab
        self.job: Job | None = None
        self._early: list[work.Failure] = []  # CSVs that failed before the import ran
        self._warmed = False
        tab.import_button.clicked.connect(self.pick_files)
        tab.folder_button.clicked.connect(self.pick_folder)
        tab.progress.cancel.connect(self.cancel)

    @property
    def running(self) -> bool:
        return self.job is not None

    def leave(self) -> None:
        self._early = []
        if self.job is not None:
            job, self.job = self.job, None
            job.cancel()
            self.tab.progress.stop()

    # -- choosing files -----------------------------------------------------------------------
    def _folder(self) -> str:
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)

    def warm_up(self) -> None:
        """Build the language detector in the background while the user picks files."""
        if not self._warmed:
            self._warmed = True
            self.tab.ctx.bridge.run(lambda _core: work.warm_up_languages())

    def pick_files(self) -> None:
        self.warm_up()
        names, _filter = QFileDialog.getOpenFileNames(
            self.tab, _("Import conversations"), self._folder(), ";;".join((
                _("Conversations (*.txt *.zip *.csv *.json)"),
                _("WhatsApp exports (*.txt *.zip)"), _("CSV files (*.csv)"),
                _("JSON files (*.json)"), _("All files (*)"))))
        if names:
            self.start([Path(n) for n in names])

    def pick_folder(self) -> None:
        self.warm_up()
        folder = QFileDialog.getExistingDirectory(self.tab, _("Import a folder of "
                                                              "conversations"), self._folder())
        if folder:
            self.start([Path(folder)])

    def accepts(self, data: QMimeData) -> bool:
        return bool(self.paths_of(data)) and not self.running

    def paths_of(self, data: QMimeData) -> list[Path]:
        if not data.hasUrls():
            return []
        paths = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
        return [p for p in paths if p.is_dir() or p.suffix.lower() in work.SUFFIXES]

    # -- importing ----------------------------------------------------------------------------
    def start(self, paths: list[Path]) -> None:
        """Map the columns of each CSV (a dialog each), then import everything."""
        tab, ws = self.tab, self.tab.workspace
        if ws is None or self.running or not paths:
            return
        self.warm_up()
        csvs = [p for p in paths if p.is_file() and p.suffix.lower() == ".csv"]
        if not csvs:
            self._run(paths, {})
            return
        tab.progress.start(_("Reading the columns of {file}…").format(file=csvs[0].name))
        job = tab.ctx.bridge.run(lambda _core: work.csv_layouts(csvs))
        self.job = job
        tab.update_buttons()
        job.done.connect(lambda layouts: self._mapped(job, paths, layouts))
        job.failed.connect(lambda exc: self._layout_failed(job, paths, csvs, exc))

    def _layout_failed(self, job: Job, paths: list[Path], csvs: list[Path],
                       exc: BaseException) -> None:
        """A CSV that cannot be read: listed with the import's other failures, and the other
        files imported."""
        if job is not self.job:
            return
        self.job = None
        self.tab.progress.stop()
        bad = [p for p in csvs if isinstance(exc, ImportFailed) and p.name == exc.file]
        rest = [p for p in paths if p not in bad]
        if isinstance(exc, ImportFailed) and bad and rest:
            self._early.append(work.Failure(exc.file, exc.line, exc.user_message))
            self.start(rest)
        else:
            self._early.clear()
            self.tab.ctx.messenger.failure(exc, self.tab)
        self.tab.update_buttons()

    def _mapped(self, job: Job, paths: list[Path], layouts: list[work.CsvLayout]) -> None:
        if job is not self.job:
            return
        self.job = None
        self.tab.progress.stop()
        mappings: dict[Path, dict[str, str]] = {}
        for layout in layouts:
            dialog = ColumnMapDialog(_("Columns of {file}").format(file=layout.path.name),
                                     layout.path.name, chat_fields(), layout.header,
                                     layout.guessed, layout.rows, self.tab)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                paths = [p for p in paths if p != layout.path]
                continue
            mappings[layout.path] = dialog.mapping()
        if paths:
            self._run(paths, mappings)
            return
        if self._early:
            self.tab.ctx.messenger.warning(ngettext(
                "Not imported: {reasons}", "Not imported ({n} files): {reasons}",
                len(self._early)).format(n=len(self._early), reasons=failure_text(self._early)))
            self._early = []
        self.tab.update_buttons()

    def _run(self, paths: list[Path], mappings: dict[Path, dict[str, str]]) -> None:
        tab, ws = self.tab, self.tab.workspace
        assert ws is not None
        tab.progress.start(ngettext("Importing {n} file…", "Importing {n} files…",
                                    len(paths)).format(n=len(paths)))
        job = tab.ctx.bridge.stream(lambda core: work.import_stream(core, ws, paths, mappings))
        self.job = job
        job.item.connect(lambda item: self._item(job, item))
        job.failed.connect(lambda exc: self._failed(job, exc))
        job.cancelled.connect(lambda: self._cancelled(job))
        tab.update_buttons()

    def _item(self, job: Job, item: Any) -> None:
        if job is not self.job:
            return
        if isinstance(item, Progress):
            text = (_("Importing {file} ({done} of {total})…").format(
                file=item.note, done=item.done + 1, total=item.total) if item.note
                else _("Saving…"))
            self.tab.progress.update_progress(item.done, item.total, text)
        elif isinstance(item, Finished):
            self.job = None
            self.tab.progress.stop()
            self._report(item.result)

    def _report(self, outcome: work.ImportOutcome) -> None:
        tab = self.tab
        outcome.failures[:0] = self._early
        self._early = []
        parts = []
        if outcome.conversations:
            parts.append(_("Imported {conversations} ({messages}).").format(
                conversations=ngettext("{n} conversation", "{n} conversations",
                                       outcome.conversations).format(
                    n=formats.number(outcome.conversations)),
                messages=ngettext("{n} message", "{n} messages", outcome.messages).format(
                    n=formats.number(outcome.messages))))
        elif not outcome.failures:
            parts.append(_("No conversations were found in what you picked."))
        if outcome.notes:
            parts.append(" ".join(outcome.notes))
        if outcome.failures:
            parts.append(ngettext("Not imported: {reasons}", "Not imported ({n} files): "
                                  "{reasons}", len(outcome.failures)).format(
                n=len(outcome.failures), reasons=failure_text(outcome.failures)))
            tab.ctx.messenger.warning(" ".join(parts))
        else:
            tab.ctx.messenger.info(" ".join(parts))
        tab.reload(select=outcome.ids[0] if outcome.ids else None)

    def _failed(self, job: Job, exc: BaseException) -> None:
        if job is not self.job:
            return
        self.job = None
        self._early = []
        self.tab.progress.stop()
        self.tab.ctx.messenger.failure(exc, self.tab)
        self.tab.reload()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _cancelled(self, job: Job) -> None:
        if job is not self.job:
            return
        self.job = None
        self._early = []
        self.tab.progress.stop()
        self.tab.ctx.messenger.info(_("Import stopped; the files read so far are kept."))
        self.tab.reload()
