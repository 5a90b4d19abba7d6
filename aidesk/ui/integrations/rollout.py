"""An Integrations card's "Roll out to team…": after the stored key passed a test in this
session and the user confirmed the tenant and provider by name, the key goes to the team's
central `ai_configs` (aidesk.sync.rollout), and the outcome to the card and the status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidesk.i18n import _
from aidesk.ui.names import provider_name

if TYPE_CHECKING:
    from aidesk.core import Core
    from aidesk.ui.integrations.provider_card import ProviderCard
    from aidesk.workspaces import Workspace


def roll_out(card: ProviderCard) -> None:
    ws, config, label = card.workspace, card.config, provider_name(card.provider)
    if ws is None or config is None or not card.rollout_button.isEnabled():
        return
    if not card.ctx.messenger.ask(
            card, _("Roll out key to team"),
            _("Roll out the {provider} key ({mask}) of workspace {workspace} to your "
              "team's central database, for tenant {tenant}?\n\nThe platform's servers "
              "will use this key for every call of tenant {tenant}. The rollout is "
              "recorded in the audit log.").format(
                  provider=label, mask=config.key_mask, workspace=ws.name,
                  tenant=ws.tenant_id),
            _("Roll out to {tenant}").format(tenant=ws.tenant_id)):
        card.say("info", _("Nothing was rolled out."))
        return
    provider = card.provider

    async def work(core: Core) -> None:
        from aidesk.ui.sync.work import roll_out as send

        await send(core, ws, provider)

    card.rollout_button.setEnabled(False)
    card.say("busy", _("Rolling the {provider} key out to tenant {tenant}…").format(
        provider=label, tenant=ws.tenant_id))
    job = card.ctx.bridge.run(work)
    card.on_job(job, lambda _r: _rolled_out(card, ws, label))
    job.failed.connect(lambda _e: card.update_rollout())


def _rolled_out(card: ProviderCard, ws: Workspace, label: str) -> None:
    card.update_rollout()
    text = _("Rolled out: the platform's servers now use this {provider} key for tenant "
             "{tenant}.").format(provider=label, tenant=ws.tenant_id)
    card.say("verified", text)
    card.ctx.messenger.info(text)
