"""The desktop side of sync, clicked for real against the real PostgreSQL: the status bar's
sync corner and its background passes, Settings → Sync, settings locked by the team's
policy, and an Integrations card's "Roll out to team…"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from aidesk import settings
from aidesk.router.records import USAGE_COLUMNS
from aidesk.storage.values import new_id, utc_text
from aidesk.ui.main_window import MainWindow
from aidesk.ui.menus import Menus
from aidesk.ui.settings_dialog import SettingsDialog
from aidesk.ui.sync.scheduler import SyncScheduler
from aidesk.ui.sync.settings_page import SyncPage
from aidesk.ui.sync.status_bar import SyncStatusWidget
from aidesk.workspaces import Workspace
from tests.sync import conftest as sync_fixtures
from tests.sync.conftest import Central
from tests.ui.test_assistant import type_text

# The PostgreSQL fixtures, bound as plain names (an import would trip ruff's F811).
central = sync_fixtures.central
central_db = sync_fixtures.central_db
tenant_role = sync_fixtures.tenant_role

SHOTS = Path("/tmp/sync-shots")
Wait = Callable[..., Any]


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Background passes soon after a workspace opens (the minute stays a minute); each
    test a new session for key tests (the process's memory of verified keys)."""
    from aidesk.router.keycheck import forget_tests

    monkeypatch.setattr(SyncScheduler, "first_pass_ms", 50)
    forget_tests()
    yield
    forget_tests()


def sched(window: MainWindow) -> SyncScheduler:
    assert window.sync is not None  # (built once the window shows)
    return window.sync


def corner(window: MainWindow) -> SyncStatusWidget:
    assert window.sync_status is not None
    return window.sync_status


def shoot(widget: QWidget, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    QApplication.sendPostedEvents()  # pending layout requests: the picture as the user sees it
    QApplication.processEvents()
    assert widget.grab().save(str(path))
    return path


def seed_usage(window: MainWindow, wait_job: Wait, count: int,
               ws: Workspace | None = None) -> None:
    """`count` usage rows as the router writes them, in `ws` (else the shown workspace)."""
    ws = ws or window.current
    assert ws is not None
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    rows = [(new_id(), ws.tenant_id, new_id(), "openai", "gpt-4o-mini", 120, 80, 200,
             0.000123, 350, "chat", "tester", 0, "ok",
             utc_text(start + timedelta(milliseconds=i)), None, None, None, "stop")
            for i in range(count)]

    def insert(core: Any) -> None:
        with core.db.writing() as conn:
            conn.executemany(f"INSERT INTO ai_usage_logs ({', '.join(USAGE_COLUMNS)}) VALUES "
                             f"({', '.join('?' * len(USAGE_COLUMNS))})", rows)

    wait_job(window.ctx.bridge.call(insert))


def set_dsn(window: MainWindow, wait_job: Wait, dsn: str, ws: Workspace | None = None) -> None:
    target = ws or window.current
    assert target is not None
    wait_job(window.ctx.bridge.call(
        lambda core: settings.set(core.workspaces, target, "sync.dsn", dsn)))


def open_sync_page(window: MainWindow, qtbot: Any) -> tuple[SettingsDialog, SyncPage]:
    """Settings at 1024×640, on its Sync page."""
    dialog = open_settings(window, qtbot)
    dialog.resize(1024, 640)
    dialog.pages.setCurrentIndex(3)
    return dialog, dialog.sync_page


def open_settings(window: MainWindow, qtbot: Any) -> SettingsDialog:
    Menus.of(window).settings.trigger()
    qtbot.waitUntil(lambda: bool(window.findChildren(SettingsDialog)), timeout=5_000)
    dialog = window.findChildren(SettingsDialog)[-1]
    qtbot.waitUntil(dialog.save_button.isEnabled, timeout=5_000)
    return dialog


def central_count(central: Central, table: str) -> int:
    with central.connect() as conn:
        row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    assert row is not None
    return int(str(row[0]))


def test_status_bar_sync_configured_in_settings(window: MainWindow, central: Central,
                                                tenant_role: Callable[[str], str],
                                                wait_job: Wait, qtbot: Any) -> None:
    ws = window.current
    assert ws is not None
    widget = corner(window)
    assert not widget.isVisible()  # no central database: nothing about sync shows
    seed_usage(window, wait_job, 12)

    dialog, page = open_sync_page(window, qtbot)
    type_text(page.dsn.line, central.dsn(tenant_role(ws.tenant_id)))
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.tone not in ("", "busy"), timeout=15_000)
    assert page.tone == "verified", page.result.text()
    assert "Connected" in page.result.text() and "Press Save" in page.result.text()
    shoot(dialog, "settings-sync-connected")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5_000)

    # saving the address starts a pass at once: the 12 rows reach the centre
    qtbot.waitUntil(lambda: sched(window).passes >= 1 and not sched(window).running,
                    timeout=20_000)
    qtbot.waitUntil(lambda: widget.isVisible() and widget.text.startswith("Synced "),
                    timeout=5_000)
    assert widget.text.endswith("· 0 pending") and widget.tone == "info"
    assert central_count(central, "ai_usage_logs") == 12
    assert sched(window).timer.isActive() and sched(window).wait_ms() == 60_000
    window.resize(1024, 640)
    shoot(window, "status-bar-synced")

    # Sync now: a pass at once; pressed again while it runs, one more right after it
    seed_usage(window, wait_job, 3)
    before = sched(window).passes
    qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
    assert sched(window).running and not widget.sync_button.isEnabled()
    sched(window).sync_now()  # (the button is disabled meanwhile; a second ask queues)
    qtbot.waitUntil(lambda: sched(window).passes == before + 2 and not sched(window).running,
                    timeout=20_000)
    assert central_count(central, "ai_usage_logs") == 15
    assert window.ctx.messenger.last is not None
    assert window.ctx.messenger.last[1].startswith("Synced:")


def test_offline_backoff_then_drains(window: MainWindow, central: Central,
                                     tenant_role: Callable[[str], str], wait_job: Wait,
                                     qtbot: Any) -> None:
    ws = window.current
    assert ws is not None
    seed_usage(window, wait_job, 5)
    set_dsn(window, wait_job, "postgresql://nobody@127.0.0.1:1/platform")  # nothing listens
    window.ctx.bridge.configs_changed.emit()  # what Settings does after a save
    widget = corner(window)
    qtbot.waitUntil(lambda: sched(window).failures >= 1 and not sched(window).running,
                    timeout=20_000)
    qtbot.waitUntil(lambda: widget.tone == "error", timeout=5_000)
    assert widget.text.startswith("Sync failed: Cannot reach the central database")
    assert "#b00020" in widget.label.styleSheet()
    assert "5 pending" in widget.label.toolTip()
    assert sched(window).wait_ms() == 120_000  # the wait doubles after a failure
    sched(window).failures = 9
    assert sched(window).wait_ms() == 600_000  # at most 10 minutes
    sched(window).failures = 1
    assert sched(window).timer.isActive()
    window.resize(1024, 640)
    shoot(window, "status-bar-error")

    # Sync now while it fails: at once, and the wait grows
    before = sched(window).passes
    qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sched(window).passes > before and not sched(window).running,
                    timeout=20_000)
    assert sched(window).failures == 2 and sched(window).wait_ms() == 240_000
    assert window.ctx.messenger.last is not None  # asked for: said in the message line too
    assert window.ctx.messenger.last[1].startswith("Cannot reach the central database")

    # the address corrected in Settings: no waiting out the backoff, the outbox drains
    set_dsn(window, wait_job, central.dsn(tenant_role(ws.tenant_id)))
    before = sched(window).passes
    window.ctx.bridge.configs_changed.emit()
    qtbot.waitUntil(lambda: sched(window).passes > before and not sched(window).running,
                    timeout=20_000)
    assert widget.tone == "info" and widget.text.endswith("· 0 pending")
    assert sched(window).failures == 0 and sched(window).wait_ms() == 60_000
    assert central_count(central, "ai_usage_logs") == 5


def test_a_workspace_switch_shows_its_status(window: MainWindow, central: Central,
                                             tenant_role: Callable[[str], str],
                                             wait_job: Wait, qtbot: Any) -> None:
    first = window.current
    assert first is not None
    set_dsn(window, wait_job, central.dsn(tenant_role(first.tenant_id)))
    window.ctx.bridge.configs_changed.emit()
    qtbot.waitUntil(lambda: corner(window).isVisible()
                    and corner(window).text.startswith("Synced"), timeout=20_000)
    window.create_workspace("Padaria Pão Quente")
    qtbot.waitUntil(lambda: window.current is not None and window.current.id != first.id,
                    timeout=10_000)
    qtbot.waitUntil(lambda: not corner(window).isVisible(), timeout=5_000)
    # nothing to sync here, but the first workspace's outbox still drains in the background
    seed_usage(window, wait_job, 4, first)
    before = sched(window).passes
    qtbot.waitUntil(lambda: sched(window).passes > before and not sched(window).running,
                    timeout=20_000)
    assert central_count(central, "ai_usage_logs") == 4
    assert not corner(window).isVisible() and sched(window).failures == 0
    assert sched(window).timer.isActive() and sched(window).wait_ms() == 60_000
    window.switcher.setCurrentIndex(window.switcher.findData(first.tenant_id))
    window.switcher.activated.emit(window.switcher.currentIndex())
    qtbot.waitUntil(lambda: corner(window).isVisible(), timeout=5_000)
    assert window.current is not None and window.current.id == first.id


def test_settings_runs_the_central_migrations(window: MainWindow, central_db: Central,
                                              wait_job: Wait, qtbot: Any) -> None:
    ws = window.current
    assert ws is not None
    dialog, page = open_sync_page(window, qtbot)
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    assert page.tone == "error" and "address first" in page.result.text()

    type_text(page.dsn.line, "postgresql://postgres:hunter2@127.0.0.1/x")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)  # the CLI's DSN rules
    qtbot.waitUntil(lambda: page.tone == "error", timeout=5_000)
    assert "password" in page.result.text().lower()

    page.dsn.line.clear()
    type_text(page.dsn.line, central_db.dsn("postgres"))  # an empty database, a superuser
    type_text(page.password, "s3cret pass")
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.tone == "unverified", timeout=15_000)
    assert "has no AIDesk tables yet" in page.result.text()
    assert page.migrate_button.isVisible()
    # the login worked: the password is in the keyring, and no longer on screen
    assert page.password.text() == "" and "keyring" in page.password.placeholderText()
    assert wait_job(window.ctx.bridge.call(
        lambda core: core.keys.get_secret(ws.tenant_id, "sync"))) == "s3cret pass"
    shoot(dialog, "settings-sync-schema-missing")

    qtbot.mouseClick(page.migrate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.tone == "verified", timeout=30_000)
    assert not page.migrate_button.isVisible()
    from aidesk.sync import central as central_schema

    with central_db.connect() as conn:
        assert central_schema.current(conn) == central_schema.HEAD
    shoot(dialog, "settings-sync-migrated")
    dialog.resize(720, 560)  # its size when it first opens
    shoot(dialog, "settings-sync-720")
    dialog.reject()


def test_settings_locked_by_the_team(window: MainWindow, central: Central,
                                     tenant_role: Callable[[str], str], wait_job: Wait,
                                     qtbot: Any) -> None:
    ws = window.current
    assert ws is not None
    with central.connect() as conn:  # the platform's admin sets the team's policies
        conn.execute("INSERT INTO ai_team_policies (tenant_id, setting, value, mandatory) "
                     "VALUES (%s, 'limits.tokens_per_day', '50000', true), "
                     "(%s, 'cache.ttl_days', '3', false)", (ws.tenant_id, ws.tenant_id))
    set_dsn(window, wait_job, central.dsn(tenant_role(ws.tenant_id)))
    window.ctx.bridge.configs_changed.emit()  # what Settings does after a save: a pass
    qtbot.waitUntil(lambda: sched(window).passes >= 1 and not sched(window).running,
                    timeout=20_000)
    assert corner(window).tone == "info", corner(window).text
    assert "1 setting is set by your team's policy." in corner(window).label.toolTip()

    dialog = open_settings(window, qtbot)
    dialog.resize(1024, 640)
    locked = dialog.fields["limits.tokens_per_day"]
    free = dialog.fields["cache.ttl_days"]
    assert not locked.editor.isEnabled() and locked.lock.isVisibleTo(dialog)
    assert locked.value() == "50000" and free.value() == "3"  # both applied, one locked
    assert locked.lock.toolTip().startswith("Set by your team's policy")
    assert locked.editor.toolTip().startswith("Set by your team's policy")
    assert free.editor.isEnabled() and not free.lock.isVisibleTo(dialog)
    assert "lock" in dialog.status.text()
    shoot(dialog, "settings-locked")
    dialog.reject()

    from aidesk.ui.usage.tab import UsageTab

    tab = window.page(UsageTab)
    assert isinstance(tab, UsageTab)
    holder = tab.parentWidget()
    assert holder is not None
    window.tabs.setCurrentIndex(window.tabs.indexOf(holder))
    edit = tab.limits.edits["tokens_per_day"]
    qtbot.waitUntil(lambda: not edit.isEnabled(), timeout=10_000)
    assert tab.limits.edits["requests_per_hour"].isEnabled()
    assert tab.limits.locks["tokens_per_day"].isVisibleTo(tab)
    assert edit.toolTip().startswith("Set by your team's policy")
    window.resize(1024, 640)
    shoot(window, "usage-limits-locked")


def answer_and_shoot(button_text: str, name: str, seen: list[str]) -> None:
    """Save a picture of the next modal dialog, then click `button_text` in it."""

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            QTimer.singleShot(50, click)
            return
        seen.append(dialog.text())
        shoot(dialog, name)
        for button in dialog.findChildren(QAbstractButton):
            if button.text().replace("&", "") == button_text:
                button.click()
                return
        raise AssertionError(f"no button {button_text!r}")

    QTimer.singleShot(50, click)


def test_roll_out_a_key_verified_this_session(window: MainWindow, central: Central,
                                              tenant_role: Callable[[str], str],
                                              wait_job: Wait, qtbot: Any,
                                              emulator: Any) -> None:
    from aidesk.ui.integrations.tab import IntegrationsTab
    from tests.support import configure

    ws = window.current
    assert ws is not None
    wait_job(window.ctx.bridge.call(lambda core: configure(core, ws, emulator, "openai")))
    tab = window.page(IntegrationsTab)
    assert isinstance(tab, IntegrationsTab)
    tab.set_workspace(ws)  # the key saved behind its back
    card = tab.cards["openai"]
    qtbot.waitUntil(lambda: card.config is not None and card.config.key_fingerprint is not None,
                    timeout=10_000)
    assert not card.rollout_button.isVisible()  # no central database: no rollout
    set_dsn(window, wait_job, central.dsn(tenant_role(ws.tenant_id)))
    window.ctx.bridge.configs_changed.emit()  # what Settings does after a save
    qtbot.waitUntil(card.rollout_button.isVisible, timeout=5_000)
    qtbot.wait(200)  # (the card asked the core whether the key passed a test)
    assert not card.rollout_button.isEnabled()  # saved, but not tested in this session
    assert not tab.cards["local"].rollout_button.isVisible()  # no key to roll out

    qtbot.mouseClick(card.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.outcome == "verified", timeout=15_000)
    qtbot.waitUntil(card.rollout_button.isEnabled, timeout=5_000)

    seen: list[str] = []
    answer_and_shoot("Cancel", "rollout-confirmation", seen)
    qtbot.mouseClick(card.rollout_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen), timeout=5_000)
    assert ws.tenant_id in seen[0] and "OpenAI" in seen[0] and ws.name in seen[0]
    assert card.status.text() == "Nothing was rolled out."
    with central.connect() as conn:
        assert conn.execute("SELECT count(*) FROM ai_configs WHERE api_key IS NOT NULL"
                            ).fetchone() == (0,)

    answer_and_shoot(f"Roll out to {ws.tenant_id}", "rollout-confirmation-2", seen)
    qtbot.mouseClick(card.rollout_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: card.outcome == "verified" and "Rolled out" in card.status.text(),
                    timeout=20_000)
    assert window.ctx.messenger.last is not None
    assert window.ctx.messenger.last[1].startswith("Rolled out:")
    with central.connect() as conn:
        row = conn.execute("SELECT api_key, key_rolled_out_at IS NOT NULL FROM ai_configs "
                           "WHERE tenant_id = %s AND provider = 'openai'",
                           (ws.tenant_id,)).fetchone()
    assert row == (emulator.key("openai"), True)

    def audit(core: Any) -> list[tuple[str, str]]:
        with core.db.raw() as conn:
            return [(str(r[0]), str(r[1])) for r in conn.execute(
                "SELECT module, prompt FROM ai_audit_logs WHERE tenant_id = ?",
                (ws.tenant_id,))]

    rows = wait_job(window.ctx.bridge.call(audit))
    assert [m for m, _p in rows] == ["sync"] and ws.tenant_id in rows[0][1]
    window.resize(1024, 640)
    shoot(window, "integrations-rolled-out")


def test_a_refused_password_is_not_kept(window: MainWindow, wait_job: Wait,
                                        qtbot: Any) -> None:
    from tests.sync.fake_pg import fake_pg

    ws = window.current
    assert ws is not None
    dialog, page = open_sync_page(window, qtbot)
    with fake_pg() as server:  # asks a password, refuses it as PostgreSQL does
        type_text(page.dsn.line, f"postgresql://agency@127.0.0.1:{server.port}/platform")
        type_text(page.password, "wrong horse")
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.tone == "error", timeout=15_000)
        assert server.passwords == ["wrong horse"]
        assert "refused the password of agency" in page.result.text()
        assert "wrong horse" not in page.result.text()
        assert page.password.text() == "wrong horse"  # still there to correct
        shoot(dialog, "settings-sync-wrong-password")

        page.say("info", "")
        dialog.pages.setCurrentIndex(0)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # Save tries it too
        qtbot.waitUntil(lambda: page.tone == "error", timeout=15_000)
        assert len(server.passwords) == 2
    assert dialog.isVisible() and dialog.pages.currentIndex() == 3
    assert "refused the password" in page.result.text()
    assert "password was not saved" in dialog.status.text()
    assert wait_job(window.ctx.bridge.call(
        lambda core: core.keys.get_secret(ws.tenant_id, "sync"))) is None
    assert wait_job(window.ctx.bridge.call(  # the address itself was saved
        lambda core: settings.get(core.workspaces, ws, "sync.dsn"))).endswith("/platform")
    dialog.reject()


def test_a_long_first_sync_shows_how_far_it_is(window: MainWindow, central: Central,
                                               tenant_role: Callable[[str], str],
                                               wait_job: Wait, qtbot: Any) -> None:
    ws = window.current
    assert ws is not None
    seed_usage(window, wait_job, 6000)  # before sync is set: the history is queued with it
    widget = corner(window)
    shown: list[str] = []
    sched(window).progressed.connect(lambda *_: shown.append(widget.label.text()))
    set_dsn(window, wait_job, central.dsn(tenant_role(ws.tenant_id)))
    window.ctx.bridge.configs_changed.emit()  # what Settings does after a save
    qtbot.waitUntil(lambda: sched(window).passes >= 1 and not sched(window).running,
                    timeout=30_000)
    assert shown[0] == "Syncing… 5,000 of 6,000 rows"
    assert central_count(central, "ai_usage_logs") == 6000
    qtbot.waitUntil(lambda: widget.text.endswith("· 0 pending"), timeout=5_000)
