"""Typed errors. Each carries a one-sentence `user_message` that says what to do.

The message is in the user's language (aidesk.i18n). What to do may depend on where the
user reads it: an error carries its hint per surface (`cli_hint`: a command to run,
`gui_hint`: the place in the app), and `user_message` ends with the one for the surface in
use (`aidesk.i18n.surface()`); `message_for(surface)` gives either.

Provider errors also say whether the router should try the next provider
(`fallback`) and, for rate limits, how long the provider asked us to wait.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from aidesk.formats import plain
from aidesk.i18n import N_, _, surface
from aidesk.redact import redact

if TYPE_CHECKING:
    from aidesk.providers.base import Usage


class AIDeskError(Exception):
    """An expected failure: shown to the user as its message, never as a traceback."""

    code = "error"

    def __init__(self, user_message: str, *, cli_hint: str = "", gui_hint: str = "") -> None:
        self.text = redact(user_message)  # what happened, the same on every surface
        self.cli_hint = redact(cli_hint)  # what to do on the command line (a command)
        self.gui_hint = redact(gui_hint)  # what to do in the desktop app (a place in it)
        super().__init__(self.text)

    def hint(self, where: str | None = None) -> str:
        """What to do, for `where` ("cli" or "gui"; the surface in use when None)."""
        return self.gui_hint if (where or surface()) == "gui" else self.cli_hint

    def message_for(self, where: str | None = None) -> str:
        hint = self.hint(where)
        return f"{self.text} {hint}" if hint else self.text

    @property
    def user_message(self) -> str:
        """The sentence to show: what happened, then what to do where the user reads it."""
        return self.message_for()

    def __str__(self) -> str:
        return self.user_message


class ConfigError(AIDeskError):
    code = "config"


class KeyringUnavailable(AIDeskError):
    code = "keyring_unavailable"

    def __init__(self, backend: str) -> None:
        super().__init__(_(
            "No secure key store is available (keyring backend: {backend}), and AIDesk keeps "
            "API keys only in the OS keyring, never in plain text: on Linux install and unlock "
            "a Secret Service such as gnome-keyring or KWallet (Windows and macOS use their "
            "own store automatically).").format(backend=backend))


class ProviderError(AIDeskError):
    """A call to a provider failed. `fallback` says whether the next provider may succeed."""

    code = "provider_error"
    fallback = True

    def __init__(
        self, provider: str, detail: str = "", *, status: int | None = None,
        usage: Usage | None = None,
    ) -> None:
        self.provider = provider
        self.detail = redact(detail)
        self.status = status
        self.usage = usage  # tokens the provider billed for this failed answer, if any
        cli, gui = self.hints()
        super().__init__(self.describe(), cli_hint=cli, gui_hint=gui)

    def describe(self) -> str:
        return _("{provider}: the call failed. {detail}").format(
            provider=self.name, detail=self.detail).strip()

    def hints(self) -> tuple[str, str]:
        """(command line, desktop) hints; none for most provider failures."""
        return "", ""

    @property
    def name(self) -> str:
        from aidesk.providers import named

        return named(self.provider)

    @property
    def reason(self) -> str:
        """Short reason for fallback hops and audit rows."""
        return self.code if not self.detail else f"{self.code}: {self.detail}"


class InvalidKey(ProviderError):
    code = "invalid_key"

    def describe(self) -> str:
        return _("{provider}: the API key was rejected (wrong, revoked or without "
                 "permission).").format(provider=self.name)

    def hints(self) -> tuple[str, str]:
        return (_("Replace it with `aidesk keys set {provider}`.").format(provider=self.provider),
                _("Replace it in Integrations."))


class ModelNotFound(ProviderError):
    code = "model_not_found"

    def __init__(self, provider: str, detail: str = "", *, model: str = "", **kw: object) -> None:
        self.model = model
        super().__init__(provider, detail, **kw)  # type: ignore[arg-type]

    def describe(self) -> str:
        return _("{provider}: model {model} does not exist or this key cannot use it.").format(
            provider=self.name, model=self.model or _("(unknown)"))

    def hints(self) -> tuple[str, str]:
        return (_("Pick another with `aidesk config set providers.{provider}.model NAME`.")
                .format(provider=self.provider),
                _("Pick another model on its card in Integrations."))


class RateLimited(ProviderError):
    code = "rate_limited"

    def __init__(
        self, provider: str, detail: str = "", *, retry_after: float | None = None, **kw: object
    ) -> None:
        self.retry_after = retry_after
        super().__init__(provider, detail, **kw)  # type: ignore[arg-type]

    def describe(self) -> str:
        if self.retry_after:
            return _("{provider}: rate limit reached. Try again in {seconds} s.").format(
                provider=self.name, seconds=plain(self.retry_after))
        return _("{provider}: rate limit reached. Try again later.").format(
            provider=self.name)


class OutOfCredits(ProviderError):
    code = "out_of_credits"

    def describe(self) -> str:
        return _("{provider}: the account has no credit or quota left. Add credit in the "
                 "provider's billing page; retrying will not help.").format(
                     provider=self.name)


class ProviderUnavailable(ProviderError):
    code = "provider_unavailable"

    def describe(self) -> str:
        return _("{provider}: the service is overloaded or down. Try again in a few "
                 "minutes.").format(provider=self.name)


class ProviderTimeout(ProviderError):
    code = "timeout"

    def describe(self) -> str:
        return _("{provider}: no answer in time. Check the connection or try again "
                 "later.").format(provider=self.name)


class NetworkUnreachable(ProviderError):
    code = "offline"

    def describe(self) -> str:
        return _("{provider}: cannot reach the service (offline, DNS or proxy). Check the "
                 "internet connection or the provider's base URL.").format(
                     provider=self.name)


class MalformedResponse(ProviderError):
    code = "malformed_response"

    def describe(self) -> str:
        return _("{provider}: the answer could not be read. {detail}").format(
            provider=self.name, detail=self.detail).strip()


class EmptyAnswer(ProviderError):
    """The provider ended the answer without any text (e.g. Gemini `MAX_TOKENS` spent on
    thinking). Billed tokens, if any, ride in `usage`; never a success, never cached."""

    code = "empty_answer"

    def describe(self) -> str:
        return _("{provider}: the answer came back empty ({detail}). Raise the output limit "
                 "(max tokens) or shorten the request, then try again.").format(
                     provider=self.name, detail=self.detail or _("no text"))


class ContentFiltered(ProviderError):
    """The provider's safety filter withheld the answer (Gemini SAFETY, RECITATION,
    PROHIBITED_CONTENT, …; OpenAI `content_filter`)."""

    code = "content_filtered"

    def describe(self) -> str:
        return _("{provider}: the provider's content filter refused to answer ({detail}). "
                 "Rephrase the request or use another provider.").format(
                     provider=self.name, detail=self.detail or _("filtered"))


class Moderated(ProviderError):
    """The input was flagged by the provider's moderation (OpenRouter 403): not a bad key."""

    code = "moderated"

    def describe(self) -> str:
        if self.detail:
            return _("{provider}: the request was flagged by moderation ({detail}). Rephrase "
                     "it or use another provider.").format(provider=self.name,
                                                           detail=self.detail)
        return _("{provider}: the request was flagged by moderation. Rephrase it or use "
                 "another provider.").format(provider=self.name)


class Unsupported(ProviderError):
    """This provider or model refuses a capability the request needs (a JSON schema,
    `response_format`, a parameter): another provider may support it."""

    code = "unsupported"

    def describe(self) -> str:
        return _("{provider}: this model does not support what the request needs. "
                 "{detail}").format(provider=self.name, detail=self.detail).strip()


class BadRequest(ProviderError):
    """The request itself was refused (too long, bad parameter): another provider won't help."""

    code = "bad_request"
    fallback = False

    def describe(self) -> str:
        return _("{provider}: the request was refused. {detail}").format(
            provider=self.name, detail=self.detail).strip()


class NotConfigured(AIDeskError):
    code = "not_configured"

    def __init__(self, provider: str, why: str, *, cli_hint: str = "",
                 gui_hint: str = "") -> None:
        from aidesk.providers import named

        self.provider = provider
        self.why = why
        super().__init__(f"{named(provider)}: {why}", cli_hint=cli_hint, gui_hint=gui_hint)


class NoProviderAvailable(AIDeskError):
    """No provider can take the call. `reasons` names each configured one and why it is
    unusable; with none configured the message says how to add one."""

    code = "no_provider"

    def __init__(self, workspace: str, reasons: Sequence[tuple[str, str]] = ()) -> None:
        self.reasons = tuple(reasons)
        if self.reasons:
            from aidesk.providers import named

            listed = "; ".join(f"{named(provider)}: {why}" for provider, why in self.reasons)
            super().__init__(
                _("No AI provider can take the call in workspace '{workspace}' "
                  "({reasons}).").format(workspace=workspace, reasons=listed),
                cli_hint=_("Fix a key with `aidesk keys set PROVIDER`, or enable a provider "
                           "with `aidesk config set fallback PROVIDER,…`."),
                gui_hint=_("Fix a key or enable a provider in Integrations."))
        else:
            super().__init__(
                _("No AI provider is configured and enabled in workspace '{workspace}'.")
                .format(workspace=workspace),
                cli_hint=_("Add a key with `aidesk keys set openai`."),
                gui_hint=_("Add a key in Integrations."))


class DeadlineExceeded(AIDeskError):
    """The whole call, fallbacks included, took longer than `calls.deadline_s`."""

    code = "deadline"

    def __init__(self, deadline_s: float, tried: Sequence[str] = ()) -> None:
        self.deadline_s = deadline_s
        if tried:
            text = _("No answer within {seconds} s (tried: {providers}). Try again "
                     "later.").format(seconds=plain(deadline_s), providers=", ".join(tried))
        else:
            text = _("No answer within {seconds} s. Try again later.").format(
                seconds=plain(deadline_s))
        super().__init__(
            text, cli_hint=_("Or raise the deadline with `aidesk config set calls.deadline_s N`."),
            gui_hint=_("Or raise the deadline in Settings (Ctrl+,)."))


class AllProvidersFailed(AIDeskError):
    code = "all_failed"

    def __init__(self, hops: list[tuple[str, ProviderError]]) -> None:
        self.hops = hops
        super().__init__(_("Every provider failed."))

    def message_for(self, where: str | None = None) -> str:
        failures = "; ".join(err.message_for(where) for _provider, err in self.hops)
        return f"{self.text} {failures}" if failures else self.text


class LimitExceeded(AIDeskError):
    code = "limit_exceeded"

    def __init__(self, limit: str, value: float, used: float, resets_at: datetime) -> None:
        self.limit = limit
        self.value = value
        self.used = used
        self.resets_at = resets_at
        from aidesk.formats import date_time

        super().__init__(
            _("Workspace limit reached: {limit} is {value} (used {used}). It resets at "
              "{time}.").format(limit=limit_label(limit), value=plain(value), used=plain(used),
                                time=date_time(resets_at)),
            **limit_hints(limit))


class StorageError(AIDeskError):
    """Known disk problems (full, read-only, locked) kept apart from bugs."""

    code = "storage"


LIMIT_LABELS = {
    "requests_per_hour": N_("requests per hour"),
    "tokens_per_day": N_("tokens per day"),
    "cost_per_month": N_("cost per month (USD)"),
}


def limit_label(limit: str) -> str:
    return _(LIMIT_LABELS[limit]) if limit in LIMIT_LABELS else limit


def limit_hints(limit: str) -> dict[str, str]:
    """How to raise a limit: the command, or the place in the app."""
    return {"cli_hint": _("Raise it with `aidesk config set limits.{limit} N`.").format(
                limit=limit),
            "gui_hint": _("Raise it in Settings (Ctrl+,).")}


# Why a provider was passed over, by the code its hop stores (shown in charts and the audit).
HOP_REASONS = {
    "invalid_key": N_("key rejected"), "key_rejected": N_("key rejected"),
    "model_not_found": N_("model not found"), "rate_limited": N_("rate limit"),
    "out_of_credits": N_("no credit"), "provider_unavailable": N_("service down"),
    "timeout": N_("timeout"), "offline": N_("no connection"),
    "malformed_response": N_("bad answer"), "empty_answer": N_("empty answer"),
    "content_filtered": N_("content filter"), "moderated": N_("moderation"),
    "unsupported": N_("not supported"), "bad_request": N_("bad request"),
    "not_configured": N_("not set up"), "deadline": N_("deadline"),
    "disabled": N_("disabled"), "no_key": N_("no key"),
    "team_provider": N_("not allowed by team"), "team_model": N_("model not allowed by team"),
}


def hop_reason(code: str) -> str:
    """A hop's stored error code as the user reads it ("rate_limited" → "rate limit")."""
    return _(HOP_REASONS[code]) if code in HOP_REASONS else code


# -- sync with the platform's central PostgreSQL (aidesk.sync) ------------------------------------

class SyncError(AIDeskError):
    """The central database could not be used for a sync pass; the sentence says why."""

    code = "sync"


class SyncUnreachable(SyncError):
    """No connection: the host is down, unknown, firewalled, or refuses an encrypted link."""

    code = "sync_unreachable"

    def __init__(self, host: str, detail: str = "") -> None:
        self.host = host
        text = (_("Cannot reach the central database at {host} ({detail}).").format(
                    host=host, detail=detail) if detail else
                _("Cannot reach the central database at {host}.").format(host=host))
        super().__init__(
            text,
            cli_hint=_("Check the network and the DSN (`aidesk config set sync.dsn "
                       "postgresql://USER@HOST:PORT/DB`); the outbox keeps every row until "
                       "then."),
            gui_hint=_("Check the network and the DSN in Settings, Sync; the outbox keeps "
                       "every row until then."))


class SyncAuthFailed(SyncError):
    """The centre refused the login (wrong or missing password)."""

    code = "sync_auth"

    def __init__(self, host: str, user: str, *, missing: bool = False) -> None:
        self.host = host
        self.user = user
        text = (_("The central database at {host} asks a password for {user}, and none is "
                  "saved.").format(host=host, user=user) if missing else
                _("The central database at {host} refused the password of {user}.").format(
                    host=host, user=user))
        super().__init__(text, cli_hint=_("Set it with `aidesk sync login`."),
                         gui_hint=_("Set it in Settings, Sync."))


class SyncSchemaMissing(SyncError):
    """The centre lacks the AIDesk tables (or has another revision of them)."""

    code = "sync_schema"

    def __init__(self, host: str, database: str, *, can_migrate: bool,
                 found: str | None = None, expected: str = "") -> None:
        self.host = host
        self.can_migrate = can_migrate
        self.found = found
        if found is None:
            text = _("The central database {database} at {host} has no AIDesk tables "
                     "yet.").format(database=database, host=host)
        else:
            text = _("The central database {database} at {host} has AIDesk tables of revision "
                     "{found}, and this AIDesk needs {expected}.").format(
                         database=database, host=host, found=found, expected=expected)
        if can_migrate:
            cli = _("Create or update them with `aidesk sync migrate`.")
            gui = _("Create or update them with \u201cRun central migrations\u201d in Settings, "
                    "Sync.")
        else:
            cli = gui = _("Ask the platform's admin to run `aidesk sync migrate` with a role "
                          "that may create tables.")
        super().__init__(text, cli_hint=cli, gui_hint=gui)


class SyncRefused(SyncError):
    """The centre refused what the role tried: no permission, RLS, a role without a tenant."""

    code = "sync_refused"

    def __init__(self, text: str) -> None:
        super().__init__(text)
