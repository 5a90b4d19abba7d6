"""Help → About (version, data folder, keyring backend) and F1 help (what to do where)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from aidesk import __version__
from aidesk.i18n import N_, _
from aidesk.ui.context import UiContext

if TYPE_CHECKING:
    from aidesk.core import Core

README = Path(__file__).resolve().parent.parent.parent / "README.md"
HELP: tuple[tuple[str, str], ...] = (
    (N_("Start here"), N_(
        "Each agency client is a workspace: pick it at the top of the window, or create one "
        "with New workspace (Ctrl+N).")),
    (N_("Integrations (Ctrl+1)"), N_(
        "Paste the API key of a provider, press Test connection, then Save key. Keys stay in "
        "your computer's keyring. Drag the providers on the right to set the order in which "
        "they are tried.")),
    (N_("Assistant (Ctrl+2)"), N_(
        "Pick a task, describe the product and press Generate (Ctrl+Enter). Refine the text "
        "with a follow-up such as \"shorter\" or \"more formal\", or open History to reopen, "
        "copy or reuse a past result.")),
    (N_("Settings (Ctrl+,)"), N_(
        "Fallback order, limits and their current use, how long answers are reused, time "
        "limits, language, theme and the dollar rate for costs in reais.")),
    (N_("Shortcuts"), N_(
        "Ctrl+Enter generate · Esc stop · Ctrl+C / Ctrl+V copy and paste · Ctrl+, settings · "
        "F1 this help · Ctrl+Q quit.")),
)


def help_html() -> str:
    parts = [f"<h3>{html.escape(_(title))}</h3><p>{html.escape(_(body))}</p>"
             for title, body in HELP]
    if README.exists():
        parts.append("<p>" + html.escape(_("The full manual (in English):")) +
                     f' <a href="{QUrl.fromLocalFile(str(README)).toString()}">README.md</a></p>')
    return "".join(parts)


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("AIDesk help"))
        self.resize(560, 480)
        layout = QVBoxLayout(self)
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setHtml(help_html())
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def keyring_line(core: Core) -> str:
    """The keyring backend and whether keys can be kept there (runs on the worker)."""
    from aidesk.errors import AIDeskError

    try:
        name = core.keys.backend_name
        core.keys.check()
    except AIDeskError:
        return _("{backend} (unusable: keys cannot be saved)").format(
            backend=_safe_name(core))
    return _("{backend} (usable)").format(backend=name)


def _safe_name(core: Core) -> str:
    try:
        return core.keys.backend_name
    except Exception:
        return _("none")


class AboutDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About AIDesk"))
        layout = QVBoxLayout(self)
        head = QLabel("<h2>AIDesk</h2><p>" + html.escape(
            _("A desktop AI workbench for marketing and sales agencies.")) + "</p>")
        layout.addWidget(head)
        form = QFormLayout()
        self.version = QLabel(__version__)
        self.data_dir = QLabel(_("Opening your data…"))
        self.keyring = QLabel(_("Checking…"))
        for label in (self.version, self.data_dir, self.keyring):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(_("Version:"), self.version)
        form.addRow(_("Data folder:"), self.data_dir)
        form.addRow(_("Key storage:"), self.keyring)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())
        if ctx.bridge.core is not None:
            job = ctx.bridge.call(lambda core: (str(core.data_dir), keyring_line(core)))
            job.done.connect(self._facts)
            job.failed.connect(lambda exc: self.keyring.setText(_("unknown")))

    def _facts(self, facts: tuple[str, str]) -> None:
        self.data_dir.setText(facts[0])
        self.keyring.setText(facts[1])
