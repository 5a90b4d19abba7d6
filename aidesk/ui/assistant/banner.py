"""The limit banner: the router's 80% warning and a refused call, with when the limit resets."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from aidesk.errors import limit_label

STYLES = {
    "warning": "QFrame#limit-banner { background: #fff4d6; border: 1px solid #e0b341;"
               " border-radius: 4px; } QLabel { color: #4a3500; }",
    "refused": "QFrame#limit-banner { background: #fde7e9; border: 1px solid #d9534f;"
               " border-radius: 4px; } QLabel { color: #6b0f14; }",
}


def amount(limit: str, value: float) -> str:
    return f"US$ {value:,.2f}" if limit == "cost_per_month" else f"{value:,.0f}"


def reset_time(resets_at: datetime, now: datetime | None = None) -> str:
    """When a limit resets, in local time: "at 15:00" today, else with the date."""
    local = resets_at.astimezone()
    today = (now or datetime.now().astimezone()).date()
    if local.date() == today:
        return f"at {local:%H:%M} (local time)"
    return f"on {local:%d %b} at {local:%H:%M} (local time)"


class LimitBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("limit-banner")
        self.kind: str | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setAccessibleName("Dismiss the limit message")
        self.dismiss.clicked.connect(self.clear)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_warning(self, limit: str, used: float, value: float, resets_at: datetime) -> None:
        if self.kind == "refused":
            return  # the refusal says more; keep it
        share = f" ({used / value:.0%})" if value else ""
        head, then = ("Almost at a limit", "It resets")
        if used >= value:
            head, then = ("Limit used up", "New calls will be refused until it resets")
        self._show("warning", (
            f"<b>{head}:</b> counting this call, the workspace is at {amount(limit, used)} "
            f"of {amount(limit, value)} {limit_label(limit)}{share}. {then} "
            f"{reset_time(resets_at)}."))

    def show_refusal(self, limit: str, used: float, value: float,
                     resets_at: datetime) -> None:
        self._show("refused", (
            f"<b>Limit reached:</b> this workspace's {limit_label(limit)} limit is "
            f"{amount(limit, value)} (used {amount(limit, used)}), so the call was not made. "
            f"It resets {reset_time(resets_at)}. Wait until then, or ask your admin to raise "
            f"the limit."))

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
