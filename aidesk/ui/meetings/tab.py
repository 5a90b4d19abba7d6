"""The Meetings tab (Agenda → Resumo de reunião): open or drop a recording, pick the language
and the transcription model, Transcribe & summarise on the worker with progress per step
(reading and cutting, each part transcribed, the summary) and Cancel; the meeting's summary,
decisions, action items and transcript; Copy and Export as Markdown or text; the workspace's
past meetings on the left."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import N_, _
from aidesk.ui import icons
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.meetings import work
from aidesk.ui.meetings.models import ENTRY_ROLE, MeetingList
from aidesk.ui.meetings.view import MeetingView
from aidesk.ui.progress import Finished, ProgressRow

if TYPE_CHECKING:
    from aidesk.features.meetings import Meeting, Step
    from aidesk.ui.bridge import Job
    from aidesk.workspaces import Workspace

LANGUAGES = (("pt", N_("Portuguese")), ("en", N_("English")), ("es", N_("Spanish")),
             ("fr", N_("French")), ("it", N_("Italian")), ("auto", N_("Detect automatically")))
MODELS = (("gpt-transcribe", "OpenAI"), ("gpt-4o-transcribe", "OpenAI"),
          ("gpt-4o-mini-transcribe", "OpenAI"), ("whisper-1", "OpenAI"),
          ("whisper-large-v3-turbo", "Groq"), ("whisper-large-v3", "Groq"))
AUDIO_FILTER = "*.mp3 *.m4a *.wav *.ogg *.oga *.opus *.webm *.flac *.mp4 *.mpeg *.mpga *.aac"


def _minutes(seconds: float) -> str:
    from aidesk.features.meeting_text import duration_text

    return duration_text(seconds)


class MeetingsTab(WorkspaceTab):
    title = N_("Meetings")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.job: Job | None = None
        self.path: Path | None = None
        self._generation = 0
        self.setAcceptDrops(True)
        self.open_button = QPushButton(_("&Open recording…"))
        self.open_button.setToolTip(_("Pick a recorded meeting (mp3, m4a, wav, ogg, webm, "
                                      "flac, opus…); you can also drop it on this tab"))
        icons.use(self.open_button, "folder-open")
        self.file_label = QLabel(_("No recording chosen"))
        self.file_label.setWordWrap(True)
        self.language = QComboBox()
        self.language.setAccessibleName(_("Language spoken"))
        for code, name in LANGUAGES:
            self.language.addItem(_(name), code)
        self.model = QComboBox()
        self.model.setAccessibleName(_("Transcription model"))
        self.model.addItem(_("Default model"), "")
        self.model.setItemData(0, _("Each provider's transcription model from Settings"),
                               Qt.ItemDataRole.ToolTipRole)
        for name, provider in MODELS:
            self.model.addItem(f"{name} ({provider})", name)
        self.run_button = QPushButton(_("T&ranscribe && summarise"))
        self.run_button.setToolTip(_("Transcribe the recording, then write its summary, "
                                     "decisions and action items"))
        icons.use(self.run_button, "sparkles")
        self.meetings = MeetingList(self)
        self.list = QListView()
        self.list.setAccessibleName(_("Past meetings"))
        self.list.setModel(self.meetings)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.delete_button = QPushButton(_("Delete"))
        self.delete_button.setToolTip(_("Delete the selected meeting (its summary and "
                                        "transcript)"))
        self.view = MeetingView()
        self.copy_button = QPushButton(_("Cop&y"))
        self.copy_button.setToolTip(_("Copy the summary, decisions, action items and "
                                      "transcript as Markdown"))
        icons.use(self.copy_button, "copy")
        self.export_button = QPushButton(_("E&xport…"))
        self.export_button.setToolTip(_("Save the meeting as Markdown (.md) or text (.txt)"))
        icons.use(self.export_button, "save")
        self.progress = ProgressRow()
        self._build_layout()
        self.open_button.clicked.connect(self.choose_file)
        self.run_button.clicked.connect(self.summarise)
        self.delete_button.clicked.connect(self.delete_selected)
        self.copy_button.clicked.connect(self.copy)
        self.export_button.clicked.connect(self.export)
        self.progress.cancel.connect(self.cancel)
        self.list.selectionModel().currentRowChanged.connect(lambda _c, _p: self._selected())
        self.update_buttons()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        for label, box in ((_("Lan&guage:"), self.language), (_("Mod&el:"), self.model)):
            caption = QLabel(label)
            caption.setBuddy(box)
            top.addWidget(caption)
            top.addWidget(box)
        top.addWidget(self.run_button)
        left = QWidget()
        side = QVBoxLayout(left)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(QLabel(_("Past meetings")))
        side.addWidget(self.list, 1)
        side.addWidget(self.delete_button)
        right = QWidget()
        main = QVBoxLayout(right)
        main.setContentsMargins(0, 0, 0, 0)
        main.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.export_button)
        main.addLayout(buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        left.setMinimumWidth(220)
        right.setMinimumWidth(360)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.progress)

    # -- workspace, list, selection ----------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        previous = self.workspace
        super().set_workspace(workspace)
        if previous is not None and previous.id != workspace.id:
            self.cancel()
            self.meetings.set_rows([])
            self.view.show_meeting(None)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        ws = self.workspace
        if ws is None:
            return
        self._generation += 1
        generation = self._generation
        job = self.ctx.bridge.call(lambda core: work.entries(core, ws))
        job.done.connect(lambda rows: self._fill(rows, select)
                         if generation == self._generation else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _fill(self, rows: list[Any], select: str | None) -> None:
        keep = select or self.current_id()
        self.meetings.set_rows(rows)
        row = self.meetings.row_of(keep)
        if row < 0 and rows and self.view.meeting is None:
            row = 0
        if row >= 0:
            self.list.selectionModel().setCurrentIndex(
                self.meetings.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.update_buttons()

    def current_id(self) -> str | None:
        index = self.list.currentIndex()
        entry = index.data(ENTRY_ROLE) if index.isValid() else None
        return entry.id if entry is not None else None

    def _selected(self) -> None:
        meeting_id = self.current_id()
        self.update_buttons()
        if meeting_id is None or (self.view.meeting is not None
                                  and self.view.meeting.id == meeting_id):
            return
        job = self.ctx.bridge.call(lambda core: work.meeting(core, meeting_id))
        job.done.connect(lambda m: self._show(m) if self.current_id() == meeting_id else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _show(self, meeting: Meeting | None) -> None:
        self.view.show_meeting(meeting)
        self.update_buttons()

    def update_buttons(self) -> None:
        idle = self.job is None
        self.open_button.setEnabled(idle)
        self.run_button.setEnabled(idle and self.path is not None)
        self.language.setEnabled(idle)
        self.model.setEnabled(idle)
        self.delete_button.setEnabled(self.current_id() is not None)
        shown = self.view.meeting is not None
        self.copy_button.setEnabled(shown)
        self.export_button.setEnabled(shown)

    # -- the recording -----------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _kind = QFileDialog.getOpenFileName(
            self, _("Open a recorded meeting"), "",
            _("Audio ({patterns});;All files (*)").format(patterns=AUDIO_FILTER))
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path) -> None:
        self.path = path
        self.file_label.setText(path.name)
        self.file_label.setToolTip(str(path))
        self.update_buttons()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if self.job is None and len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if self.job is None and urls and urls[0].isLocalFile():
            self.set_path(Path(urls[0].toLocalFile()))
            event.acceptProposedAction()

    # -- summarising ---------------------------------------------------------------------------
    def summarise(self) -> None:
        ws, path = self.workspace, self.path
        if ws is None or path is None or self.job is not None:
            return
        language = self.language.currentData()
        model = self.model.currentData() or None
        self.progress.start(_("Reading {file}…").format(file=path.name))
        job = self.ctx.bridge.stream(lambda core: work.summarise(core, ws, path, language,
                                                                 model))
        self.job = job
        job.item.connect(lambda item: self._item(job, item))
        job.failed.connect(lambda exc: self._over(job, exc))
        job.cancelled.connect(lambda: self._cancelled(job))
        self.update_buttons()

    def _item(self, job: Job, item: Any) -> None:
        if job is not self.job:
            return
        if isinstance(item, Finished):
            meeting: Meeting = item.result
            self.view.show_meeting(meeting)
            self._over(job)  # the buttons follow the meeting now shown
            self.reload(select=meeting.id)
            self.ctx.messenger.info(_("Summarised {file}.").format(file=meeting.title))
            return
        step: Step = item
        done, total = step.done, step.total
        if step.stage == "split":
            text = (_("Reading and cutting the recording: {done} of {total}…").format(
                done=_minutes(done), total=_minutes(total)) if total else
                _("Reading the recording…"))
            self.progress.update_progress(int(done), int(total or 0), text)
            if not total:
                self.progress.bar.setRange(0, 0)
        elif step.stage == "transcribe":
            self.progress.update_progress(int(done), int(total or 1), _(
                "Transcribing: {done} of {total} parts done…").format(
                    done=int(done), total=int(total or 1)))
        else:
            self.progress.update_progress(int(done), int(total or 1), _("Summarising…"))

    def _over(self, job: Job, exc: BaseException | None = None) -> None:
        if job is not self.job:
            return
        self.job = None
        self.progress.stop()
        if exc is not None:
            self.ctx.messenger.failure(exc, self)
        self.update_buttons()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _cancelled(self, job: Job) -> None:
        if job is self.job:
            self._over(job)
            self.ctx.messenger.info(_("Stopped: the meeting was not summarised and nothing "
                                      "was kept."))

    # -- the meeting shown ---------------------------------------------------------------------
    def delete_selected(self) -> None:
        meeting_id = self.current_id()
        if meeting_id is None:
            return
        if not self.ctx.messenger.ask(
                self, _("Delete meeting"),
                _("Delete this meeting's summary and transcript? This cannot be undone (the "
                  "recording itself is not touched)."), _("Delete")):
            return
        job = self.ctx.bridge.call(lambda core: work.delete(core, meeting_id))

        def gone(_result: Any) -> None:
            if self.view.meeting is not None and self.view.meeting.id == meeting_id:
                self.view.show_meeting(None)
            self.reload()

        job.done.connect(gone)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def copy(self) -> None:
        from aidesk.features.meeting_text import to_markdown

        if self.view.meeting is not None:
            QApplication.clipboard().setText(to_markdown(self.view.meeting))
            self.ctx.messenger.info(_("Copied the meeting as Markdown."))

    def export(self) -> None:
        from aidesk.features.meeting_text import to_markdown, to_text

        meeting = self.view.meeting
        if meeting is None:
            return
        markdown, text = _("Markdown (*.md)"), _("Text (*.txt)")
        name, kind = QFileDialog.getSaveFileName(
            self, _("Export the meeting"), str(Path(meeting.title).with_suffix(".md")),
            f"{markdown};;{text}")
        if not name:
            return
        path = Path(name)
        plain = kind == text or path.suffix.lower() == ".txt"
        if not path.suffix:
            path = path.with_suffix(".txt" if plain else ".md")
        content = to_text(meeting) if plain else to_markdown(meeting)
        job = self.ctx.bridge.run(lambda _core: work.export(content, path))
        job.done.connect(lambda p: self.ctx.messenger.info(
            _("Saved {file}.").format(file=p.name)))
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))
