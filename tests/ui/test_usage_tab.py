"""The Usage tab through its widgets on a real core: chart values equal plain SQL totals over
the logs (range and module filters), the hover's exact values, CSV and PNG export, the
limits' use, the 80% alert once per period and the 100% refusal; screenshots in English and
Brazilian Portuguese (test-artifacts/screenshots/usage-*.png)."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog

from aidesk.errors import LimitExceeded
from aidesk.providers.base import Usage
from aidesk.router.records import CallRecord, write
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.context import UiContext
from aidesk.ui.usage.tab import UsageTab
from aidesk.workspaces import Workspace
from tests.ui.conftest import shoot
from tests.ui.test_i18n_ui import language

Wait = Callable[..., Any]
PROVIDERS = ("openai", "anthropic", "gemini")
MODULES = ("chat", "bulk", "leads")


def record(core: Any, tenant: str, n: int, at: datetime, rng: random.Random,
           cache: bool = True) -> None:
    provider = rng.choice(PROVIDERS)
    cached = cache and rng.random() < 0.2
    prompt, completion = rng.randint(10, 900), rng.randint(5, 300)
    rec = CallRecord(
        request_id=f"r{n}", tenant_id=tenant, user_id="u", module=rng.choice(MODULES),
        prompt="p", provider=provider, model=f"{provider}-m",
        usage=Usage(prompt, completion),
        cost_usd=0.0 if cached else (prompt + completion) * 3e-6,
        latency_ms=rng.randint(5, 30) if cached else rng.randint(300, 3000), cached=cached,
        hops=[{"provider": "groq", "model": "g", "error": "timeout", "message": "x"}]
        if n % 7 == 0 else [])
    write(core.db, rec, at)


def seed(core: Any) -> Workspace:
    ws: Workspace = core.workspaces.get()
    rng = random.Random(5)
    now = datetime.now(UTC)
    for n in range(150):
        record(core, ws.tenant_id, n, now - timedelta(hours=rng.randint(1, 24 * 20)), rng)
    return ws


@pytest.fixture
def on_worker(bridge: CoreBridge, wait_job: Wait) -> Callable[[Callable[[Any], Any]], Any]:
    return lambda fn: wait_job(bridge.call(fn), timeout=20_000)


@pytest.fixture
def ws(on_worker: Callable[..., Any]) -> Workspace:
    workspace: Workspace = on_worker(seed)
    return workspace


def open_tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> UsageTab:
    page = UsageTab(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    qtbot.waitExposed(page)
    page.set_workspace(ws)
    qtbot.waitUntil(lambda: page.loads >= 1, timeout=10_000)
    return page


@pytest.fixture
def tab(ctx: UiContext, qtbot: Any, ws: Workspace) -> UsageTab:
    return open_tab(ctx, qtbot, ws)


def reload(tab: UsageTab, qtbot: Any) -> None:
    before = tab.loads
    tab.refresh()
    qtbot.waitUntil(lambda: tab.loads > before, timeout=10_000)


def sql(on_worker: Callable[..., Any], tab: UsageTab, select: str,
        group: str = "") -> list[tuple[Any, ...]]:
    q = tab.query()
    assert q is not None
    start, end = (t.replace(tzinfo=None).isoformat(sep=" ") for t in q.bounds())
    where = "tenant_id = ? AND created_at >= ? AND created_at < ?"
    params: list[Any] = [q.tenant_id, start, end]
    if q.module:
        where += " AND module = ?"
        params.append(q.module)
    text = f"SELECT {select} FROM ai_usage_logs WHERE {where}"
    if group:
        text += f" GROUP BY {group}"

    def run(core: Any) -> list[tuple[Any, ...]]:
        with core.db.raw() as conn:
            return list(conn.execute(text, params).fetchall())

    result: list[tuple[Any, ...]] = on_worker(run)
    return result


def test_chart_values_equal_sql_totals(tab: UsageTab, qtbot: Any,
                                       on_worker: Callable[..., Any]) -> None:
    for module_index in (0, 2):  # all modules, then one
        tab.module.setCurrentIndex(module_index)
        qtbot.waitUntil(lambda: tab.figures is not None and tab.figures.query.module
                        == tab.module.currentData(), timeout=10_000)
        charts = tab.charts
        spent = sql(on_worker, tab, "sum(CASE WHEN cached THEN 0 ELSE total_tokens END)")[0][0]
        assert charts["tokens"].sum() == spent > 0
        cost = dict(sql(on_worker, tab, "provider, sum(cost_usd)", "provider"))
        got = dict(zip(charts["cost_provider"].categories,
                       charts["cost_provider"].series["Cost"], strict=True))
        assert got == pytest.approx(cost)
        calls = dict(sql(on_worker, tab, "provider, count(*)", "provider"))
        assert dict(zip(charts["calls"].categories, charts["calls"].series["Calls"],
                        strict=True)) == calls
        by_module = dict(sql(on_worker, tab, "module, sum(cost_usd)", "module"))
        assert dict(zip(charts["cost_module"].categories, charts["cost_module"].series["Cost"],
                        strict=True)) == pytest.approx(by_module)
        average = dict(sql(on_worker, tab, "provider, avg(CASE WHEN NOT cached THEN "
                                           "response_time_ms END)", "provider"))
        assert dict(zip(charts["latency"].categories, charts["latency"].series["Average"],
                        strict=True)) == pytest.approx(average)
    assert charts["calls"].series["Calls"] == sorted(charts["calls"].series["Calls"],
                                                     reverse=True)
    assert "Total:" in charts["cost_provider"].total.text()


def test_hover_shows_the_exact_values(tab: UsageTab) -> None:
    chart = tab.charts["tokens"]
    index = len(chart.categories) - 1
    text = chart.describe(index)
    day_total = sum(values[index] for values in chart.series.values())
    assert text.startswith(chart.categories[index])
    assert f"{day_total:,.0f}" in text
    assert tab.charts["fallbacks"].categories == ["groq"]
    assert list(tab.charts["fallbacks"].series) == ["timeout"]  # the reason as people read it
    assert tab.summary.text().startswith("150 calls, ")


def test_ranges_and_custom_days(tab: UsageTab, qtbot: Any,
                                on_worker: Callable[..., Any]) -> None:
    tab.range.setCurrentIndex(1)  # last 7 days
    qtbot.waitUntil(lambda: tab.figures is not None and
                    (tab.figures.query.last - tab.figures.query.first).days == 6)
    week = sql(on_worker, tab, "count(*)")[0][0]
    assert tab.figures is not None and tab.figures.totals["calls"] == week
    assert not tab.first.isEnabled()
    tab.range.setCurrentIndex(4)
    assert tab.first.isEnabled()


def test_export_csv_and_png(tab: UsageTab, qtbot: Any, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "usage.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    tab.csv_button.click()
    qtbot.waitUntil(target.exists, timeout=10_000)
    with target.open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["chart", "category", "series", "value"]
    assert len(rows) - 1 == len(tab.csv_rows())
    calls = [r for r in rows if r[0] == "calls"]
    assert sum(float(r[3]) for r in calls) == tab.charts["calls"].sum()
    saved = tab.save_pngs(tmp_path)
    assert len(saved) == 7 and all(p.stat().st_size > 1000 for p in saved)


def test_80_percent_alerts_once_per_period_and_100_percent_shows_the_refusal(
        tab: UsageTab, qtbot: Any, on_worker: Callable[..., Any], ws: Workspace) -> None:
    def calls_now(count: int, start: int) -> None:
        rng = random.Random(start)

        def run(core: Any) -> None:
            for n in range(count):
                record(core, ws.tenant_id, start + n, datetime.now(UTC), rng, cache=False)

        on_worker(run)

    calls_now(8, 1000)
    tab.limits.edits["requests_per_hour"].setText("10")
    tab.limits.save.click()
    qtbot.waitUntil(lambda: tab.limits.uses["requests_per_hour"].value == 10, timeout=10_000)
    use = tab.limits.uses["requests_per_hour"]
    assert use.used >= 8
    qtbot.waitUntil(lambda: len(tab.limits.notified) == 1, timeout=10_000)
    assert tab.limits.banner.kind == "warning" and tab.limits.banner.isVisible()
    assert "10" in tab.limits.notified[0]
    assert tab.limits.bars["requests_per_hour"].value() >= 800
    reload(tab, qtbot)
    assert len(tab.limits.notified) == 1  # once per period
    calls_now(2, 2000)
    reload(tab, qtbot)
    use = tab.limits.uses["requests_per_hour"]
    assert tab.limits.banner.kind == "refused"
    assert "requests per hour" in tab.limits.banner.message()
    assert tab.limits.banner.toolTip() == LimitExceeded(
        use.limit, 10, use.used, use.resets_at).user_message


def test_a_bad_limit_is_refused_with_its_reason(tab: UsageTab, qtbot: Any) -> None:
    tab.limits.edits["tokens_per_day"].setText("-5")
    tab.limits.save.click()
    qtbot.waitUntil(lambda: bool(tab.limits.edits["tokens_per_day"].toolTip()), timeout=10_000)
    assert tab.limits.uses["tokens_per_day"].value is None


@pytest.mark.parametrize("code", ["en", "pt_BR"])
def test_screenshots(ctx: UiContext, qtbot: Any, ws: Workspace, code: str) -> None:
    with language(code):
        page = open_tab(ctx, qtbot, ws)
        qtbot.wait(100)
        path = shoot(page.body, f"usage-{code}")
    assert path.stat().st_size > 10_000


def test_the_router_s_80_percent_warning_alerts_without_a_refresh(
        tab: UsageTab, qtbot: Any, on_worker: Callable[..., Any], ws: Workspace,
        ctx: UiContext) -> None:
    from aidesk.router import LimitWarning
    from aidesk.router.limits import LimitStatus

    def near_the_limit(core: Any) -> None:  # six uncached calls now: over 1,000 tokens today
        core.workspaces.set_limit(ws.tenant_id, "tokens_per_day", 1000)
        rng = random.Random(9)
        for n in range(6):
            record(core, ws.tenant_id, 3000 + n, datetime.now(UTC), rng, cache=False)

    on_worker(near_the_limit)
    loads = tab.loads
    status = LimitStatus("tokens_per_day", 1000, 900, datetime.now(UTC) + timedelta(hours=5))
    ctx.bridge.router_event.emit(LimitWarning("another-tenant", status))
    ctx.bridge.router_event.emit(LimitWarning(ws.tenant_id, status))
    qtbot.waitUntil(lambda: len(tab.limits.notified) == 1, timeout=10_000)
    assert tab.loads == loads  # the limits only, not the charts
    assert tab.limits.uses["tokens_per_day"].value == 1000
    assert tab.limits.uses["tokens_per_day"].used > 1000
    assert tab.limits.banner.kind == "refused"  # over 100%: the refusal, not the warning


def test_axis_numbers_use_the_languages_decimal_sign(qtbot: Any) -> None:
    from aidesk import i18n
    from aidesk.ui.usage.charts import LocalAxis

    axis = LocalAxis("left")
    i18n.activate("pt_BR")
    try:
        assert axis.tickStrings([0.05, 1.0, 2500.0], 1.0, 0.05) == ["0,05", "1", "2500"]
    finally:
        i18n.activate("en")
    assert axis.tickStrings([0.05], 1.0, 0.05) == ["0.05"]
