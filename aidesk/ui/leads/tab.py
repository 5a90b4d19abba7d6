"""The Leads tab: import leads from a CSV (columns mapped in a dialog), the list with each
lead's temperature, a card per lead, analysis of one or all, export of the analysed ones."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

from aidesk.i18n import N_, _, ngettext
from aidesk.ui import icons
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.leads import work
from aidesk.ui.leads.card import LeadCard
from aidesk.ui.leads.models import (
    COMPANY,
    EVENTS,
    NAME,
    ROW_ROLE,
    SORT_ROLE,
    TEMPERATURE,
    LeadModel,
    TemperatureDelegate,
)
from aidesk.ui.progress import Finished, Progress, ProgressRow

if TYPE_CHECKING:
    from aidesk.features.lead_store import LeadRow
    from aidesk.ui.bridge import Job
    from aidesk.workspaces import Workspace

TABLE_STYLE = "QTableView { border: 1px solid palette(mid); border-radius: 6px; }"


class LeadsTab(WorkspaceTab):
    title = N_("Leads")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.job: Job | None = None  # import or analysis of all
        self.analysing: set[str] = set()
        self._generation = 0
        self.import_button = QPushButton(_("Import l&eads…"))
        self.import_button.setToolTip(_("Open a CSV or JSON file of leads with their notes, "
                                        "messages and campaign interactions"))
        icons.use(self.import_button, "file")
        self.analyse_button = QPushButton(_("Anal&yse"))
        self.analyse_button.setToolTip(_("Summary, interests, score and next actions for the "
                                         "selected lead"))
        icons.use(self.analyse_button, "sparkles")
        self.analyse_all_button = QPushButton(_("Analy&se all"))
        self.analyse_all_button.setToolTip(_("Analyse every lead not analysed yet"))
        self.export_csv_button = QPushButton(_("E&xport CSV…"))
        self.export_json_button = QPushButton(_("Export &JSON…"))
        for button in (self.export_csv_button, self.export_json_button):
            button.setToolTip(_("Save the analysed leads to a file"))
            icons.use(button, "save")
        self.model = LeadModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView()
        self.table.setAccessibleName(_("Leads"))
        self.table.setModel(self.proxy)
        self.table.setItemDelegateForColumn(TEMPERATURE, TemperatureDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(TEMPERATURE, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.setStyleSheet(TABLE_STYLE)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COMPANY, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(EVENTS, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEMPERATURE, QHeaderView.ResizeMode.ResizeToContents)
        self.card = LeadCard()
        self.progress = ProgressRow()
        self._build_layout()
        self.analyse_button.clicked.connect(self.analyse_selected)
        self.analyse_all_button.clicked.connect(self.analyse_all)
        self.progress.cancel.connect(self.cancel)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._selected())
        from aidesk.ui.leads.files import LeadFiles

        self.files = LeadFiles(self)
        self.update_buttons()

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        for button in (self.import_button, self.analyse_button, self.analyse_all_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.export_csv_button)
        row.addWidget(self.export_json_button)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.table)
        splitter.addWidget(self.card)
        self.table.setMinimumWidth(300)
        self.card.setMinimumWidth(300)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.progress)

    # -- workspace and list -------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        previous = self.workspace
        super().set_workspace(workspace)
        if previous is not None and previous.id != workspace.id:
            if self.job is not None:
                job, self.job = self.job, None
                job.cancel()
                self.progress.stop()
            self.analysing.clear()
            self.model.set_rows([])
        self.reload()

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        self._generation += 1
        generation = self._generation
        job = self.ctx.bridge.call(lambda core: work.leads(core, ws))
        job.done.connect(lambda rows: self._fill(rows) if generation == self._generation
                         else None)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _fill(self, rows: list[LeadRow]) -> None:
        keep = self.current_id()  # as selected now, not when the list was asked for
        self.model.set_rows(rows)
        row = self.model.row_of(keep) if keep else (0 if rows else -1)
        if row >= 0:
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if keep is None:
                index = self.proxy.index(0, 0)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self._selected()

    def current(self) -> LeadRow | None:
        index = self.table.currentIndex()
        lead = index.data(ROW_ROLE) if index.isValid() else None
        return lead

    def current_id(self) -> str | None:
        lead = self.current()
        return lead.id if lead is not None else None

    def _selected(self) -> None:
        lead = self.current()
        busy = lead is not None and lead.id in self.analysing
        self.card.show_lead(lead, _("Analysing…") if busy else "")
        self.update_buttons()

    def update_buttons(self) -> None:
        lead = self.current()
        analysed = any(r.analysis is not None for r in self.model.rows)
        self.import_button.setEnabled(self.job is None)
        self.analyse_button.setEnabled(lead is not None and lead.id not in self.analysing
                                       and self.job is None)
        self.analyse_all_button.setEnabled(self.job is None and any(
            r.analysis is None for r in self.model.rows))
        self.export_csv_button.setEnabled(analysed)
        self.export_json_button.setEnabled(analysed)

    def finish_job(self, job: Job, exc: BaseException | None = None) -> None:
        if job is not self.job:
            return
        self.job = None
        self.progress.stop()
        if exc is not None:
            self.ctx.messenger.failure(exc, self)
        self.reload()
        self.update_buttons()

    # -- analysis -----------------------------------------------------------------------------
    def analyse_selected(self) -> None:
        lead, ws = self.current(), self.workspace
        if lead is None or ws is None or lead.id in self.analysing:
            return
        self.analysing.add(lead.id)
        self.card.busy(_("Analysing…"))
        job = self.ctx.bridge.run(lambda core: work.analyse(core, ws, lead))

        def over(exc: BaseException | None) -> None:
            if lead.id not in self.analysing:
                return  # another workspace since
            self.analysing.discard(lead.id)
            if exc is not None:
                self.ctx.messenger.failure(exc, self)
                if self.current_id() == lead.id:
                    self.card.show_lead(lead)
            else:
                self.ctx.messenger.resolved()
            self.reload()

        job.done.connect(lambda _a: over(None))
        job.failed.connect(over)
        self.update_buttons()

    def analyse_all(self) -> None:
        ws = self.workspace
        todo = [r for r in self.model.rows if r.analysis is None]
        if ws is None or self.job is not None or not todo:
            return
        self.progress.start(ngettext("Analysing {n} lead…", "Analysing {n} leads…",
                                     len(todo)).format(n=len(todo)))
        job = self.ctx.bridge.stream(lambda core: work.analyse_stream(core, ws, todo))
        self.job = job
        job.item.connect(lambda item: self._item(job, item))
        job.failed.connect(lambda exc: self.finish_job(job, exc))
        job.cancelled.connect(lambda: self._cancelled(job))
        self.update_buttons()

    def _item(self, job: Job, item: Any) -> None:
        if job is not self.job:
            return
        if isinstance(item, Progress):
            self.progress.update_progress(item.done, item.total, _(
                "Analysed {done} of {total} leads…").format(done=item.done, total=item.total))
            if item.done:
                self.reload()
        elif isinstance(item, Finished):
            self.finish_job(job)
            self.ctx.messenger.info(ngettext("Analysed {n} lead.", "Analysed {n} leads.",
                                             item.result).format(n=item.result))

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _cancelled(self, job: Job) -> None:
        if job is self.job:
            self.finish_job(job)
            self.ctx.messenger.info(_("Analysis stopped. The leads analysed so far are kept: "
                                      "Analyse all goes on with the rest."))
