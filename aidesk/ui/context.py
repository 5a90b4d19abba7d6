"""What every tab receives: the bridge to the core, the message channel, the current workspace."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from aidesk.ui.bridge import CoreBridge
from aidesk.ui.messages import Messenger

if TYPE_CHECKING:
    from aidesk.workspaces import Workspace



class UiContext:
    def __init__(self, bridge: CoreBridge, messenger: Messenger) -> None:
        self.bridge = bridge
        self.messenger = messenger


class WorkspaceTab(QWidget):
    """A main-window tab. Adding a tab = a subclass plus one line in `aidesk.ui.tabs`."""

    title = ""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.workspace: Workspace | None = None

    def set_workspace(self, workspace: Workspace) -> None:
        """Show this workspace's data (called on start-up and on every switch)."""
        self.workspace = workspace
