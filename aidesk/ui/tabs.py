"""The main window's tabs, in order: (title, "module:Class"). Adding a tab is one line here.
Titles are marked with `N_()` and translated where shown.

Tabs are imported and built when first shown, so start-up pays only for the visible one.
"""

from __future__ import annotations

import importlib

from aidesk.i18n import N_
from aidesk.ui.context import UiContext, WorkspaceTab

TABS: list[tuple[str, str]] = [
    (N_("&Integrations"), "aidesk.ui.integrations.tab:IntegrationsTab"),
    (N_("&Assistant"), "aidesk.ui.assistant.tab:AssistantTab"),
    (N_("&Chat"), "aidesk.ui.chat.tab:ChatTab"),
    (N_("&Leads"), "aidesk.ui.leads.tab:LeadsTab"),
    (N_("Bul&k messages"), "aidesk.ui.bulk.tab:BulkTab"),
    (N_("I&mages"), "aidesk.ui.images.tab:ImagesTab"),
    (N_("Mee&tings"), "aidesk.ui.meetings.tab:MeetingsTab"),
    (N_("&Usage"), "aidesk.ui.usage.tab:UsageTab"),
    (N_("Au&dit"), "aidesk.ui.audit.tab:AuditTab"),
]


def build_tab(target: str, ctx: UiContext) -> WorkspaceTab:
    module, _, name = target.partition(":")
    page: WorkspaceTab = getattr(importlib.import_module(module), name)(ctx)
    return page
