"""The Audit tab: every AI call of the workspace, newest first, read a page at a time as the
table scrolls; filters and full-text search; the picked call in full beside the table;
export of the filtered calls as CSV with progress and Cancel; how long the log is kept and
whether it keeps prompts and answers at all."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

from aidesk.features.audit_log import AuditFilter
from aidesk.i18n import N_, _, ngettext
from aidesk.ui import icons
from aidesk.ui.audit import work
from aidesk.ui.audit.detail import DetailPane
from aidesk.ui.audit.filters import FilterBar
from aidesk.ui.audit.model import AuditModel
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.progress import Finished, Progress, ProgressRow

if TYPE_CHECKING:
    from aidesk.features.audit_log import AuditDetail
    from aidesk.ui.bridge import Job
    from aidesk.workspaces import Workspace


class AuditTab(WorkspaceTab):
    title = N_("Audit")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.export_job: Job | None = None
        self.brl_per_usd: float | None = None
        self._detail_id: str | None = None
        self.filters = FilterBar()
        self.model = AuditModel(ctx.bridge, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("AI calls"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((130, 90, 150, 90, 80, 90, 70)):
            self.table.setColumnWidth(column, width)
        self.detail = DetailPane()
        self.status = QLabel()
        self.clear_button = QPushButton(_("Clear filters"))
        icons.use(self.clear_button, "x")
        self.export_button = QPushButton(_("&Export CSV…"))
        self.export_button.setToolTip(_("Save the calls these filters show as a CSV file"))
        icons.use(self.export_button, "save")
        self.progress = ProgressRow()
        self.retention = QSpinBox()
        self.retention.setRange(0, 3650)
        self.retention.setSpecialValueText(_("for ever"))
        self.retention.setSuffix(_(" days"))
        self.retention.setAccessibleName(_("Keep the audit log for"))
        self.keep_text = QCheckBox(_("Keep prompts and answers"))
        self.keep_text.setToolTip(_("Off: new calls are logged without their prompt and "
                                    "answer (time, provider, tokens and outcome only)"))
        self.apply_button = QPushButton(_("Apply"))
        self.apply_button.setToolTip(_("Save these and delete the calls older than that now"))

        bar = QHBoxLayout()
        bar.addWidget(self.status, 1)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.export_button)
        keep = QHBoxLayout()
        keep.addWidget(QLabel(_("Keep the audit log for")))
        keep.addWidget(self.retention)
        keep.addWidget(self.keep_text)
        keep.addWidget(self.apply_button)
        keep.addStretch(1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([720, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(self.filters)
        layout.addLayout(bar)
        layout.addWidget(self.progress)
        layout.addWidget(split, 1)
        layout.addLayout(keep)

        self.filters.changed.connect(self._filter)
        self.clear_button.clicked.connect(self.filters.reset)
        self.export_button.clicked.connect(self.choose_export)
        self.progress.cancel.connect(self.cancel_export)
        self.apply_button.clicked.connect(self.apply_retention)
        self.model.loading_changed.connect(lambda _on: self._say())
        self.model.rowsInserted.connect(lambda *_args: self._say())
        self.model.failed.connect(lambda exc: ctx.messenger.failure(exc, self))
        selection = self.table.selectionModel()
        selection.selectionChanged.connect(self._picked)
        self._say()

    # -- workspace, filters ------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        super().set_workspace(workspace)
        self.detail.clear_detail()
        tenant = workspace.tenant_id
        self.model.show(tenant, self.filters.current())
        bridge = self.ctx.bridge
        bridge.call(lambda core: work.choices(core, tenant)).done.connect(
            self.filters.set_choices)
        bridge.call(work.brl_rate).done.connect(lambda rate: setattr(self, "brl_per_usd", rate))
        bridge.call(work.retention).done.connect(self._show_retention)
        bridge.run(lambda core: work.purge(core, datetime.now(UTC)))  # the retention setting

    def _filter(self, flt: AuditFilter) -> None:
        if self.workspace is not None:
            self.detail.clear_detail()
            self._detail_id = None
            self.model.show(self.workspace.tenant_id, flt)

    def _say(self) -> None:
        shown = self.model.rowCount()
        if self.model.loading:
            text = _("Reading the audit log…")
        elif not shown:
            text = _("No calls match these filters.")
        elif self.model.complete:
            text = ngettext("{n} call", "{n} calls", shown).format(n=shown)
        else:
            text = _("The latest {n} calls; scroll for more").format(n=shown)
        self.status.setText(text)

    # -- detail ------------------------------------------------------------------------------
    def _picked(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        row = self.model.row(indexes[0].row()) if indexes else None
        if row is None or self.workspace is None:
            return
        tenant, audit_id = self.workspace.tenant_id, row.id
        self._detail_id = audit_id
        job = self.ctx.bridge.call(lambda core: work.detail(core, tenant, audit_id))
        job.done.connect(lambda item: self._show_detail(audit_id, item))

    def _show_detail(self, audit_id: str, item: AuditDetail | None) -> None:
        if audit_id == self._detail_id:
            self.detail.show_detail(item, self.brl_per_usd)

    # -- export ------------------------------------------------------------------------------
    def choose_export(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Export the audit log"), "audit.csv", _("CSV files (*.csv)"))
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> Job | None:
        if self.workspace is None or self.export_job is not None:
            return None
        tenant, flt = self.workspace.tenant_id, self.filters.current()
        self.export_button.setEnabled(False)
        self.progress.start(_("Exporting…"))
        job = self.ctx.bridge.stream(lambda core: work.export(core, tenant, flt, path))
        self.export_job = job
        job.item.connect(lambda item: self._export_item(path, item))
        job.failed.connect(self._export_failed)
        job.cancelled.connect(self._export_cancelled)
        job.done.connect(lambda _none: self._export_finished())
        return job

    def cancel_export(self) -> None:
        if self.export_job is not None:
            self.export_job.cancel()

    def _export_item(self, path: Path, item: Any) -> None:
        if isinstance(item, Progress):
            self.progress.update_progress(item.done, item.total, _(
                "Exported {done} of {total} calls").format(done=item.done, total=item.total))
        elif isinstance(item, Finished):
            self.ctx.messenger.info(ngettext(
                "{n} call exported to {file}.", "{n} calls exported to {file}.",
                item.result).format(n=item.result, file=path.name))

    def _export_finished(self) -> None:
        self.export_job = None
        self.progress.stop()
        self.export_button.setEnabled(True)

    def _export_failed(self, exc: object) -> None:
        self._export_finished()
        if isinstance(exc, BaseException):
            self.ctx.messenger.failure(exc, self)

    def _export_cancelled(self) -> None:
        self._export_finished()
        self.ctx.messenger.info(_("The export was cancelled; no file was kept."))

    # -- retention ---------------------------------------------------------------------------
    def _show_retention(self, value: tuple[int | None, bool]) -> None:
        days, keep_text = value
        self.retention.setValue(days or 0)
        self.keep_text.setChecked(keep_text)

    def apply_retention(self) -> Job | None:
        if self.workspace is None:
            return None
        ws, days = self.workspace, self.retention.value() or None
        keep = self.keep_text.isChecked()

        async def apply(core: Any) -> int:
            work.set_retention(core, ws, days, keep)
            return await work.purge(core, datetime.now(UTC))

        job = self.ctx.bridge.run(apply)
        job.done.connect(self._purged)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))
        return job

    def _purged(self, deleted: int) -> None:
        if deleted:
            self.ctx.messenger.info(ngettext(
                "{n} older call deleted from the audit log.",
                "{n} older calls deleted from the audit log.", deleted).format(n=deleted))
        self._filter(self.filters.current())
