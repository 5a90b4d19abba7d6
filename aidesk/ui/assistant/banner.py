"""The limit banner: the router's 80% warning and a refused call, with when the limit resets."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from aidesk import formats
from aidesk.errors import limit_label
from aidesk.i18n import N_, _, babel_locale

STYLES = {
    "warning": "QFrame#limit-banner { background: #fff4d6; border: 1px solid #e0b341;"
               " border-radius: 4px; } QLabel { color: #4a3500; }",
    "refused": "QFrame#limit-banner { background: #fde7e9; border: 1px solid #d9534f;"
               " border-radius: 4px; } QLabel { color: #6b0f14; }",
}
# The limits' names as the banner says them (the core's words, also in this catalogue).
LIMIT_NAMES = {
    "requests_per_hour": N_("requests per hour"),
    "tokens_per_day": N_("tokens per day"),
    "cost_per_month": N_("cost per month (USD)"),
}


def limit_name(limit: str) -> str:
    return _(LIMIT_NAMES[limit]) if limit in LIMIT_NAMES else _(limit_label(limit))


def amount(limit: str, value: float, brl_per_usd: float | None = None) -> str:
    if limit == "cost_per_month":
        return formats.money(value, brl_per_usd)
    return formats.number(value)


def share(used: float, value: float) -> str:
    """ (80%)": how much of the limit is used, by locale; empty without a limit."""
    if not value:
        return ""
    from babel.numbers import format_percent

    return f" ({format_percent(used / value, locale=babel_locale())})"


def reset_time(resets_at: datetime, now: datetime | None = None) -> str:
    """When a limit resets, in local time: "at 15:00" today, else with the date."""
    local = formats.local(resets_at)
    today = formats.local(now or datetime.now().astimezone()).date()
    if local.date() == today:
        return _("at {time} (local time)").format(time=formats.time_of_day(local))
    return _("on {date} at {time} (local time)").format(
        date=formats.date(local), time=formats.time_of_day(local))


class LimitBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("limit-banner")
        self.kind: str | None = None
        self.brl_per_usd: float | None = None  # reais per dollar, when a rate is set
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton(_("Dismiss"))
        self.dismiss.setAccessibleName(_("Dismiss the limit message"))
        self.dismiss.clicked.connect(self.clear)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_warning(self, limit: str, used: float, value: float, resets_at: datetime) -> None:
        if self.kind == "refused":
            return  # the refusal says more; keep it
        text = _("<b>Almost at a limit:</b> counting this call, the workspace is at {used} of "
                 "{value} {limit}{share}. It resets {when}.")
        if used >= value:
            text = _("<b>Limit used up:</b> counting this call, the workspace is at {used} of "
                     "{value} {limit}{share}. New calls will be refused until it resets "
                     "{when}.")
        rate = self.brl_per_usd
        self._show("warning", text.format(
            used=amount(limit, used, rate), value=amount(limit, value, rate),
            limit=limit_name(limit), share=share(used, value), when=reset_time(resets_at)))

    def show_refusal(self, limit: str, used: float, value: float,
                     resets_at: datetime) -> None:
        rate = self.brl_per_usd
        self._show("refused", _(
            "<b>Limit reached:</b> this workspace's {limit} limit is {value} (used {used}), so "
            "the call was not made. It resets {when}. Wait until then, or ask your admin to "
            "raise the limit.").format(
                limit=limit_name(limit), value=amount(limit, value, rate),
                used=amount(limit, used, rate), when=reset_time(resets_at)))

    def _show(self, kind: str, html: str) -> None:
        self.kind = kind
        self.setStyleSheet(STYLES[kind])
        self.text.setText(html)
        self.setAccessibleDescription(self.text.text())
        self.show()

    def message(self) -> str:
        """The banner's text without markup."""
        return self.text.text().replace("<b>", "").replace("</b>", "")

    def clear(self) -> None:
        self.kind = None
        self.text.clear()
        self.hide()
