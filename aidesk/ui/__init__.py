"""The desktop app (PySide6). It only presents the core: all work goes through `CoreBridge`."""
