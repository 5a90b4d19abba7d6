"""Connection tests: a real minimal call (list models) with a key, before it is saved or rolled out.

Three outcomes an admin can act on: verified, rejected (the key is wrong: replace it),
unverified (timeout, rate limit, provider down, offline: the key may be fine, retry later).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aidesk import providers
from aidesk.errors import AIDeskError, InvalidKey, ProviderError, StorageError
from aidesk.formats import plain
from aidesk.i18n import _, ngettext, pick
from aidesk.keys import KeyStore, fingerprint, key_problem
from aidesk.providers.base import ModelInfo, Provider, ProviderSettings, monotonic_ms
from aidesk.redact import redact, register_secret
from aidesk.workspaces import Workspace, Workspaces

VERIFIED, REJECTED, UNVERIFIED = "verified", "rejected", "unverified"
KEY_TEST_TIMEOUT_S = 15.0  # the whole test: a key test never holds anyone longer
CONNECT_TIMEOUT_S = 10.0

log = logging.getLogger(__name__)

# Keys that passed a connection test in this process: (tenant, provider) → the key's
# fingerprint (never the key). A key rollout (aidesk.sync.rollout) needs one for the key
# it sends; a later rejection of the same key takes it back.
_verified: dict[tuple[str, str], str] = {}
_verified_lock = threading.Lock()


def remember_test(tenant_id: str, provider: str, key: str | None, outcome: str) -> None:
    """Record a key test's outcome for `rollout`: verified keeps the key's fingerprint,
    rejected forgets it (unverified changes nothing: the key may still be fine)."""
    if not key:
        return
    fp, slot = fingerprint(key), (tenant_id, provider)
    with _verified_lock:
        if outcome == VERIFIED:
            _verified[slot] = fp
        elif outcome == REJECTED and _verified.get(slot) == fp:
            del _verified[slot]


def verified_in_process(tenant_id: str, provider: str) -> str | None:
    """The fingerprint of the key of `provider` that last passed a test in this process."""
    with _verified_lock:
        return _verified.get((tenant_id, provider))


def forget_tests() -> None:
    """Forget every test of this process (a new session)."""
    with _verified_lock:
        _verified.clear()


@dataclass(frozen=True, slots=True)
class KeyCheck:
    provider: str
    model: str
    outcome: str
    message: str
    latency_ms: int
    models: tuple[ModelInfo, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.outcome == VERIFIED

    def as_json(self) -> dict[str, Any]:
        return {"provider": self.provider, "model": self.model, "outcome": self.outcome,
                "message": self.message, "latency_ms": self.latency_ms,
                "model_count": len(self.models)}


async def verify_key(
    provider: str, key: str | None, *, base_url: str | None = None, model: str = "",
    timeout_s: float = KEY_TEST_TIMEOUT_S, connect_timeout_s: float = CONNECT_TIMEOUT_S,
    tenant_id: str | None = None,
) -> KeyCheck:
    """Run the connection test for one key; never raises for a provider failure.

    The key is registered for redaction before anything else happens to it. The whole test
    ends after `timeout_s` (unverified). Cancelling the coroutine closes the client and
    raises CancelledError, as any coroutine does. With `tenant_id`, the outcome is
    remembered for a key rollout (`remember_test`).
    """
    check = await _verify(provider, key, base_url, model, timeout_s, connect_timeout_s)
    if tenant_id is not None:
        remember_test(tenant_id, provider, key, check.outcome)
    return check


async def _verify(provider: str, key: str | None, base_url: str | None, model: str,
                  timeout_s: float, connect_timeout_s: float) -> KeyCheck:
    if key:
        register_secret(key)
    meta = providers.info(provider)
    model = model or meta.default_model
    if key is not None and (problem := key_problem(key)):
        return _result(provider, model, REJECTED, problem, 0)
    start = time.perf_counter()
    try:
        client = providers.create(ProviderSettings(
            provider, key, base_url, timeout_s=timeout_s,
            connect_timeout_s=min(connect_timeout_s, timeout_s)))
    except AIDeskError as exc:
        return _result(provider, model, UNVERIFIED, exc.user_message, 0)
    try:
        async with asyncio.timeout(timeout_s):
            models = await client.list_models()
    except TimeoutError:
        return _result(provider, model, UNVERIFIED,
                       _("{provider}: no answer within {seconds} s. Check the connection and "
                         "the base URL, then test again.").format(
                             provider=provider, seconds=plain(timeout_s)),
                       monotonic_ms(start))
    except InvalidKey as exc:
        return _result(provider, model, REJECTED, exc.user_message, monotonic_ms(start))
    except ProviderError as exc:
        return _result(provider, model, UNVERIFIED, exc.user_message, monotonic_ms(start))
    finally:
        await _close(client)
    latency = monotonic_ms(start)
    message = ngettext("Key works: {count} model available ({latency} ms).",
                       "Key works: {count} models available ({latency} ms).",
                       len(models)).format(count=len(models), latency=latency)
    if models and model not in {m.id for m in models}:
        message += " " + _("Note: model {model} is not in the list.").format(model=model)
    return _result(provider, model, VERIFIED, message, latency, tuple(models))


def _result(provider: str, model: str, outcome: str, message: str, latency_ms: int,
            models: tuple[ModelInfo, ...] = ()) -> KeyCheck:
    return KeyCheck(provider, model, outcome, redact(message), latency_ms, models)


async def _close(client: Provider) -> None:
    """Close the client even when the test was cancelled; a failing close changes no outcome."""
    try:
        await asyncio.shield(client.aclose())
    except Exception:
        log.debug("closing the %s client after a key test failed", client.id, exc_info=True)


async def check_workspace(
    workspaces: Workspaces, keys: KeyStore, workspace: Workspace,
    only: list[str] | None = None,
) -> list[KeyCheck]:
    """Test every configured provider in parallel and record each outcome."""
    configs = [c for c in workspaces.configs(workspace.tenant_id).values()
               if c.stored and c.has_key and (only is None or c.provider in only)]

    async def one(provider: str, base_url: str | None, model: str) -> KeyCheck:
        key = None
        if providers.PROVIDERS[provider].needs_key:
            try:
                key = await asyncio.to_thread(keys.get, workspace.tenant_id, provider)
            except StorageError as exc:
                return KeyCheck(provider, model, UNVERIFIED, exc.user_message, 0)
            if key is None:
                return KeyCheck(provider, model, UNVERIFIED,
                               pick(_("The key is missing from the OS keyring: `aidesk keys "
                                      "set {provider}`.").format(provider=provider),
                                    _("The key is missing from the OS keyring: add it again "
                                      "in Integrations.")), 0)
        result = await verify_key(provider, key, base_url=base_url, model=model,
                                  tenant_id=workspace.tenant_id)
        workspaces.record_test(workspace.tenant_id, provider, result.outcome, result.message)
        return result

    return list(await asyncio.gather(*(one(c.provider, c.base_url, c.model) for c in configs)))


def store_key(
    workspaces: Workspaces, keys: KeyStore, workspace: Workspace, provider: str, key: str,
    check: KeyCheck | None,
) -> None:
    """Put the key in the keyring and its fingerprint, mask and test outcome in the database."""
    if not providers.info(provider).needs_key:
        raise AIDeskError(
            _("{provider} needs no key.").format(provider=provider),
            cli_hint=_("Set its address with `aidesk config set providers.{provider}.base_url "
                       "URL`.").format(provider=provider),
            gui_hint=_("Set its address on its card in Integrations."))
    fp, masked = keys.set(workspace.tenant_id, provider, key)
    values: dict[str, Any] = {"key_fingerprint": fp, "key_mask": masked, "enabled": True,
                              "last_test_status": None, "last_test_message": None,
                              "last_test_at": None}
    workspaces.update_config(workspace.tenant_id, provider, **values)
    if check is not None:
        workspaces.record_test(workspace.tenant_id, provider, check.outcome, check.message)
        remember_test(workspace.tenant_id, provider, key, check.outcome)


def forget_key(workspaces: Workspaces, keys: KeyStore, workspace: Workspace,
               provider: str) -> bool:
    providers.info(provider)
    removed = keys.remove(workspace.tenant_id, provider)
    config = workspaces.config(workspace.tenant_id, provider)
    if config.stored:
        workspaces.update_config(workspace.tenant_id, provider, key_fingerprint=None,
                                 key_mask=None, last_test_status=None, last_test_message=None,
                                 last_test_at=None)
    return removed or config.key_fingerprint is not None
