"""What a bulk-message job will cost before it runs (no Qt).

Tokens: each pending lead's prompt is built as it will be sent and measured; the preview's
real answers give the characters per prompt token and the tokens of an answer (their
averages). Without a usable preview, 4 characters a token and 200 tokens an answer (said
so: `calibrated` is False). The price is the router's (aidesk.router.pricing,
genai-prices) for the provider and model the workspace's order puts first for module
"bulk"; a model without a known price gives no figure and says so.

The workspace limits are compared with what the batch needs: when one would stop the run
part way, the estimate says which, and after how many messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aidesk import formats
from aidesk.features import bulk_jobs as jobs
from aidesk.features.bulk import MODULE, SYSTEM, prompt_for, split_brief
from aidesk.features.bulk_jobs import Job
from aidesk.i18n import _, ngettext
from aidesk.providers.base import Usage
from aidesk.router import Router, pricing
from aidesk.storage import Database
from aidesk.workspaces import Workspace

CHARS_PER_TOKEN = 4.0  # without a preview to measure
ANSWER_TOKENS = 200


@dataclass(frozen=True, slots=True)
class Estimate:
    provider: str
    model: str
    leads: int  # messages still to write
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None: no known price for the model
    spent_usd: float | None  # what the messages already written cost (the preview)
    written: int  # messages already written
    calibrated: bool  # measured on the preview's answers
    notes: tuple[str, ...] = field(default=())  # limits the batch will run into

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def describe(self, brl_per_usd: float | None = None) -> str:
        """One paragraph for the user: the cost of the rest, then what is already spent."""
        from aidesk.providers import named

        who = f"{named(self.provider)} {self.model}"
        if self.cost_usd is None:
            text = ngettext(
                "{n} message to write, about {tokens} tokens on {who}, whose price is unknown "
                "(no cost can be estimated).",
                "{n} messages to write, about {tokens} tokens on {who}, whose price is unknown "
                "(no cost can be estimated).", self.leads)
        else:
            text = ngettext(
                "Estimated cost of the {n} message still to write: {cost} (about {tokens} "
                "tokens on {who}).",
                "Estimated cost of the {n} messages still to write: {cost} (about {tokens} "
                "tokens on {who}).", self.leads)
        text = text.format(n=formats.number(self.leads), tokens=formats.number(self.tokens),
                           who=who, cost=formats.money(self.cost_usd, brl_per_usd))
        if self.written:
            text += " " + ngettext(
                "The {n} message already written cost {cost}.",
                "The {n} messages already written cost {cost}.", self.written).format(
                    n=formats.number(self.written),
                    cost=formats.money(self.spent_usd, brl_per_usd))
        if not self.calibrated:
            text += " " + _("(A rough figure: no preview answer to measure.)")
        return " ".join([text, *self.notes])


def estimate(router: Router, db: Database, ws: Workspace, job: Job,
             samples: Sequence[tuple[int, Usage]] = ()) -> Estimate:
    """The estimate for `job`'s pending leads (see the module docstring)."""
    target = router.resolve(ws, None, None, MODULE).targets[0]
    brief, leads = split_brief(job.brief), job.leads_file()
    chars = 0
    count = 0
    spent: float | None = 0.0
    written = 0
    offset = 0
    while page := jobs.items(db, job.id, offset, 5000):
        offset += len(page)
        for item in page:
            if item.state == "done":
                written += 1
                spent = None if spent is None or item.cost_usd is None \
                    else spent + item.cost_usd
            elif item.state in ("pending", "running"):
                count += 1
                chars += len(SYSTEM) + len(prompt_for(brief, leads, item.as_lead()))
    measured = [(c, u) for c, u in samples if u.known and u.prompt_tokens > 0]
    if measured:
        per_token = sum(c for c, _u in measured) / sum(u.prompt_tokens for _c, u in measured)
        answer = sum(u.completion_tokens for _c, u in measured) / len(measured)
    else:
        per_token, answer = CHARS_PER_TOKEN, ANSWER_TOKENS
    prompt_tokens = round(chars / per_token)
    completion_tokens = round(answer * count)
    cost = pricing.cost_usd(target.provider, target.model,
                            Usage(prompt_tokens, completion_tokens)) if count else 0.0
    return Estimate(target.provider, target.model, count, prompt_tokens, completion_tokens,
                    cost, spent if written else 0.0, written, bool(measured),
                    tuple(_limit_notes(router, ws, count, prompt_tokens + completion_tokens,
                                       cost)))


def _limit_notes(router: Router, ws: Workspace, count: int, tokens: int,
                 cost: float | None) -> list[str]:
    """A sentence per workspace limit the batch would reach before its end."""
    from aidesk.errors import limit_label
    from aidesk.router import limits
    from aidesk.storage.values import utcnow

    lim = router.workspaces.limits(ws.tenant_id)
    if not lim.any() or not count:
        return []
    now = utcnow()
    with router.db.reading() as conn:
        found = limits.status(conn, ws.tenant_id, lim, now)
    need = {"requests_per_hour": float(count), "tokens_per_day": float(tokens),
            "cost_per_month": cost or 0.0}
    notes = []
    for status in found:
        left = max(0.0, status.value - status.used)
        if need[status.limit] <= left:
            continue
        share = int(count * left / need[status.limit]) if need[status.limit] else count
        notes.append(_("The workspace limit {limit} ({value}) will stop the batch after about "
                       "{n} messages; it resets at {time}.").format(
                           limit=limit_label(status.limit), value=formats.plain(status.value),
                           n=formats.number(share), time=formats.date_time(status.resets_at)))
    return notes
