"""Main window: responsiveness, workspaces, the message channel, crash reports, restore, smoke."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer

from aidesk.errors import LimitExceeded
from aidesk.storage.types import utcnow
from aidesk.ui.app import build_window
from aidesk.ui.bridge import CoreBridge
from aidesk.ui.hints import for_gui
from aidesk.ui.main_window import MainWindow
from aidesk.ui.messages import CrashDialog
from tests.support import configure
from tests.ui.conftest import shoot


def test_event_loop_stays_responsive_during_a_slow_call(window: MainWindow, bridge: CoreBridge,
                                                        emulator: Any, qtbot: Any) -> None:
    core = bridge.core
    assert core is not None
    ws = window.current
    assert ws is not None
    configure(core, ws, emulator, "openai")
    emulator.latency("openai", 2.0)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    job = bridge.run(lambda c: c.router.ask(ws, "hold this call for two seconds"))
    results: list[Any] = []
    job.done.connect(results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=10_000)
    timer.stop()
    elapsed = time.perf_counter() - start
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert elapsed >= 2.0
    assert len(ticks) > 100
    assert max(gaps) < 0.1, f"the UI thread stalled for {max(gaps) * 1000:.0f} ms"
    assert results[0].provider == "openai"


def test_results_arrive_on_the_ui_thread(bridge: CoreBridge, qtbot: Any) -> None:
    import threading

    seen: list[str] = []
    job = bridge.call(lambda core: threading.current_thread().name)
    job.done.connect(lambda worker: seen.extend([worker, threading.current_thread().name]))
    failing = bridge.call(lambda core: 1 / 0)
    failing.failed.connect(lambda exc: seen.append(threading.current_thread().name))
    qtbot.waitUntil(lambda: len(seen) == 3, timeout=5_000)
    main = threading.main_thread().name
    assert seen == ["aidesk-core", main, main]


def test_new_workspace_and_switching_reaches_every_tab(window: MainWindow, qtbot: Any) -> None:
    assert len(window.tab_pages) == 1, "only the visible tab is built at start-up"
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
    assert len(window.tab_pages) == window.tabs.count()
    window.create_workspace("Padaria Pão Quente")
    qtbot.waitUntil(lambda: window.switcher.count() == 2, timeout=5_000)
    assert window.current is not None and window.current.name == "Padaria Pão Quente"
    assert all(p.workspace == window.current for p in window.tab_pages)
    assert "Padaria Pão Quente" in window.windowTitle()
    window.switcher.setCurrentIndex(window.switcher.findText("default"))
    window.switcher.activated.emit(window.switcher.currentIndex())
    assert window.current.name == "default"
    assert all(p.workspace.name == "default" for p in window.tab_pages)  # type: ignore[union-attr]
    shoot(window, "main-window")


def test_duplicate_workspace_is_reported_in_the_status_bar(window: MainWindow,
                                                          qtbot: Any) -> None:
    window.create_workspace("default")
    qtbot.waitUntil(lambda: "already exists" in window.status_label.text(), timeout=5_000)
    assert window.ctx.messenger.last is not None and window.ctx.messenger.last[0] == "error"


def test_known_errors_use_the_core_text(window: MainWindow) -> None:
    err = LimitExceeded("tokens_per_day", 1000, 990, utcnow())
    window.ctx.messenger.failure(err)
    # the core's words, with its CLI hint turned into the place in the app (aidesk.ui.hints)
    assert window.status_label.text() == for_gui(err.user_message)
    assert "aidesk config" not in window.status_label.text()
    assert not window.ctx.messenger.crash_reports


def test_a_bug_opens_a_crash_report_without_keys(window: MainWindow, qtbot: Any) -> None:
    from aidesk.redact import register_secret

    secret = "sk-proj-" + "Z9" * 20
    register_secret(secret)
    try:
        raise RuntimeError(f"boom while holding {secret}")
    except RuntimeError as exc:
        window.ctx.messenger.failure(exc)
    [report] = window.ctx.messenger.crash_reports
    assert "RuntimeError" in report and "boom" in report and secret not in report
    dialog = CrashDialog(report, window)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == report
    shoot(dialog, "crash-dialog")


def test_geometry_and_last_tab_are_restored(bridge: CoreBridge, qtbot: Any,
                                            tmp_path: Path) -> None:
    settings = QSettings(str(tmp_path / "restore.ini"), QSettings.Format.IniFormat)
    first = build_window(bridge, settings)
    qtbot.addWidget(first)
    first.show()
    first.resize(720, 560)  # the offscreen screen is 800x800: restoreGeometry clamps to it
    first.tabs.setCurrentIndex(first.tabs.count() - 1)
    first.close()
    second = build_window(bridge, settings)
    qtbot.addWidget(second)
    second.show()
    assert second.tabs.currentIndex() == second.tabs.count() - 1
    assert (second.width(), second.height()) == (720, 560)


def test_keyboard_shortcuts_switch_tabs(window: MainWindow, qtbot: Any) -> None:
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == 0


def test_smoke_starts_without_importing_provider_sdks(tmp_path: Path) -> None:
    env = {**os.environ, "AIDESK_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM":
           "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = subprocess.run([sys.executable, "-m", "aidesk", "--smoke"], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("startup: window shown in ")
    assert (tmp_path / "data" / "aidesk.db").exists()


def test_a_damaged_database_offers_the_newest_backup(data_dir: Path, keyring_backend: Any,
                                                     qtbot: Any, tmp_path: Path) -> None:
    from aidesk.storage.backup import backup_now, list_backups
    from tests.support import make_core
    from tests.ui.conftest import answer_dialog

    first = make_core(data_dir, keyring_backend)
    first.workspaces.add("Padaria Pão Quente")
    db_path = first.db.path
    first.close()
    backup_now(db_path)
    db_path.write_bytes(b"this is no longer a database " * 200)

    bridge = CoreBridge(lambda: make_core(data_dir, keyring_backend))
    win = build_window(bridge, QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    win.complete_startup()
    seen: list[str] = []
    answer_dialog("Restore backup", seen=seen)
    try:
        with qtbot.waitSignal(bridge.ready, timeout=15_000):
            bridge.start()
        assert seen and "damaged" in seen[0] and "kept aside" in seen[0]
        qtbot.waitUntil(lambda: win.current is not None, timeout=10_000)
        assert "Padaria Pão Quente" in [w.name for w in win.workspaces]
        assert [p.name for p in data_dir.iterdir() if ".broken-" in p.name], "damaged file kept"
        assert list_backups(data_dir)
    finally:
        bridge.stop()


def test_a_bug_in_the_ui_saves_a_redacted_crash_report(window: MainWindow, data_dir: Path,
                                                       qtbot: Any) -> None:
    from aidesk.redact import register_secret

    secret = "sk-proj-" + "Zq9" * 16
    register_secret(secret)

    def broken() -> None:
        raise RuntimeError(f"a bug holding {secret}")

    QTimer.singleShot(0, broken)
    messenger = window.ctx.messenger
    qtbot.waitUntil(lambda: bool(messenger.crash_reports), timeout=5_000)
    [saved] = list((data_dir / "crash-reports").glob("crash-*.txt"))
    text = saved.read_text(encoding="utf-8")
    assert "RuntimeError: a bug holding" in text and secret not in text
    assert oct(saved.stat().st_mode & 0o777) == "0o600"
    assert str(saved) in window.status_label.text()



def test_work_asked_after_the_bridge_stopped_is_cancelled(data_dir: Path, keyring_backend: Any,
                                                          qtbot: Any) -> None:
    """A reply that lands while the window closes may ask for more (a tab's refresh): that
    work is cancelled quietly, never an error from a closed event loop."""
    from tests.support import make_core

    bridge = CoreBridge(lambda: make_core(data_dir, keyring_backend))
    with qtbot.waitSignal(bridge.ready, timeout=15_000):
        bridge.start()
    bridge.stop()
    job = bridge.call(lambda core: core.workspaces.all())
    with qtbot.waitSignal(job.cancelled, timeout=5_000):
        pass
