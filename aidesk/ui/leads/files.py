"""The Leads tab's files: import (a CSV or JSON of lead histories, columns mapped in the
dialog) and export of the analysed leads as CSV or JSON, both read and written on the worker."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog

from aidesk import formats
from aidesk.i18n import N_, _, ngettext
from aidesk.ui.column_map import ColumnMapDialog, Field
from aidesk.ui.leads import work

if TYPE_CHECKING:
    from aidesk.ui.chat.work import CsvLayout
    from aidesk.ui.leads.tab import LeadsTab

LEAD_FIELDS = (
    ("lead", N_("&Lead (name or id):"), False, N_("Rows with the same value are one lead")),
    ("text", N_("Te&xt:"), False, N_("The note, message or campaign interaction")),
    ("time", N_("&Time:"), False, ""), ("kind", N_("&Kind:"), False,
                                         N_("note, message or campaign")),
    ("company", N_("&Company:"), False, ""), ("email", N_("&Email:"), False, ""),
    ("phone", N_("&Phone:"), False, ""),
    ("campaign", N_("Ca&mpaign:"), False, N_("A column naming the campaign a row is about")),
)


def lead_mapping_problem(mapping: dict[str, str]) -> str:
    """What read_leads needs: who the lead is, and some text for its history."""
    if not {"lead", "email", "phone"} & mapping.keys():
        return _("Pick the column that names the lead (or its e-mail or phone).")
    if not {"text", "campaign"} & mapping.keys():
        return _("Pick the column with the history's text (or the campaign).")
    return ""


class LeadFiles(QObject):
    def __init__(self, tab: LeadsTab) -> None:
        super().__init__(tab)
        self.tab = tab
        tab.import_button.clicked.connect(self.pick_file)
        tab.export_csv_button.clicked.connect(lambda: self.pick_export("csv"))
        tab.export_json_button.clicked.connect(lambda: self.pick_export("json"))

    def pick_file(self) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        name, _filter = QFileDialog.getOpenFileName(
            self.tab, _("Import leads"), folder, ";;".join((
                _("Lead files (*.csv *.tsv *.json)"), _("All files (*)"))))
        if name:
            self.import_file(Path(name))

    def import_file(self, path: Path) -> None:
        if self.tab.workspace is None or self.tab.job is not None:
            return
        job = self.tab.ctx.bridge.run(lambda _core: work.layout(path))
        job.done.connect(self._map)
        job.failed.connect(lambda exc: self.tab.ctx.messenger.failure(exc, self.tab))

    def _map(self, layout: CsvLayout) -> None:
        ws = self.tab.workspace
        if ws is None:
            return
        fields = [Field(k, _(label), required, _(hint) if hint else "")
                  for k, label, required, hint in LEAD_FIELDS]
        dialog = ColumnMapDialog(_("Columns of {file}").format(file=layout.path.name),
                                 layout.path.name, fields, layout.header, layout.guessed,
                                 layout.rows, self.tab, check=lead_mapping_problem)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        mapping, path = dialog.mapping(), layout.path
        self.tab.progress.start(_("Importing {file}…").format(file=path.name))
        job = self.tab.ctx.bridge.run(lambda core: work.import_leads(core, ws, path, mapping))
        self.tab.job = job

        def done(count: int) -> None:
            self.tab.finish_job(job)
            self.tab.ctx.messenger.info(ngettext(
                "Imported {n} lead.", "Imported {n} leads.", count).format(
                    n=formats.number(count)))

        job.done.connect(done)
        job.failed.connect(lambda exc: self.tab.finish_job(job, exc))
        self.tab.update_buttons()

    def pick_export(self, kind: str) -> None:
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        pattern = _("CSV files (*.csv)") if kind == "csv" else _("JSON files (*.json)")
        name, _filter = QFileDialog.getSaveFileName(
            self.tab, _("Export the analysed leads"), str(Path(folder) / f"leads.{kind}"),
            pattern)
        if name:
            self.export_to(Path(name), kind)

    def export_to(self, path: Path, kind: str) -> None:
        rows = list(self.tab.model.rows)
        job = self.tab.ctx.bridge.run(lambda _core: work.export(rows, path, kind))
        job.done.connect(lambda n: self.tab.ctx.messenger.info(ngettext(
            "Exported {n} analysed lead to {path}.", "Exported {n} analysed leads to {path}.",
            n).format(n=formats.number(n), path=path)))
        job.failed.connect(lambda exc: self._export_failed(path, exc))

    def _export_failed(self, path: Path, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            self.tab.ctx.messenger.error(_(
                "Could not save to {path}: {reason}. Pick another folder or file name.").format(
                    path=path, reason=exc.strerror or exc))
        else:
            self.tab.ctx.messenger.failure(exc, self.tab)
