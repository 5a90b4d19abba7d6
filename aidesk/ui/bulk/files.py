"""The Bulk messages tab's files: the leads CSV (read on the worker, its columns mapped in the
dialog, then every lead with its language) and the job's CSV export."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog

from aidesk import formats
from aidesk.i18n import N_, _, ngettext
from aidesk.ui.bulk import work
from aidesk.ui.column_map import ColumnMapDialog, Field

if TYPE_CHECKING:
    from aidesk.features.bulk import LeadsFile
    from aidesk.ui.bulk.tab import BulkTab
    from aidesk.ui.chat.work import CsvLayout

BULK_FIELDS = (
    ("lead", N_("&Lead's name:"), N_("Also the {nome} placeholder")),
    ("company", N_("&Company:"), N_("Also the {empresa} placeholder")),
    ("email", N_("&Email:"), N_("Also the {email} placeholder")),
    ("phone", N_("&Phone:"), N_("Also the {telefone} placeholder")),
    ("language", N_("Lan&guage:"), N_("pt, en, es, fr or it (or their names); empty: "
                                      "detected from the lead's text")),
    ("text", N_("&Notes:"), N_("The lead's own text, where its language is detected")),
)


class BulkFiles(QObject):
    def __init__(self, tab: BulkTab) -> None:
        super().__init__(tab)
        self.tab = tab
        tab.open_button.clicked.connect(self.pick_file)
        tab.export_button.clicked.connect(self.pick_export)

    def pick_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        name, _filter = QFileDialog.getOpenFileName(
            self.tab, _("Open leads"), folder, ";;".join((
                _("CSV files (*.csv *.tsv *.txt)"), _("All files (*)"))))
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        tab = self.tab
        if tab.workspace is None or tab.busy or tab.runner.running:
            return
        tab.busy = True
        tab.update_state()
        job = tab.ctx.bridge.run(lambda _core: work.layout(path))
        job.done.connect(self._map)
        job.failed.connect(self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.tab.busy = False
        self.tab.update_state()
        self.tab.ctx.messenger.failure(exc, self.tab)

    def _map(self, layout: CsvLayout) -> None:
        tab = self.tab
        fields = [Field(key, _(label), False, _(hint)) for key, label, hint in BULK_FIELDS]
        dialog = ColumnMapDialog(_("Columns of {file}").format(file=layout.path.name),
                                 layout.path.name, fields, layout.header, layout.guessed,
                                 layout.rows, tab)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            tab.busy = False
            tab.update_state()
            return
        mapping, path = dialog.mapping(), layout.path
        tab.status.setText(_("Reading {file}…").format(file=path.name))
        tab.bar.setRange(0, 0)
        job = tab.ctx.bridge.run(lambda _core: work.read(path, mapping))
        job.done.connect(self._read)
        job.failed.connect(self._failed)

    def _read(self, leads: LeadsFile) -> None:
        self.tab.busy = False
        self.tab.set_leads(leads)
        self.tab.brief.editor.setFocus()
        self.tab.ctx.messenger.info(ngettext(
            "{file}: {n} lead ready. Write the brief, then Preview.",
            "{file}: {n} leads ready. Write the brief, then Preview.", len(leads.leads)).format(
                file=leads.name, n=formats.number(len(leads.leads))))

    def pick_export(self) -> None:
        job = self.tab.job
        if job is None:
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        stem = Path(job.source.replace("\\", "/")).stem
        name, _filter = QFileDialog.getSaveFileName(
            self.tab, _("Export the messages"), str(Path(folder) / f"{stem}-mensagens.csv"),
            _("CSV files (*.csv)"))
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        job = self.tab.job
        if job is None:
            return
        job_id = job.id
        run = self.tab.ctx.bridge.run(lambda core: work.export(core, job_id, path))
        run.done.connect(lambda n: self.tab.ctx.messenger.info(ngettext(
            "Exported {n} lead to {path}.", "Exported {n} leads to {path}.", n).format(
                n=formats.number(n), path=path)))
        run.failed.connect(lambda exc: self._export_failed(path, exc))

    def _export_failed(self, path: Path, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            self.tab.ctx.messenger.error(_(
                "Could not save to {path}: {reason}. Pick another folder or file name.").format(
                    path=path, reason=exc.strerror or exc))
        else:
            self.tab.ctx.messenger.failure(exc, self.tab)
