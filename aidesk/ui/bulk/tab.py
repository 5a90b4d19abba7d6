"""The Bulk messages tab (Marketing → Mensagens em massa): a leads CSV (columns mapped in the
dialog) and a brief with the file's placeholders give one message per lead, in its
language. Preview writes the first three for real and estimates the rest; Write runs the
job with progress, ETA, Pause, Resume and Cancel; the table shows every lead's state; the
job's CSV is exported. Every call runs on the bridge (aidesk.ui.bulk.run)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import N_, _
from aidesk.ui import icons
from aidesk.ui.bulk.brief import BriefEditor
from aidesk.ui.bulk.models import ITEM_ROLE, LANGUAGE, LEAD, NUMBER, STATE, ItemModel
from aidesk.ui.bulk.texts import describe_file, describe_leads, job_title, summary_html
from aidesk.ui.context import UiContext, WorkspaceTab

if TYPE_CHECKING:
    from aidesk.features.bulk import LeadsFile
    from aidesk.features.bulk_jobs import Counts, Item, Job
    from aidesk.workspaces import Workspace

TABLE_STYLE = "QTableView { border: 1px solid palette(mid); border-radius: 6px; }"


class BulkTab(WorkspaceTab):
    title = N_("Bul&k messages")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.leads: LeadsFile | None = None  # a file opened, not made into a job yet
        self.job: Job | None = None  # the job shown
        self.jobs: list[Job] = []
        self.busy = False  # reading a file or making the preview
        self._generation = 0
        self.open_button = QPushButton(_("&Open leads CSV…"))
        self.open_button.setToolTip(_("A CSV with one lead per row; every column becomes a "
                                      "placeholder"))
        icons.use(self.open_button, "file")
        self.file_label = QLabel(_("No file yet."))
        self.file_label.setProperty("role", "hint")
        self.file_label.setWordWrap(True)
        self.job_label = QLabel(_("&Job:"))
        self.job_combo = QComboBox()
        self.job_combo.setAccessibleName(_("Job"))
        self.job_combo.setMinimumContentsLength(40)
        self.job_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.job_label.setBuddy(self.job_combo)
        self.brief = BriefEditor()
        self.preview_button = QPushButton(_("&Preview"))
        self.preview_button.setToolTip(_("Write the first three messages for real and estimate "
                                         "the cost of the rest"))
        icons.use(self.preview_button, "eye")
        self.run_button = QPushButton(_("&Write all messages"))
        icons.use(self.run_button, "send")
        self.preview_view = QTextBrowser()
        self.preview_view.setAccessibleName(_("Preview and estimate"))
        self.preview_view.setOpenLinks(False)
        self.model = ItemModel(ctx.bridge, self)
        self.table = QTableView()
        self.table.setAccessibleName(_("Leads and their messages"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setStyleSheet(TABLE_STYLE)
        self._size_columns()
        self.message_view = QPlainTextEdit()
        self.message_view.setReadOnly(True)
        self.message_view.setAccessibleName(_("Selected message"))
        self.message_view.setPlaceholderText(_("Pick a lead to read its message here."))
        self.message_view.setMaximumHeight(120)
        self.bar = QProgressBar()
        self.bar.setAccessibleName(_("Progress"))
        self.bar.setMaximumWidth(220)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.pause_button = QPushButton(_("Pa&use"))
        self.pause_button.setToolTip(_("Finish the messages being written, then wait"))
        self.resume_button = QPushButton(_("&Resume"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setToolTip(_("Stop after the messages being written; the rest stay "
                                        "to write later"))
        icons.use(self.cancel_button, "x")
        icons.use(self.pause_button, "pause")
        icons.use(self.resume_button, "play")
        self.export_button = QPushButton(_("E&xport CSV…"))
        self.export_button.setToolTip(_("Every lead of the job with its message, status and "
                                        "error, for Excel"))
        icons.use(self.export_button, "save")
        self._build_layout()

        from aidesk.ui.bulk.files import BulkFiles
        from aidesk.ui.bulk.run import Runner

        self.runner = Runner(self)
        self.files = BulkFiles(self)
        self.brief.changed.connect(self._brief_changed)
        self.job_combo.activated.connect(self._job_picked)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._selected())
        self.model.dataChanged.connect(lambda _a, _b: self._selected())
        self.model.rowsInserted.connect(lambda _p, _a, _b: self._first_rows())
        self.update_state()

    def _size_columns(self) -> None:
        """Widths from the longest label each column can show (measuring the rows as they
        arrive would cost a pass over a big job on every refresh)."""
        from aidesk.features.bulk_jobs import STATE_LABELS
        from aidesk.features.structured import LANGUAGE_LABELS
        from aidesk.ui.bulk.models import STATE_MARKS

        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        pad = 24

        def widest(texts: list[str]) -> int:
            return max(metrics.horizontalAdvance(t) for t in texts) + pad

        header.resizeSection(NUMBER, widest(["0000", _("#")]))
        header.resizeSection(LEAD, 160)
        header.resizeSection(LANGUAGE, widest([_(t) for t in LANGUAGE_LABELS.values()]
                                              + [self.model.headerData(
                                                  LANGUAGE, Qt.Orientation.Horizontal)]))
        header.resizeSection(STATE, widest([f"{STATE_MARKS[k]} {_(t)}"
                                            for k, t in STATE_LABELS.items()]
                                           + [self.model.headerData(
                                               STATE, Qt.Orientation.Horizontal)]))

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.job_label)
        top.addWidget(self.job_combo)
        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(0, 0, 6, 0)
        box.addWidget(self.brief, 2)
        row = QHBoxLayout()
        row.addWidget(self.preview_button)
        row.addWidget(self.run_button)
        row.addStretch(1)
        box.addLayout(row)
        box.addWidget(self.preview_view, 3)
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        right.addWidget(self.table)
        right.addWidget(self.message_view)
        right.setStretchFactor(0, 4)
        right.setStretchFactor(1, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(right)
        left.setMinimumWidth(320)
        right.setMinimumWidth(340)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self.bar)
        bottom.addWidget(self.status, 1)
        for button in (self.pause_button, self.resume_button, self.cancel_button,
                       self.export_button):
            bottom.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    # -- workspace and jobs -------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        previous = self.workspace
        super().set_workspace(workspace)
        if previous is not None and previous.id != workspace.id:
            self.leads = None
            self.brief.set_placeholders(None)
            self.brief.set_text("")
            self.show_job(None)
        self.reload()

    def reload(self, select: str | None = None) -> None:
        """Read the workspace's jobs again; select `select` (else keep the one shown)."""
        ws = self.workspace
        if ws is None:
            return
        from aidesk.ui.bulk import work

        self._generation += 1
        generation = self._generation
        job = self.ctx.bridge.call(lambda core: work.jobs_of(core, ws))
        job.done.connect(lambda found: self._fill_jobs(found, select)
                         if generation == self._generation else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _fill_jobs(self, found: list[Job], select: str | None) -> None:
        self.jobs = found
        wanted = select or (self.job.id if self.job is not None else None)
        self.job_combo.blockSignals(True)
        self.job_combo.clear()
        if self.leads is not None and self.job is None:
            self.job_combo.addItem(_("New: {file}").format(file=self.leads.name), "")
        for job in found:
            self.job_combo.addItem(job_title(job), job.id)
        index = self.job_combo.findData(wanted) if wanted else 0
        self.job_combo.setCurrentIndex(max(0, index))
        self.job_combo.blockSignals(False)
        shown = next((j for j in found if j.id == wanted), None)
        if shown is not None:
            self.show_job(shown, keep_brief=self.leads is not None)
        elif self.job is None and self.leads is None and found:
            self.show_job(found[0])
        self.update_state()

    def job_moved(self, counts: Counts, status: str) -> None:
        """A run's progress: the job's counts and status, in the job list too."""
        if self.job is None:
            return
        self.job = replace(self.job, counts=counts, status=status)
        index = self.job_combo.findData(self.job.id)
        if index >= 0:
            self.job_combo.setItemText(index, job_title(self.job))

    def _job_picked(self, index: int) -> None:
        job_id = str(self.job_combo.itemData(index) or "")
        if not job_id:
            self.show_job(None, keep_brief=True)
            return
        picked = next((j for j in self.jobs if j.id == job_id), None)
        if picked is not None and (self.job is None or picked.id != self.job.id):
            self.leads = None
            self.show_job(picked)
            self.reload(picked.id)

    def open_job(self, job_id: str, *, run: bool = False) -> None:
        """Show the job `job_id` (reading it first), and write what it has left if `run`."""
        from aidesk.ui.bulk import work

        job = self.ctx.bridge.call(lambda core: work.job(core, job_id))

        def shown(found: Job) -> None:
            self.leads = None
            self.show_job(found)
            self.reload(found.id)
            if run:
                self.runner.start()

        job.done.connect(shown)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def show_job(self, job: Job | None, *, keep_brief: bool = False) -> None:
        """The job in the table, the brief and the progress row (None: the file opened)."""
        same = job is not None and self.job is not None and job.id == self.job.id
        self.job = job
        if job is None:
            self.model.show_job(None, 0)
            self.preview_view.clear()
        else:
            if not same:
                self.model.show_job(job.id, job.counts.total)
                self.preview_view.setHtml(summary_html(job))
            else:
                self.model.refresh()
            if not keep_brief:
                leads = job.leads_file()
                self.brief.set_placeholders(list(leads.placeholders), leads.name)
                self.brief.blockSignals(True)
                self.brief.set_text(job.brief)
                self.brief.blockSignals(False)
                self.brief._changed()
            self.file_label.setText(describe_leads(self.leads) if self.leads is not None
                                    else describe_file(job))
        self.runner.show_counts()
        self.update_state()

    # -- the brief ------------------------------------------------------------------------------
    def _brief_changed(self) -> None:
        self.update_state()

    @property
    def stale(self) -> bool:
        """The brief changed after the preview: preview again before writing the rest."""
        return (self.leads is not None and self.job is not None and self.job.status == "ready"
                and self.job.brief != self.brief.text())

    def set_leads(self, leads: LeadsFile) -> None:
        """A file was opened: a new batch, its placeholders ready to insert."""
        self.leads = leads
        self.job = None
        self.model.show_job(None, 0)
        self.preview_view.clear()
        self.brief.set_read_only(False)
        self.brief.set_placeholders(list(leads.placeholders), leads.name)
        self.file_label.setText(describe_leads(leads))
        self.reload()
        self.runner.show_counts()
        self.update_state()

    # -- selection and buttons ----------------------------------------------------------------
    def current_item(self) -> Item | None:
        index = self.table.currentIndex()
        item = index.data(ITEM_ROLE) if index.isValid() else None
        return item

    def _first_rows(self) -> None:
        if not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _selected(self) -> None:
        item = self.current_item()
        if item is None:
            self.message_view.clear()
        elif item.message:
            self.message_view.setPlainText(item.message)
        else:
            self.message_view.setPlainText(item.error or "")

    def editable(self) -> bool:
        """The brief may change: a file opened here whose job has not run yet."""
        return (not self.runner.running and self.leads is not None
                and (self.job is None or self.job.status == "ready"))

    def update_state(self) -> None:
        running = self.runner.running
        editable = self.editable()
        self.brief.set_read_only(not editable)
        problem = self.brief.problem_text() if self.brief.text().strip() else "-"
        self.open_button.setEnabled(not running and not self.busy)
        self.job_combo.setEnabled(not running and not self.busy)
        self.preview_button.setEnabled(editable and not problem and not self.busy and (
            self.job is None or self.stale))
        self.run_button.setText(self.runner.run_text())
        self.run_button.setEnabled(self.runner.can_run() and not self.busy)
        self.run_button.setToolTip(_("The brief changed: press Preview again first.")
                                   if self.stale else _("Write the messages still to write, "
                                                        "a few at a time"))
        self.export_button.setEnabled(self.job is not None and not self.busy)
        self.runner.update_buttons()
