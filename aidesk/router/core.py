"""The one pipeline every AI call goes through.

resolve provider and model → cache → limits → call, with fallback → usage and audit rows.
Safe to call from many asyncio tasks at once; a cancelled call is recorded as cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aidesk import providers
from aidesk.errors import (
    AIDeskError,
    ConfigError,
    EmptyAnswer,
    InvalidKey,
    LimitExceeded,
    NoProviderAvailable,
    NotConfigured,
    ProviderError,
)
from aidesk.i18n import _
from aidesk.keys import KeyStore
from aidesk.providers.base import (
    UNKNOWN_USAGE,
    ChatRequest,
    Completion,
    JsonSchema,
    Provider,
    ProviderSettings,
    TextDelta,
    monotonic_ms,
)
from aidesk.router import cache, limits, pricing, records
from aidesk.router.records import CacheWrite, CallRecord
from aidesk.router.results import Hop, KeyRejected, LimitWarning, RouterEvent, RouterResult
from aidesk.router.route import (
    Attempts,
    Route,
    Target,
    attempt,
    cacheable,
    incapable,
    model_for,
    no_provider,
    passed_over,
    request_of,
    skip_hop,
    team_filter,
)
from aidesk.storage import Database
from aidesk.storage.values import new_id, utcnow
from aidesk.sync.policies import allowed
from aidesk.workspaces import Limits, Workspace, Workspaces

if TYPE_CHECKING:  # media calls load their modules when first made
    from aidesk.providers.media import ResponseFormat
    from aidesk.router.media_results import ImagesResult, TranscriptionResult

log = logging.getLogger(__name__)


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
        request = request_of(prompt, system, schema, max_tokens, temperature)
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
    ) -> AsyncGenerator[TextDelta | RouterResult, None]:
        """Text deltas as they arrive, then the RouterResult. Close it early to cancel."""
        request = request_of(prompt, system, None, max_tokens, temperature)
        async for event in self._execute(workspace, request, provider, model, module,
                                         use_cache, fallback, streaming=True):
            yield event

    async def generate_images(
        self, workspace: Workspace, prompt: str, *, size: str = "1024x1024", count: int = 1,
        provider: str | None = None, model: str | None = None, module: str = "images",
    ) -> ImagesResult:
        """`count` images (1–4) of `size` (1024x1024, 1536x1024, 1024x1536, auto, or an aspect
        ratio such as 16:9) from the image providers in the user's order (never cached)."""
        from aidesk.router import media

        return await media.generate_images(self, workspace, prompt, size=size, count=count,
                                           provider=provider, model=model, module=module)

    async def transcribe(
        self, workspace: Workspace, audio: bytes, filename: str, *, model: str | None = None,
        language: str | None = None, provider: str | None = None, module: str = "meetings",
        prompt: str | None = None, response_format: ResponseFormat | None = None,
        use_cache: bool = True,
    ) -> TranscriptionResult:
        """The transcript of one audio file (at most 25 MB; mp3, m4a, wav, ogg, webm…) from
        the transcription providers in the user's order, cached by the audio's SHA-256, the
        model and the options. See aidesk.router.media."""
        from aidesk.router import media

        return await media.transcribe(self, workspace, audio, filename, model=model,
                                      language=language, provider=provider, module=module,
                                      prompt=prompt, response_format=response_format,
                                      use_cache=use_cache)

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
        module: str | None, fallback: bool = True, conn: sqlite3.Connection | None = None,
        capability: str = "chat",
    ) -> Route:
        """The providers to try, in order, and the configured ones that are passed over.

        Only providers with `capability` ("chat", "images", "transcription") are considered:
        Stability, which only makes images, never stands in a chat chain."""
        configs = {p: c for p, c in self.workspaces.configs(workspace.tenant_id, conn).items()
                   if providers.can(p, capability)}
        skipped = passed_over(configs.values())
        first: Target | None = None
        if provider is not None:
            providers.info(provider)
            if provider not in configs:
                raise incapable(provider, capability)
            config = configs[provider]
            if not config.has_key:
                raise NotConfigured(
                    provider, _("no API key is set."),
                    cli_hint=_("Add one with `aidesk keys set {provider}`.").format(
                        provider=provider),
                    gui_hint=_("Add one in Integrations."))
            first = Target(config, model or model_for(config, capability))
        elif module and self.user_id:
            pref = self.workspaces.preference(workspace.tenant_id, self.user_id, module, conn)
            if pref and pref[0] in configs and skip_hop(configs[pref[0]]) is None:
                first = Target(configs[pref[0]],
                               pref[1] or model_for(configs[pref[0]], capability))
        chain = [first] if first else []
        if fallback or first is None:
            chain += [Target(c, model_for(c, capability)) for c in configs.values()
                      if skip_hop(c) is None
                      and (first is None or c.provider != first.provider)]
        if model and provider is None and chain:
            chain[0] = Target(chain[0].config, model)
        chain, skipped = team_filter(chain, skipped, allowed(
            self.db if conn is None else conn, workspace.tenant_id))
        if not chain:
            raise no_provider(workspace, [hop for _position, hop in skipped])
        return Route(chain, provider is not None, skipped)

    async def _provider(self, workspace: Workspace, target: Target,
                        capability: str = "chat") -> Provider:
        """The provider's client (for `capability` other than chat: its image or audio
        object, aidesk.providers.media), made once per event loop."""
        config = target.config
        pool = self._providers.setdefault(id(asyncio.get_running_loop()), {})
        slot = (workspace.tenant_id, config.provider, config.key_fingerprint, config.base_url,
                config.options.get("timeout_s"), capability)
        client = pool.get(slot)
        if client is None:
            key = None
            if providers.PROVIDERS[config.provider].needs_key:
                key = await asyncio.to_thread(self.keys.get, workspace.tenant_id, config.provider)
                if key is None:
                    raise NotConfigured(
                        config.provider, _("the key is missing from the OS keyring."),
                        cli_hint=_("Set it again with `aidesk keys set {provider}`.").format(
                            provider=config.provider),
                        gui_hint=_("Set it again in Integrations."))
            if slot in pool:  # another task made it while this one read the keyring
                return pool[slot]
            timeout = float(config.options.get("timeout_s", 60))
            settings = ProviderSettings(config.provider, key, config.base_url, timeout_s=timeout)
            client = (providers.create(settings) if capability == "chat"
                      else providers.create_media(settings, capability))
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
            with self.db.reading() as conn:  # one read snapshot for everything before the call
                route = self.resolve(workspace, provider, model, module, fallback, conn)
                targets = route.targets
                hashes = [cache.request_hash(t.provider, t.model, replace(request, model=t.model))
                          for t in targets]
                if use_cache and ttl > 0:
                    hit = self._cache_hit(conn, workspace,
                                          targets[:1] if route.explicit else targets, hashes)
                reserved = False
                deadline_s = self.workspaces.call_deadline_s(conn) if hit is None else 0.0
                lim = self.workspaces.limits(workspace.tenant_id, conn) if hit is None else None
                if lim is not None and lim.any():
                    conn.execute("ROLLBACK")  # end the read; the reservation takes the write lock
                    reserved = self._reserve(conn, workspace, lim, rec, request, targets[0])
        except (NotConfigured, NoProviderAvailable, ConfigError) as exc:
            rec.outcome, rec.error = "not_configured", exc.user_message
            records.write(self.db, rec, self.clock())
            raise

        if hit is not None:
            hit_target, answer = hit
            rec.provider, rec.model = hit_target.provider, answer.model
            rec.response = answer.text
            rec.usage, rec.cost_usd, rec.cached = answer.usage, 0.0, True
            rec.finish_reason = answer.finish_reason
            rec.latency_ms = monotonic_ms(start)
            records.write(self.db, rec, self.clock())
            if streaming:
                yield TextDelta(answer.text)
            yield _result(rec, answer, ())
            return

        loop = asyncio.get_running_loop()
        deadline = loop.time() + deadline_s
        tried = Attempts(deadline_s)
        written = False
        parts: list[str] = []
        try:
            for target, prompt_hash in zip(targets, hashes, strict=True):
                try:
                    built = loop.time()
                    client = await self._provider(workspace, target)
                    # Importing an SDK and building its client is local work, not the
                    # provider's silence: it does not eat into the deadline.
                    deadline += loop.time() - built
                    completion: Completion | None = None
                    async for event in attempt(client, replace(request, model=target.model),
                                               streaming, deadline):
                        if isinstance(event, TextDelta):
                            parts.append(event.text)
                            yield event
                        else:
                            completion = event.completion
                    assert completion is not None
                except NotConfigured as exc:
                    tried.not_configured(target, exc)
                    continue
                except TimeoutError:
                    rec.error = tried.timed_out(target)
                    break
                except ProviderError as exc:
                    tried.failed(target, exc)
                    self._billed_failure(rec, target, exc)
                    if isinstance(exc, InvalidKey):
                        self._mark_rejected(workspace, target.provider, exc)
                    if parts or not exc.fallback:
                        break
                    continue
                if not completion.text and completion.data is None:
                    # A provider module that let an empty answer through: never a success.
                    empty = EmptyAnswer(target.provider, completion.finish_reason or "",
                                        usage=completion.usage)
                    tried.failed(target, empty)
                    self._billed_failure(rec, target, empty)
                    continue
                rec.provider, rec.model = target.provider, completion.model
                rec.response = completion.text
                rec.usage, rec.finish_reason = completion.usage, completion.finish_reason
                rec.truncated = completion.truncated
                rec.cost_usd = pricing.cost_usd(target.provider, completion.model, completion.usage)
                all_hops = (*route.skipped_before(target.provider), *tried.hops)
                rec.hops, rec.latency_ms = [h.as_dict() for h in all_hops], monotonic_ms(start)
                write = (CacheWrite(prompt_hash, completion, ttl)
                         if ttl > 0 and cacheable(completion) else None)
                records.write(self.db, rec, self.clock(), cache_write=write, reserved=reserved)
                written = True
                yield _result(rec, completion, all_hops)
                return
            last = tried.last(targets)
            rec.provider, rec.model = last.provider, last.model
            rec.latency_ms = monotonic_ms(start)
            skipped = route.skipped_before(None)
            rec.hops = [h.as_dict() for h in (*skipped, *tried.hops)]
            if parts:  # text reached the caller, then the stream broke: a cut answer
                rec.outcome, rec.response, rec.usage = "cut", "".join(parts), UNKNOWN_USAGE
            else:
                rec.outcome = "error"
            failed = tried.outcome(skipped, workspace)
            rec.error = failed.user_message if isinstance(failed, AIDeskError) else str(failed)
            records.write(self.db, rec, self.clock(), reserved=reserved)
            written = True
            raise failed
        except (asyncio.CancelledError, GeneratorExit):
            if not written:
                rec.outcome, rec.error = "cancelled", "cancelled"
                rec.latency_ms = monotonic_ms(start)
                rec.hops = [h.as_dict() for h in tried.hops]
                if parts:
                    rec.response, rec.usage = "".join(parts), UNKNOWN_USAGE
                records.write(self.db, rec, self.clock(), reserved=reserved)
            raise

    def _billed_failure(self, rec: CallRecord, target: Target, exc: ProviderError) -> None:
        """A failed answer the provider still billed (e.g. thinking tokens spent before an
        empty MAX_TOKENS answer) gets its own usage and audit rows, so no cost is lost."""
        if exc.usage is None or not exc.usage.known or exc.usage.total_tokens == 0:
            return
        billed = CallRecord(new_id(), rec.tenant_id, rec.user_id, rec.module, rec.prompt,
                            provider=target.provider, model=target.model, usage=exc.usage,
                            outcome="error", error=exc.user_message)
        billed.cost_usd = pricing.cost_usd(target.provider, target.model, exc.usage)
        billed.finish_reason = exc.detail or None
        records.write(self.db, billed, self.clock())

    def _cache_hit(
        self, conn: sqlite3.Connection, workspace: Workspace, targets: list[Target],
        hashes: list[str],
    ) -> tuple[Target, Completion] | None:
        keys = [(t.provider, h) for t, h in zip(targets, hashes, strict=False)]
        found = cache.lookup(conn, workspace.tenant_id, keys, self.clock())
        for target, key in zip(targets, keys, strict=False):
            if key in found:
                return target, found[key]
        return None

    def _reserve(
        self, conn: sqlite3.Connection, workspace: Workspace, lim: Limits, rec: CallRecord,
        request: ChatRequest, first: Target,
    ) -> bool:
        prompt_tokens = math.ceil(sum(len(m.content) for m in request.messages) / 3) + 8
        tokens = prompt_tokens + request.max_tokens
        cost = pricing.estimate_usd(first.provider, first.model, prompt_tokens, request.max_tokens)
        return self._hold(conn, workspace, lim, rec, tokens, cost)

    def _hold(self, conn: sqlite3.Connection, workspace: Workspace, lim: Limits,
              rec: CallRecord, tokens: int, cost: float) -> bool:
        """Reserve the call's estimated share of the limits (chat and media calls alike); a
        refusal is recorded, then raised."""
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


def _result(rec: CallRecord, completion: Completion, hops: tuple[Hop, ...]) -> RouterResult:
    assert rec.provider is not None
    return RouterResult(rec.request_id, completion.text, rec.provider, completion.model,
                        rec.cached, hops, completion.usage, rec.cost_usd, rec.latency_ms,
                        completion.data, completion.finish_reason)
