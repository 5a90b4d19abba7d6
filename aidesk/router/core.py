"""The one pipeline every AI call goes through.

resolve provider and model → cache → limits → call, with fallback → usage and audit rows.
Safe to call from many asyncio tasks at once; a cancelled call is recorded as cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection

from aidesk import providers
from aidesk.errors import (
    AllProvidersFailed,
    ConfigError,
    InvalidKey,
    LimitExceeded,
    NoProviderAvailable,
    NotConfigured,
    ProviderError,
)
from aidesk.keys import KeyStore
from aidesk.providers.base import (
    ChatRequest,
    Completion,
    JsonSchema,
    Provider,
    ProviderSettings,
    StreamDone,
    StreamEvent,
    TextDelta,
    monotonic_ms,
)
from aidesk.router import cache, limits, pricing, records
from aidesk.router.records import CacheWrite, CallRecord
from aidesk.router.results import Hop, KeyRejected, LimitWarning, RouterEvent, RouterResult
from aidesk.storage import Database
from aidesk.storage.types import new_id, utcnow
from aidesk.workspaces import Limits, ProviderConfig, Workspace, Workspaces

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Target:
    config: ProviderConfig
    model: str

    @property
    def provider(self) -> str:
        return self.config.provider


class Router:
    def __init__(
        self, db: Database, keys: KeyStore, *, user_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.keys = keys
        self.workspaces = Workspaces(db)
        self.user_id = user_id
        self.clock = clock
        # Provider clients are bound to the event loop that made them: one pool per loop.
        self._providers: dict[int, dict[tuple[Any, ...], Provider]] = {}
        self._listeners: list[Callable[[RouterEvent], None]] = []

    # -- events -------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[RouterEvent], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: RouterEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                log.exception("router event listener failed")

    # -- public calls -------------------------------------------------------------------------
    async def ask(
        self, workspace: Workspace, prompt: str | ChatRequest, *, provider: str | None = None,
        model: str | None = None, module: str | None = None, use_cache: bool = True,
        fallback: bool = True, system: str | None = None, schema: JsonSchema | None = None,
        max_tokens: int = 1024, temperature: float | None = None,
    ) -> RouterResult:
        """One routed, non-streaming call."""
        request = _request(prompt, system, schema, max_tokens, temperature)
        result: RouterResult | None = None
        async for event in self._execute(workspace, request, provider, model, module,
                                         use_cache, fallback, streaming=False):
            if isinstance(event, RouterResult):
                result = event
        assert result is not None
        return result

    async def stream(
        self, workspace: Workspace, prompt: str | ChatRequest, *, provider: str | None = None,
        model: str | None = None, module: str | None = None, use_cache: bool = True,
        fallback: bool = True, system: str | None = None, max_tokens: int = 1024,
        temperature: float | None = None,
    ) -> AsyncIterator[TextDelta | RouterResult]:
        """Text deltas as they arrive, then the RouterResult. Close it early to cancel."""
        request = _request(prompt, system, None, max_tokens, temperature)
        async for event in self._execute(workspace, request, provider, model, module,
                                         use_cache, fallback, streaming=True):
            yield event

    async def aclose(self) -> None:
        """Close the provider clients of the running event loop (call before the loop ends)."""
        clients = self._providers.pop(id(asyncio.get_running_loop()), {})
        for client in clients.values():
            try:
                await client.aclose()
            except Exception:  # closing a client of a dead loop must not stop the others
                log.debug("closing a provider client failed", exc_info=True)

    # -- resolution ---------------------------------------------------------------------------
    def resolve(
        self, workspace: Workspace, provider: str | None, model: str | None,
        module: str | None, fallback: bool = True, conn: Connection | None = None,
    ) -> tuple[list[Target], bool]:
        """The providers to try, in order, and whether the first one was chosen explicitly."""
        configs = self.workspaces.configs(workspace.tenant_id, conn)
        explicit = provider is not None
        first: Target | None = None
        if provider is not None:
            providers.info(provider)
            config = configs[provider]
            if not config.has_key:
                raise NotConfigured(provider, f"no API key is set. Add one with "
                                              f"`aidesk keys set {provider}`.")
            first = Target(config, model or config.model)
        elif module and self.user_id:
            pref = self.workspaces.preference(workspace.tenant_id, self.user_id, module, conn)
            if pref and configs[pref[0]].skip_reason() is None:
                first = Target(configs[pref[0]], pref[1] or configs[pref[0]].model)
        chain = [first] if first else []
        if fallback or first is None:
            chain += [Target(c, c.model) for c in configs.values()
                      if c.skip_reason() is None
                      and (first is None or c.provider != first.provider)]
        if model and not explicit and chain:
            chain[0] = Target(chain[0].config, model)
        if not chain:
            raise NoProviderAvailable(workspace.name)
        return chain, explicit

    async def _provider(self, workspace: Workspace, target: Target) -> Provider:
        config = target.config
        pool = self._providers.setdefault(id(asyncio.get_running_loop()), {})
        slot = (workspace.tenant_id, config.provider, config.key_fingerprint, config.base_url,
                config.options.get("timeout_s"))
        client = pool.get(slot)
        if client is None:
            key = None
            if providers.PROVIDERS[config.provider].needs_key:
                key = await asyncio.to_thread(self.keys.get, workspace.tenant_id, config.provider)
                if key is None:
                    raise NotConfigured(config.provider, "the key is missing from the OS "
                                        f"keyring. Set it again with `aidesk keys set "
                                        f"{config.provider}`.")
            if slot in pool:  # another task made it while this one read the keyring
                return pool[slot]
            timeout = float(config.options.get("timeout_s", 60))
            client = providers.create(ProviderSettings(config.provider, key, config.base_url,
                                                       timeout_s=timeout))
            pool[slot] = client
        return client

    # -- the pipeline -------------------------------------------------------------------------
    async def _execute(
        self, workspace: Workspace, request: ChatRequest, provider: str | None,
        model: str | None, module: str | None, use_cache: bool, fallback: bool, *,
        streaming: bool,
    ) -> AsyncIterator[TextDelta | RouterResult]:
        start = time.perf_counter()
        rec = CallRecord(new_id(), workspace.tenant_id, self.user_id, module,
                         records.prompt_text(request))
        ttl = workspace.cache_ttl_days
        hit: tuple[Target, Completion] | None = None
        try:
            with self.db.connect() as conn:  # one read connection for everything before the call
                targets, explicit = self.resolve(workspace, provider, model, module, fallback,
                                                 conn)
                hashes = [cache.request_hash(t.provider, t.model, replace(request, model=t.model))
                          for t in targets]
                if use_cache and ttl > 0:
                    hit = self._cache_hit(conn, workspace, targets[:1] if explicit else targets,
                                          hashes)
                reserved = False
                lim = self.workspaces.limits(workspace.tenant_id, conn) if hit is None else None
                if lim is not None and lim.any():
                    conn.rollback()  # end the read; the reservation takes the write lock
                    reserved = self._reserve(conn, workspace, lim, rec, request, targets[0])
        except (NotConfigured, NoProviderAvailable, ConfigError) as exc:
            rec.outcome, rec.error = "error", exc.user_message
            records.write(self.db, rec, self.clock())
            raise

        if hit is not None:
            target, completion = hit
            rec.provider, rec.model = target.provider, completion.model
            rec.response = completion.text
            rec.usage, rec.cost_usd, rec.cached = completion.usage, 0.0, True
            rec.latency_ms = monotonic_ms(start)
            records.write(self.db, rec, self.clock())
            if streaming:
                yield TextDelta(completion.text)
            yield _result(rec, completion, ())
            return

        hops: list[Hop] = []
        errors: list[tuple[str, ProviderError]] = []
        written = False
        try:
            for target, prompt_hash in zip(targets, hashes, strict=True):
                attempt = replace(request, model=target.model)
                delivered = False
                try:
                    client = await self._provider(workspace, target)
                    completion: Completion | None = None
                    async for event in _events(client, attempt, streaming):
                        if isinstance(event, TextDelta):
                            delivered = True
                            yield event
                        else:
                            completion = event.completion
                    assert completion is not None
                except NotConfigured as exc:
                    hops.append(Hop(target.provider, target.model, exc.code, exc.user_message))
                    continue
                except ProviderError as exc:
                    hops.append(Hop(target.provider, target.model, exc.code, exc.user_message))
                    errors.append((target.provider, exc))
                    if isinstance(exc, InvalidKey):
                        self._mark_rejected(workspace, target.provider, exc)
                    if delivered or not exc.fallback:
                        break
                    continue
                rec.provider, rec.model = target.provider, completion.model
                rec.response = completion.text
                rec.usage = completion.usage
                rec.cost_usd = pricing.cost_usd(target.provider, completion.model, completion.usage)
                rec.hops, rec.latency_ms = [h.as_dict() for h in hops], monotonic_ms(start)
                write = CacheWrite(prompt_hash, completion, ttl) if ttl > 0 else None
                records.write(self.db, rec, self.clock(), cache_write=write, reserved=reserved)
                written = True
                yield _result(rec, completion, tuple(hops))
                return
            last = targets[min(len(hops), len(targets)) - 1]
            rec.provider, rec.model = last.provider, last.model
            rec.outcome, rec.latency_ms = "error", monotonic_ms(start)
            rec.hops = [h.as_dict() for h in hops]
            failure = _failure(hops, errors, workspace)
            rec.error = failure.user_message
            records.write(self.db, rec, self.clock(), reserved=reserved)
            written = True
            raise failure
        except (asyncio.CancelledError, GeneratorExit):
            if not written:
                rec.outcome, rec.error = "cancelled", "cancelled"
                rec.latency_ms = monotonic_ms(start)
                rec.hops = [h.as_dict() for h in hops]
                records.write(self.db, rec, self.clock(), reserved=reserved)
            raise

    def _cache_hit(
        self, conn: Connection, workspace: Workspace, targets: list[Target], hashes: list[str]
    ) -> tuple[Target, Completion] | None:
        keys = [(t.provider, h) for t, h in zip(targets, hashes, strict=False)]
        found = cache.lookup(conn, workspace.tenant_id, keys, self.clock())
        for target, key in zip(targets, keys, strict=False):
            if key in found:
                return target, found[key]
        return None

    def _reserve(
        self, conn: Connection, workspace: Workspace, lim: Limits, rec: CallRecord,
        request: ChatRequest, first: Target,
    ) -> bool:
        prompt_tokens = math.ceil(sum(len(m.content) for m in request.messages) / 3) + 8
        tokens = prompt_tokens + request.max_tokens
        cost = pricing.estimate_usd(first.provider, first.model, prompt_tokens, request.max_tokens)
        try:
            warnings = limits.reserve(self.db, conn, workspace.tenant_id, lim, rec.request_id,
                                      tokens, cost, self.clock())
        except LimitExceeded as exc:
            rec.outcome, rec.error = "refused", exc.user_message
            records.write(self.db, rec, self.clock())
            raise
        for status in warnings:
            self._emit(LimitWarning(workspace.tenant_id, status))
        return True

    def _mark_rejected(self, workspace: Workspace, provider: str, exc: ProviderError) -> None:
        self.workspaces.record_test(workspace.tenant_id, provider, "rejected", exc.user_message)
        self._emit(KeyRejected(workspace.tenant_id, provider, exc.user_message))


async def _events(client: Provider, request: ChatRequest, streaming: bool
                  ) -> AsyncIterator[StreamEvent]:
    if streaming:
        stream = client.stream(request)
        try:
            async for event in stream:
                yield event
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
    else:
        yield StreamDone(await client.generate(request))


def _request(prompt: str | ChatRequest, system: str | None, schema: JsonSchema | None,
             max_tokens: int, temperature: float | None) -> ChatRequest:
    if isinstance(prompt, ChatRequest):
        return prompt
    return ChatRequest.of(prompt, "", system=system, schema=schema, max_tokens=max_tokens,
                          temperature=temperature)


def _result(rec: CallRecord, completion: Completion, hops: tuple[Hop, ...]) -> RouterResult:
    assert rec.provider is not None
    return RouterResult(rec.request_id, completion.text, rec.provider, completion.model,
                        rec.cached, hops, completion.usage, rec.cost_usd, rec.latency_ms,
                        completion.data)


def _failure(hops: list[Hop], errors: list[tuple[str, ProviderError]],
             workspace: Workspace) -> Exception:
    if len(errors) == 1 and len(hops) == 1:
        return errors[0][1]
    if not errors:
        return NoProviderAvailable(workspace.name)
    return AllProvidersFailed(errors)

