"""The Usage tab: the workspace's calls as charts (tokens per day, week or month by provider;
cost per provider and per module; average and p95 response time; calls per provider; what the
cache saved; fallbacks) over a date range and module, the totals and the month-end forecast,
the limits with their use, CSV of the figures and PNG of the charts. Every query runs on the
bridge's worker (aidesk.ui.usage.work)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aidesk import formats
from aidesk.errors import hop_reason
from aidesk.features.usage_stats import Figures, Query
from aidesk.i18n import N_, _, ngettext
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.usage import work
from aidesk.ui.usage.charts import BarChart
from aidesk.ui.usage.limits import LimitsPanel

if TYPE_CHECKING:
    from aidesk.features.usage_alerts import LimitUse
    from aidesk.workspaces import Workspace

RANGE_NAMES = (N_("Today"), N_("Last 7 days"), N_("Last 30 days"), N_("This month"),
               N_("Custom"))
MODULES = ("marketing", "chat", "leads", "bulk", "images", "meetings")


def _tokens(value: float) -> str:
    return formats.number(value)


def _ms(value: float) -> str:
    return _("{n} ms").format(n=formats.number(value))


class UsageTab(WorkspaceTab):
    title = N_("Usage")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.figures: Figures | None = None
        self.loads = 0  # finished loads (tests wait on it)
        self.range = QComboBox()
        for key, name in zip(work.RANGES, RANGE_NAMES, strict=True):
            self.range.addItem(_(name), key)
        self.range.setCurrentIndex(2)
        self.range.setAccessibleName(_("Date range"))
        today = QDate.currentDate()
        self.first, self.last = QDateEdit(today.addDays(-29)), QDateEdit(today)
        for edit, name in ((self.first, _("From")), (self.last, _("To"))):
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
            edit.dateChanged.connect(self._custom_changed)
        self.module = QComboBox()
        self.module.addItem(_("All modules"), None)
        for module in MODULES:
            self.module.addItem(module, module)
        self.module.setAccessibleName(_("Module"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.csv_button = QPushButton(_("Export CSV…"))
        self.png_button = QPushButton(_("Save charts as PNG…"))
        self.range.currentIndexChanged.connect(self._range_changed)
        self.module.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button.clicked.connect(self._export_csv)
        self.png_button.clicked.connect(self._export_png)
        bar = QHBoxLayout()
        for widget in (QLabel(_("Range:")), self.range, self.first, self.last,
                       QLabel(_("Module:")), self.module, self.refresh_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.png_button)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.limits = LimitsPanel()
        self.limits.save_requested.connect(self._save_limits)
        self.charts = {
            "tokens": BarChart(_("Tokens by provider (cache hits not counted)"), _tokens),
            "cost_provider": BarChart(_("Cost per provider"), formats.money),
            "cost_module": BarChart(_("Cost per module"), formats.money),
            "latency": BarChart(_("Response time per provider (average and p95)"), _ms,
                                stacked=False, total=False),
            "calls": BarChart(_("Calls per provider, most used first"), _tokens),
            "saved": BarChart(_("Money the cache saved per provider"), formats.money),
            "fallbacks": BarChart(_("Fallbacks away from each provider, by reason"), _tokens),
        }
        grid = QGridLayout()
        for n, chart in enumerate(self.charts.values()):
            grid.addWidget(chart, n // 2, n % 2)
        self.body = body = QWidget()
        inner = QVBoxLayout(body)
        inner.addWidget(self.summary)
        inner.addWidget(self.limits)
        inner.addLayout(grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        ctx.bridge.router_event.connect(self._router_event)
        self._range_changed()

    # -- queries --------------------------------------------------------------------------------
    def query(self) -> Query | None:
        if self.workspace is None:
            return None
        key = str(self.range.currentData())
        if key == "custom":
            first, last = self.first.date().toPython(), self.last.date().toPython()
            assert isinstance(first, date) and isinstance(last, date)
        else:
            first, last = work.days_of(key, date.today())
        return Query(self.workspace.tenant_id, min(first, last), max(first, last),
                     self.module.currentData())

    def set_workspace(self, workspace: Workspace) -> None:
        super().set_workspace(workspace)
        self.refresh()

    def refresh(self) -> None:
        query, ws = self.query(), self.workspace
        if query is None or ws is None:
            return
        job = self.ctx.bridge.call(lambda core: work.load(core, ws, query))
        job.done.connect(self._loaded)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _loaded(self, loaded: work.Loaded) -> None:
        if self.workspace is None or loaded.figures.query.tenant_id != self.workspace.tenant_id:
            return
        self.show_figures(loaded.figures)
        self.limits.show_uses(loaded.limits)
        self.limits.set_locked(loaded.locked)
        self.limits.alert(loaded.alerts)
        self.loads += 1

    def _router_event(self, event: object) -> None:
        from aidesk.router import LimitWarning

        ws = self.workspace
        if not isinstance(event, LimitWarning) or ws is None or event.tenant_id != ws.tenant_id:
            return
        job = self.ctx.bridge.call(lambda core: work.check(core, ws))
        job.done.connect(self._checked)

    def _checked(self, pair: tuple[list[LimitUse], list[LimitUse]]) -> None:
        self.limits.show_uses(pair[0], edit=False)
        self.limits.alert(pair[1])

    def _range_changed(self, _index: int = 0) -> None:
        custom = self.range.currentData() == "custom"
        self.first.setEnabled(custom)
        self.last.setEnabled(custom)
        self.refresh()

    def _custom_changed(self) -> None:
        if self.range.currentData() == "custom":
            self.refresh()

    def _save_limits(self, values: dict[str, str]) -> None:
        ws = self.workspace
        if ws is None:
            return
        job = self.ctx.bridge.call(lambda core: work.save_limits(core, ws, values))

        def saved(errors: dict[str, str]) -> None:
            self.limits.show_errors(errors)
            if errors:
                self.ctx.messenger.error(" ".join(errors.values()))
            else:
                self.ctx.messenger.info(_("Limits saved."))
            self.refresh()

        job.done.connect(saved)
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    # -- showing ----------------------------------------------------------------------------------
    def show_figures(self, f: Figures) -> None:
        self.figures = f
        buckets = sorted({b for b, _p, _t in f.tokens})
        names = sorted({p for _b, p, _t in f.tokens})
        series = {p: [0.0] * len(buckets) for p in names}
        index = {b: i for i, b in enumerate(buckets)}
        for b, p, t in f.tokens:
            series[p][index[b]] = float(t)
        short = [formats.bucket(b) for b in buckets]  # 06/11 (a day, a week's Monday), 11/2026
        self.charts["tokens"].set_data(buckets, series, short)
        providers = [p.provider for p in f.providers]
        by_cost = sorted(f.providers, key=lambda p: -p.cost_usd)
        self.charts["cost_provider"].set_data(
            [p.provider for p in by_cost], {_("Cost"): [p.cost_usd for p in by_cost]})
        modules = [m or _("(none)") for m, _c, _n in f.modules]
        self.charts["cost_module"].set_data(modules, {_("Cost"): [c for _m, c, _n in f.modules]})
        self.charts["latency"].set_data(providers, {
            _("Average"): [p.avg_latency_ms or 0.0 for p in f.providers],
            _("p95"): [float(p.p95_latency_ms or 0) for p in f.providers]})
        self.charts["calls"].set_data(providers, {_("Calls"): [float(p.calls)
                                                              for p in f.providers]})
        self.charts["saved"].set_data(providers, {_("Saved"): [p.saved_usd
                                                              for p in f.providers]})
        reasons = sorted({r for _p, r, _n in f.fallbacks})
        left = sorted({p for p, _r, _n in f.fallbacks})
        falls = {hop_reason(r): [0.0] * len(left) for r in reasons}
        for p, r, n in f.fallbacks:
            falls[hop_reason(r)][left.index(p)] += float(n)
        self.charts["fallbacks"].set_data(left, falls)
        totals, rate = f.totals, formats.number(100 * f.cache_hit_rate, 1) + "%"
        count = int(totals["calls"])
        calls = ngettext("{n} call", "{n} calls", count).format(n=formats.number(count))
        self.summary.setText(_(
            "{calls}, {tokens} tokens, {cost} spent; cache hits {rate} of calls, saving "
            "{saved}. This month so far: {month}; at this pace {forecast} by month end.").format(
                calls=calls, tokens=formats.number(totals["tokens"]),
                cost=formats.money(totals["cost_usd"]), rate=rate,
                saved=formats.money(totals["saved_usd"]),
                month=formats.money(f.forecast.spent_usd),
                forecast=formats.money(f.forecast.month_end_usd)))

    def csv_rows(self) -> list[tuple[str, str, str, object]]:
        rows: list[tuple[str, str, str, object]] = []
        for key, chart in self.charts.items():
            for name, values in chart.series.items():
                rows += [(key, c, name, v) for c, v in zip(chart.categories, values, strict=True)]
        return rows

    def _export_csv(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Export the figures"), "usage.csv",
                                               _("CSV files (*.csv)"))
        if not path:
            return
        rows = self.csv_rows()
        job = self.ctx.bridge.call(lambda _core: work.write_csv(Path(path), rows))
        job.done.connect(lambda _r: self.ctx.messenger.info(
            _("Saved the figures to {file}.").format(file=path)))
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _export_png(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Save the charts in"))
        if folder:
            self.save_pngs(Path(folder))

    def save_pngs(self, folder: Path) -> list[Path]:
        saved = [folder / f"usage-{key}.png" for key in self.charts]
        for path, chart in zip(saved, self.charts.values(), strict=True):
            chart.save_png(path)
        self.ctx.messenger.info(_("Saved {n} charts in {folder}.").format(
            n=len(saved), folder=folder))
        return saved
