"""The AI picker every module uses: Automatic, or one configured provider and its model.

The user's choice is stored per workspace, user and module in the database (so sync can
carry it) and restored when the workspace is shown again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QSizePolicy, QWidget

from aidesk.i18n import N_, _
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.ui.context import UiContext
    from aidesk.workspaces import ProviderConfig, Workspace

AUTOMATIC = N_("Automatic (fallback order)")  # translated where shown
Choice = tuple[str | None, str | None]
_TOOLTIP_ROLE = Qt.ItemDataRole.ToolTipRole


def choice_label(provider: str, model: str) -> str:
    """ "Anthropic (Claude) — claude-3-5-haiku-latest": the provider's name and the model."""
    return f"{provider_name(provider)} — {model}"


class AISelector(QComboBox):
    """Lists "Automatic" and every enabled provider that has a key (or needs none)."""

    choice_changed = Signal(object, object)  # provider, model (None, None: automatic)
    loaded = Signal()  # the list and the stored choice are shown

    def __init__(self, ctx: UiContext, module: str, parent: QWidget | None = None, *,
                 capability: str = "chat") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.module = module
        self.capability = capability  # only providers that do it are offered
        self.workspace: Workspace | None = None
        self._generation = 0  # drops answers of loads that a newer load replaced
        self.setAccessibleName(_("AI provider"))
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(26)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fill([], None)
        self.activated.connect(self._user_chose)
        ctx.bridge.configs_changed.connect(self.reload)
        ctx.bridge.router_event.connect(self._router_event)

    # -- public -------------------------------------------------------------------------------
    def choice(self) -> Choice:
        data = self.currentData()
        return (data[0], data[1]) if data else (None, None)

    def providers(self) -> list[str]:
        """The providers offered, in fallback order."""
        return [self.itemData(i)[0] for i in range(1, self.count())]

    def set_workspace(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.reload()

    def reload(self) -> None:
        """Load the usable providers and the stored choice on the worker, then show them."""
        ws = self.workspace
        if ws is None:
            return
        self._generation += 1
        generation, module, capability = self._generation, self.module, self.capability

        def load(core: Core) -> tuple[list[ProviderConfig], Any]:
            from aidesk.providers import can
            from aidesk.router.route import model_for

            configs = core.workspaces.configs(ws.tenant_id)
            usable = [replace(c, model=model_for(c, capability)) for c in configs.values()
                      if c.enabled and c.has_key and can(c.provider, capability)]
            return usable, core.workspaces.preference(ws.tenant_id, core.user_id, module)

        job = self.ctx.bridge.call(load)
        job.done.connect(lambda result: self._loaded(generation, *result))
        job.failed.connect(lambda exc: self._load_failed(generation, exc))

    # -- internals ----------------------------------------------------------------------------
    def _loaded(self, generation: int, configs: list[ProviderConfig],
                preference: tuple[str, str | None] | None) -> None:
        if generation != self._generation:
            return
        before = self.choice()
        self._fill(configs, preference[0] if preference else None)
        if self.choice() != before:
            self.choice_changed.emit(*self.choice())
        self.loaded.emit()

    def _load_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self.ctx.messenger.failure(exc, self)

    def _fill(self, configs: list[ProviderConfig], preferred: str | None) -> None:
        self.blockSignals(True)
        self.clear()
        self.addItem(_(AUTOMATIC), None)
        self.setItemData(0, _("Use the workspace's fallback order: the first provider that "
                              "works answers."), _TOOLTIP_ROLE)
        for config in configs:
            label = choice_label(config.provider, config.model)
            name = provider_name(config.provider)
            tip = _("{provider}, model {model}").format(provider=name, model=config.model)
            if config.last_test_status == "rejected":
                label = _("{choice} (key failing)").format(choice=label)
                tip = _("{provider}, model {model}. The last key test failed: replace the key "
                        "in Integrations.").format(provider=name, model=config.model)
            self.addItem(label, (config.provider, config.model))
            self.setItemData(self.count() - 1, tip, _TOOLTIP_ROLE)
        index = next((i for i in range(1, self.count())
                      if self.itemData(i)[0] == preferred), 0)
        self.setCurrentIndex(index)
        self.blockSignals(False)
        if not configs:
            self.setToolTip(_("No AI provider is set up in this workspace yet. Add a key in "
                              "Integrations."))
        else:
            self.setToolTip(self.itemData(index, _TOOLTIP_ROLE) or "")

    def _user_chose(self, index: int) -> None:
        provider, model = self.choice()
        self.setToolTip(self.itemData(index, _TOOLTIP_ROLE) or "")
        self.choice_changed.emit(provider, model)
        ws, module = self.workspace, self.module
        if ws is None:
            return
        job = self.ctx.bridge.call(lambda core: core.workspaces.set_preference(
            ws.tenant_id, core.user_id, module, provider, model))
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _router_event(self, event: object) -> None:
        # A rejected key changes what the list shows ("key failing").
        from aidesk.router.results import KeyRejected

        ws = self.workspace
        if isinstance(event, KeyRejected) and ws is not None and event.tenant_id == ws.tenant_id:
            self.reload()

