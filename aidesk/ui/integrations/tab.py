"""The Integrations tab: one card per provider, Check all keys, and the fallback order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aidesk.i18n import N_, _, ngettext
from aidesk.providers import PROVIDER_IDS
from aidesk.ui.context import UiContext, WorkspaceTab
from aidesk.ui.integrations.fallback_list import FallbackList
from aidesk.ui.integrations.outcome import REJECTED, UNVERIFIED, VERIFIED, tone_style
from aidesk.ui.integrations.provider_card import ProviderCard
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.router.keycheck import KeyCheck
    from aidesk.workspaces import ProviderConfig, Workspace


class IntegrationsTab(WorkspaceTab):
    title = N_("Integrations")

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.configs: dict[str, ProviderConfig] = {}
        self._generation = 0

        intro = QLabel(_("Connect this workspace (client) to its AI providers. Paste a key, "
                         "press Test connection, then Save key. Keys are kept only in the OS "
                         "keyring; AIDesk shows just a masked form such as sk-…a1b2."))
        intro.setWordWrap(True)

        self.check_all_button = QPushButton(_("&Check all keys"))
        self.check_all_button.setToolTip(_("Test every saved key with a real call, all at once"))
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumWidth(160)
        self.progress.setAccessibleName(_("Checking keys"))
        self.progress.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.hide()
        top = QHBoxLayout()
        top.addWidget(self.check_all_button, 0, Qt.AlignmentFlag.AlignLeft)
        top.addWidget(self.progress)
        top.addWidget(self.summary, 1)

        self.cards: dict[str, ProviderCard] = {}
        column = QWidget()
        cards_layout = QVBoxLayout(column)
        for provider in PROVIDER_IDS:
            card = ProviderCard(ctx, provider)
            card.changed.connect(self._card_changed)
            self.cards[provider] = card
            cards_layout.addWidget(card)
        cards_layout.addStretch(1)
        self.card_scroll = QScrollArea()
        self.card_scroll.setWidgetResizable(True)
        self.card_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.card_scroll.setWidget(column)

        self.fallback = FallbackList()
        self.fallback.setMinimumWidth(270)
        self.fallback.setMaximumWidth(340)
        self.fallback.reordered.connect(self.save_order)

        body = QHBoxLayout()
        body.addWidget(self.card_scroll, 1)
        body.addWidget(self.fallback)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(top)
        layout.addLayout(body, 1)

        self.check_all_button.clicked.connect(lambda: self.check_all())
        self.check_all_button.setEnabled(False)
        ctx.bridge.configs_changed.connect(lambda: self.check_sync())  # sync.dsn saved

    # -- loading ------------------------------------------------------------------------------
    def set_workspace(self, workspace: Workspace) -> None:
        super().set_workspace(workspace)
        self._generation += 1
        self.summary.hide()
        self.progress.hide()
        self.check_all_button.setEnabled(False)
        tenant = workspace.tenant_id
        self._load(lambda core: core.workspaces.configs(tenant), self._fill)
        self.check_sync()

    def check_sync(self) -> None:
        """"Roll out to team…" shows only while the workspace syncs with a central database."""
        ws = self.workspace
        if ws is None:
            return

        def synced(core: Core) -> bool:
            from aidesk.sync.target import dsn_of

            return dsn_of(core.db, ws.tenant_id) is not None

        self._load(synced, self._show_rollout)

    def _show_rollout(self, synced: bool) -> None:
        for card in self.cards.values():
            card.rollout_button.setVisible(synced and card.meta.needs_key)

    def _load(self, fn: Any, then: Any) -> None:
        generation = self._generation
        job = self.ctx.bridge.call(fn)
        job.done.connect(lambda result: None if generation != self._generation else then(result))
        job.failed.connect(lambda exc: self.ctx.messenger.failure(exc, self))

    def _fill(self, configs: dict[str, ProviderConfig]) -> None:
        assert self.workspace is not None
        self.configs = configs
        for provider, config in configs.items():
            self.cards[provider].set_config(self.workspace, config, reset=True)
        self.fallback.set_configs(list(configs.values()))
        self.check_all_button.setEnabled(True)

    def _card_changed(self, _config: ProviderConfig) -> None:
        """A card saved something: refresh the fallback list and tell the other tabs."""
        if self.workspace is None:
            return
        tenant = self.workspace.tenant_id
        self._load(lambda core: core.workspaces.configs(tenant), self._refresh)
        self.ctx.bridge.configs_changed.emit()

    def _refresh(self, configs: dict[str, ProviderConfig]) -> None:
        self.configs = configs
        self.fallback.set_configs(list(configs.values()))

    # -- fallback order -----------------------------------------------------------------------
    def save_order(self, order: list[str]) -> None:
        ws = self.workspace
        if ws is None:
            return

        def work(core: Core) -> dict[str, ProviderConfig]:
            core.workspaces.set_fallback_order(ws.tenant_id, order)
            return core.workspaces.configs(ws.tenant_id)

        def saved(configs: dict[str, ProviderConfig]) -> None:
            self._refresh(configs)
            for provider, config in configs.items():
                self.cards[provider].set_config(ws, config, reset=False)
            names = ", ".join(provider_name(p) for p in configs)
            self.ctx.messenger.info(_("Fallback order saved: {providers}.").format(
                providers=names))
            self.ctx.bridge.configs_changed.emit()

        self._load(work, saved)

    # -- check all keys -----------------------------------------------------------------------
    def check_all(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        testable = [p for p, c in self.configs.items() if c.stored and c.has_key]
        if not testable:
            self._summary("info", _("No saved keys to check yet: add a key to a provider first."))
            return
        for provider in testable:
            self.cards[provider].set_checking(True)
        self.check_all_button.setEnabled(False)
        self.progress.show()
        self._summary("busy", ngettext("Testing {count} provider…",
                                       "Testing {count} providers at once…",
                                       len(testable)).format(count=len(testable)))

        async def work(core: Core) -> tuple[list[KeyCheck], dict[str, ProviderConfig]]:
            from aidesk.router.keycheck import check_workspace

            results = await check_workspace(core.workspaces, core.keys, ws)
            return results, core.workspaces.configs(ws.tenant_id)

        generation = self._generation
        job = self.ctx.bridge.run(work)
        job.done.connect(lambda r: None if generation != self._generation else self._checked(*r))
        job.failed.connect(lambda e: None if generation != self._generation
                           else self._check_failed(e, testable))

    def _checked(self, results: list[KeyCheck], configs: dict[str, ProviderConfig]) -> None:
        assert self.workspace is not None
        self.progress.hide()
        self.check_all_button.setEnabled(True)
        for provider, config in configs.items():
            card = self.cards[provider]
            card.set_checking(False)
            card.set_config(self.workspace, config, reset=False)
        for check in results:
            self.cards[check.provider].show_check(check)
            if check.ok:  # a stored key passed: it may be rolled out
                self.cards[check.provider].verified_stored()
        self._refresh(configs)
        counts = {k: sum(r.outcome == k for r in results)
                  for k in (VERIFIED, REJECTED, UNVERIFIED)}
        n_ok, n_bad, n_unsure = (counts[k] for k in (VERIFIED, REJECTED, UNVERIFIED))
        parts = [ngettext("{count} verified", "{count} verified", n_ok).format(count=n_ok)]
        if n_bad:
            parts.append(ngettext("{count} rejected (replace that key)",
                                  "{count} rejected (replace those keys)", n_bad
                                  ).format(count=n_bad))
        if n_unsure:
            parts.append(ngettext("{count} not verified (test again later)",
                                  "{count} not verified (test again later)", n_unsure
                                  ).format(count=n_unsure))
        worst = REJECTED if counts[REJECTED] else UNVERIFIED if counts[UNVERIFIED] else VERIFIED
        summary = _("Checked all keys: {results}.").format(results=", ".join(parts))
        self._summary(worst, summary)
        self.ctx.messenger.info(summary)
        self.ctx.bridge.configs_changed.emit()

    def _check_failed(self, exc: BaseException, providers: list[str]) -> None:
        self.progress.hide()
        self.check_all_button.setEnabled(True)
        self.ctx.messenger.failure(exc, self)
        for provider in providers:
            self.cards[provider].show_error(exc)
        self._summary("error", _("Check all keys stopped before it finished; see the cards."))

    def _summary(self, tone: str, text: str) -> None:
        self.summary.setStyleSheet(tone_style(tone))
        self.summary.setText(text)
        self.summary.show()
