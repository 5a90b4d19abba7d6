"""Settings (Ctrl+,): everything `aidesk config` sets, with the same rules (aidesk.settings).

Per workspace: the fallback order, the limits with their current use, the cache; per
provider: model, address and time limit; for the whole app: the overall deadline, the
language (applies at the next start), the theme and the dollar rate for costs in reais.
Values are read and saved on the worker thread; a refused value keeps the dialog open with
its one-sentence reason beside the field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aidesk import i18n
from aidesk.i18n import N_, _
from aidesk.providers import PROVIDER_IDS
from aidesk.settings import media_fields
from aidesk.ui import theme as themes
from aidesk.ui.context import UiContext
from aidesk.ui.settings_fields import (
    CheckField,
    ChoiceField,
    FallbackField,
    Field,
    TextField,
    provider_label,
)
from aidesk.ui.settings_usage import PASSWORD, load_values, save_all

if TYPE_CHECKING:
    from aidesk.workspaces import Workspace

LIMITS: tuple[tuple[str, str, str], ...] = (
    ("limits.requests_per_hour", N_("Requests per hour:"), N_("no limit")),
    ("limits.tokens_per_day", N_("Tokens per day:"), N_("no limit")),
    ("limits.cost_per_month", N_("Cost per month (US$):"), N_("no limit, e.g. 50,00")),
)
LANGUAGE_CHOICES = {"system": N_("Follow the system"), **i18n.LANGUAGES}


class SettingsDialog(QDialog):
    def __init__(self, ctx: UiContext, workspace: Workspace | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace = workspace
        self.setWindowTitle(_("Settings"))
        self.resize(720, 560)
        self.fields: dict[str, Field] = {}
        self.usage: dict[str, QLabel] = {}
        self.pages = QTabWidget()
        self.pages.addTab(self._scroll(self._workspace_page()), _("Workspace"))
        self.pages.addTab(self._scroll(self._providers_page()), _("Providers"))
        self.pages.addTab(self._scroll(self._general_page()), _("General"))
        self.pages.addTab(self._scroll(self._sync_page()), _("Sync"))
        self.status = QLabel(_("Loading the current values…"))
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setEnabled(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.fields["ui.theme"].load((themes.current() or _NoTheme()).choice)
        self.load()

    # -- pages --------------------------------------------------------------------------------
    @staticmethod
    def _scroll(page: QWidget) -> QScrollArea:
        """The page at its natural height, top-aligned (a taller window adds space below
        it, not inside its rows), scrolled when the window is shorter."""
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(page)
        column.addStretch(1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(holder)
        return area

    def _add(self, field: Field) -> Field:
        self.fields[field.key] = field
        return field

    def _workspace_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        name = self.workspace.name if self.workspace else _("no workspace open yet")
        intro = QLabel(_("These settings apply to the workspace (client) {name}.").format(
            name=f"<b>{name}</b>"))
        intro.setWordWrap(True)
        form.addRow(intro)
        order = QLabel(_("Ticked providers are tried from top to bottom; the others are "
                         "turned off."))
        order.setWordWrap(True)
        order.setProperty("role", "hint")
        form.addRow(_("Fallback order:"), self._add(FallbackField()))
        form.addRow("", order)
        for key, label, placeholder in LIMITS:
            form.addRow(_(label), self._add(TextField(key, _(placeholder),
                                                      decimal=key.endswith("month"))))
            use = QLabel()
            use.setProperty("role", "hint")
            use.setWordWrap(True)
            self.usage[key] = use
            form.addRow("", use)
        form.addRow(_("Reuse saved answers for (days):"),
                    self._add(TextField("cache.ttl_days", _("0 turns the cache off"))))
        page.setEnabled(self.workspace is not None)
        return page

    def _providers_page(self) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        for column, title in enumerate((_("Provider"), _("Model"), _("Address (base URL)"),
                                        _("Time limit (s)"))):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        for row, provider in enumerate(PROVIDER_IDS, start=1):
            grid.addWidget(QLabel(provider_label(provider)), row, 0)
            base = f"providers.{provider}"
            grid.addWidget(self._add(TextField(f"{base}.model")), row, 1)
            grid.addWidget(self._add(TextField(f"{base}.base_url", _("default"))), row, 2)
            timeout = TextField(f"{base}.timeout_s")
            timeout.line.setMaximumWidth(timeout.fontMetrics().horizontalAdvance("0000000") + 24)
            grid.addWidget(self._add(timeout), row, 3)
        row = len(PROVIDER_IDS) + 1
        for provider in PROVIDER_IDS:  # image/transcription models of providers that also chat
            for field in media_fields(provider):
                label = (_("{provider}: images") if field == "image_model"
                         else _("{provider}: transcription"))
                grid.addWidget(QLabel(label.format(provider=provider_label(provider))), row, 0)
                grid.addWidget(self._add(TextField(f"providers.{provider}.{field}",
                                                   _("default"))), row, 1)
                row += 1
        note = QLabel(_("Keys are added on each provider's card in Integrations. The time "
                        "limit is the longest a provider may stay silent (1–600 s)."))
        note.setWordWrap(True)
        note.setProperty("role", "hint")
        grid.addWidget(note, row, 0, 1, 4)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(2, 3)
        grid.setRowStretch(row + 1, 1)
        page.setEnabled(self.workspace is not None)
        return page

    def _general_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(_("Longest wait for an answer (s):"),
                    self._add(TextField("calls.deadline_s", "120")))
        form.addRow(_("Language:"), self._add(ChoiceField("ui.language", LANGUAGE_CHOICES)))
        restart = QLabel(_("A new language applies when AIDesk starts again."))
        restart.setProperty("role", "hint")
        form.addRow("", restart)
        form.addRow(_("Theme:"), self._add(ChoiceField("ui.theme", themes.CHOICES)))
        form.addRow(_("Reais per US dollar:"), self._add(
            TextField("currency.brl_per_usd", _("e.g. 5,40 (empty: costs in US$ only)"),
                      decimal=True)))
        form.addRow(_("Chat:"), self._add(CheckField(
            "chat.auto_translate", _("Translate incoming messages to Portuguese automatically"))))
        form.addRow(_("Bulk messages written at once:"),
                    self._add(TextField("bulk.concurrency", _("4 (from 1 to 32)"))))
        form.addRow(_("Delete audit rows after (days):"), self._add(
            TextField("audit.retention_days", _("empty: keep them all"))))
        form.addRow(_("Audit log:"), self._add(CheckField(
            "audit.keep_text", _("Keep prompts and answers (off: times, providers and "
                                 "costs only)"))))
        return page

    def _sync_page(self) -> QWidget:
        from aidesk.ui.sync.settings_page import SyncPage

        self.sync_page = SyncPage(self.ctx, self.workspace)
        self._add(self.sync_page.dsn)
        return self.sync_page

    # -- load and save ------------------------------------------------------------------------
    def load(self) -> None:
        ws = self.workspace
        job = self.ctx.bridge.call(lambda core: load_values(core, ws))
        job.done.connect(self._loaded)
        job.failed.connect(self._load_failed)

    def _loaded(self, loaded: tuple[dict[str, str], dict[str, str], dict[str, str]]) -> None:
        values, use, locked = loaded
        for key, value in values.items():
            if key in self.fields:
                self.fields[key].load(value)
        for key, label in self.usage.items():
            label.setText(use.get(key, _("No limit set.")))
        for key, field in self.fields.items():
            field.set_locked(locked.get(key))
        self.status.setText(_("Settings with a lock are set by your team's policy and cannot "
                              "be changed here.") if set(locked) & set(self.fields) else "")
        self.save_button.setEnabled(True)

    def _load_failed(self, exc: BaseException) -> None:
        self.ctx.messenger.failure(exc, self)
        self.status.setText(_("The settings could not be read; see the message below the "
                              "window."))

    def changes(self) -> dict[str, str]:
        return {key: field.value() for key, field in self.fields.items()
                if key != "ui.theme" and field.locked is None and field.changed()}

    def save(self) -> None:
        for field in self.fields.values():
            field.set_error(None)
        theme_field = self.fields["ui.theme"]
        theme = themes.current()
        if theme is not None and theme_field.changed():
            theme.set_choice(theme_field.value())
            theme_field.load(theme_field.value())
        changes = self.changes()
        password = self.sync_page.typed_password()
        if not changes and password is None:
            self.accept()
            return
        self.save_button.setEnabled(False)
        self.status.setText(_("Saving…"))
        ws = self.workspace
        job = self.ctx.bridge.run(lambda core: save_all(core, ws, changes, password))
        job.done.connect(lambda result: self._saved(changes, *result, password=password))
        job.failed.connect(self._save_failed)

    def _saved(self, changes: dict[str, str], errors: dict[str, str], notes: list[str],
               values: dict[str, str], *, password: str | None = None) -> None:
        self.save_button.setEnabled(True)
        for key, value in values.items():
            if key in self.fields and key not in errors:
                self.fields[key].load(value)
        refused = errors.pop(PASSWORD, None)
        if password is not None and refused is None:
            self.sync_page.password.clear()
            self.sync_page.password_stored(True)
        if set(changes) - set(errors) or (password is not None and refused is None):
            self.ctx.bridge.configs_changed.emit()
        if refused is not None:
            self.sync_page.say("error", refused)
            self.pages.setCurrentIndex(self.pages.count() - 1)
            self.sync_page.password.setFocus()
            self.status.setText(_("The password was not saved: see the Sync page."))
        if errors:
            for key, message in errors.items():
                self.fields[key].set_error(message)
            first = self.fields[next(iter(errors))]
            self._show_page_of(first)
            first.editor.setFocus()
            self.status.setText(_("Some values were not saved: see the messages beside them."))
            return
        if refused is not None:
            return
        from aidesk.ui.hints import for_gui

        text = _("Settings saved.")
        if "ui.language" in changes:
            text += " " + _("The new language applies when AIDesk starts again.")
        self.ctx.messenger.info(" ".join([text, *(for_gui(n) for n in notes)]))
        self.accept()

    def _save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.status.setText("")
        self.ctx.messenger.failure(exc, self)

    def _show_page_of(self, field: Field) -> None:
        for index in range(self.pages.count()):
            page = self.pages.widget(index)
            if page is not None and page.isAncestorOf(field):
                self.pages.setCurrentIndex(index)


class _NoTheme:
    choice = themes.SYSTEM

