"""Baseline for bench/startup.py: a bare PySide6 main window, shown the way AIDesk shows its."""

import os
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

from aidesk.ui.clock import process_age_ms

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1100, 760)
window.show()
QTimer.singleShot(0, lambda: (print(f"startup: window shown in {process_age_ms():.0f} ms\n"
                                    f"epochs: {time.time():.6f}", flush=True), app.exit(0)))
sys.exit(app.exec())
