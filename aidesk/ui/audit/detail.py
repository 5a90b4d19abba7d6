"""The Audit tab's detail pane: one call in full (figures, fallback hops, error, prompt and
answer), as read-only text the user can select and copy."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QTextBrowser, QWidget

from aidesk import formats
from aidesk.errors import hop_reason
from aidesk.features.audit_log import AuditDetail
from aidesk.i18n import _
from aidesk.ui.audit.model import outcome_text


def _field(label: str, value: str) -> str:
    return f"<tr><td><b>{escape(label)}</b></td><td>{escape(value)}</td></tr>"


def _block(title: str, text: str | None, missing: str) -> str:
    body = escape(text) if text else f"<i>{escape(missing)}</i>"
    return f"<h4>{escape(title)}</h4><pre style='white-space: pre-wrap'>{body}</pre>"


def detail_html(item: AuditDetail, brl_per_usd: float | None = None) -> str:
    row = item.row
    tokens = "—"
    if item.prompt_tokens is not None or item.completion_tokens is not None:
        tokens = _("{prompt} in, {completion} out").format(
            prompt=formats.number(item.prompt_tokens or 0),
            completion=formats.number(item.completion_tokens or 0))
    elif row.tokens is not None:
        tokens = formats.number(row.tokens)
    latency = "—" if item.latency_ms is None else _("{ms} ms").format(
        ms=formats.number(item.latency_ms))
    cost = formats.money(item.cost_usd, brl_per_usd)
    if item.cached:
        cost += " · " + _("answered from the cache")
    masked = _("yes: a key-shaped text was masked") if item.masked else _("nothing masked")
    rows = [
        _field(_("Time"), formats.date_time(row.created_at)),
        _field(_("Outcome"), outcome_text(row.outcome)),
        _field(_("Provider"), f"{row.provider or '—'} · {row.model or '—'}"),
        _field(_("Module"), row.module or "—"), _field(_("User"), row.user_id or "—"),
        _field(_("Tokens"), tokens), _field(_("Cost"), cost), _field(_("Response time"), latency),
        _field(_("Keys masked"), masked), _field(_("Request"), item.request_id),
    ]
    if item.finish_reason:
        rows.append(_field(_("Finish reason"), item.finish_reason
                           + (" · " + _("cut short") if row.truncated else "")))
    parts = [f"<table cellspacing='4'>{''.join(rows)}</table>"]
    if row.error:
        error = _("Error")  # outside the f-string: pybabel skips calls inside one
        parts.append(f"<h4>{escape(error)}</h4><p style='color:#c62828'>"
                     f"{escape(row.error)}</p>")
    if item.hops:
        hops = "".join(f"<li>{escape(h.provider)} · {escape(h.model or '—')}: "
                       f"{escape(hop_reason(h.reason) if h.reason else '—')}</li>"
                       for h in item.hops)
        tried = _("Providers tried before")
        parts.append(f"<h4>{escape(tried)}</h4><ol>{hops}</ol>")
    not_kept = _("Not kept: this workspace keeps no prompts or answers in the audit log.")
    parts.append(_block(_("Prompt"), item.prompt, not_kept))
    parts.append(_block(_("Answer"), item.response,
                        not_kept if item.prompt is None else _("No answer.")))
    return "".join(parts)


def _note(text: str) -> str:
    return f"<p><i>{escape(text)}</i></p>"


class DetailPane(QTextBrowser):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(_("Call details"))
        self.setOpenLinks(False)
        self.clear_detail()

    def clear_detail(self) -> None:
        self.setHtml(_note(_("Pick a call to see it in full.")))

    def show_detail(self, item: AuditDetail | None, brl_per_usd: float | None = None) -> None:
        if item is None:
            self.setHtml(_note(_("This call is no longer in the audit log.")))
        else:
            self.setHtml(detail_html(item, brl_per_usd))
