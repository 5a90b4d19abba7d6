"""The pieces of a route: which providers to try, which were passed over and why, and how
one attempt runs under the call's overall deadline."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from aidesk.errors import (
    AIDeskError,
    AllProvidersFailed,
    DeadlineExceeded,
    NoProviderAvailable,
    ProviderError,
)
from aidesk.i18n import _
from aidesk.providers.base import (
    ChatRequest,
    Completion,
    JsonSchema,
    Provider,
    StreamDone,
    StreamEvent,
)
from aidesk.router.results import Hop
from aidesk.sync.policies import Allowed, model_allowed, provider_allowed
from aidesk.workspaces import ProviderConfig, Workspace


@dataclass(frozen=True, slots=True)
class Target:
    config: ProviderConfig
    model: str

    @property
    def provider(self) -> str:
        return self.config.provider


@dataclass(frozen=True, slots=True)
class Route:
    """The providers to try, in order, and the ones the user ordered but that are unusable."""

    targets: list[Target]
    explicit: bool  # the first target was named by the caller
    passed_over: tuple[tuple[int, Hop], ...] = ()  # (position in the user's order, hop)

    def skipped_before(self, provider: str | None) -> list[Hop]:
        """Unusable providers that stand before `provider` (all of them when None)."""
        if provider is None:
            return [hop for _position, hop in self.passed_over]
        position = next((t.config.position for t in self.targets if t.provider == provider),
                        None)
        return [hop for pos, hop in self.passed_over if position is None or pos < position]


def skip_hop(config: ProviderConfig) -> Hop | None:
    """Why the automatic chain passes over a provider the user configured, or None."""
    if not config.enabled:
        return Hop(config.provider, config.model, "disabled", _("disabled"), skipped=True)
    if not config.has_key:
        return Hop(config.provider, config.model, "no_key", _("no key"), skipped=True)
    if config.last_test_status == "rejected":
        if config.last_test_at is None:
            why = _("key rejected at the last test")
        else:
            from aidesk.formats import date_time

            why = _("key rejected at the last test on {time}").format(
                time=date_time(config.last_test_at))
        return Hop(config.provider, config.model, "key_rejected", why, skipped=True)
    return None


def team_hop(config: ProviderConfig, model: str, team: Allowed) -> Hop | None:
    """Why the team's policy passes over this provider or model (aidesk.sync.policies), or
    None when it allows both."""
    if not provider_allowed(team, config.provider):
        return Hop(config.provider, model, "team_provider",
                   _("not allowed by your team's policy"), skipped=True)
    if not model_allowed(team, config.provider, model):
        return Hop(config.provider, model, "team_model",
                   _("model {model} not allowed by your team's policy").format(model=model),
                   skipped=True)
    return None


def team_filter(targets: list[Target], skipped: tuple[tuple[int, Hop], ...], team: Allowed
                ) -> tuple[list[Target], tuple[tuple[int, Hop], ...]]:
    """The targets the team allows, and the passed-over ones with those it does not."""
    if team == (None, None):
        return targets, skipped
    kept, out = [], list(skipped)
    for target in targets:
        hop = team_hop(target.config, target.model, team)
        if hop is None:
            kept.append(target)
        else:
            out.append((target.config.position, hop))
    return kept, tuple(sorted(out, key=lambda item: item[0]))


def incapable(provider: str, capability: str) -> Exception:
    from aidesk import providers

    return providers.incapable(provider, capability)


def model_for(config: ProviderConfig, capability: str = "chat") -> str:
    """The model a provider gets for a call of `capability`: the card's model for chat (and
    for a provider that does nothing else, e.g. Stability), else the workspace's
    `<capability>_model` option (image_model, transcription_model), else the default."""
    from aidesk import providers

    meta = providers.PROVIDERS[config.provider]
    if capability == "chat" or meta.capabilities == frozenset({capability}):
        return config.model
    option = config.options.get(MODEL_OPTIONS.get(capability, ""))
    if isinstance(option, str) and option:
        return option
    return meta.transcription_model if capability == "transcription" else meta.image_model


MODEL_OPTIONS = {"images": "image_model", "transcription": "transcription_model"}


def passed_over(configs: Iterable[ProviderConfig]) -> tuple[tuple[int, Hop], ...]:
    """Every provider the user configured (a stored row) that the chain cannot use."""
    out = []
    for config in configs:
        hop = skip_hop(config) if config.stored else None
        if hop is not None:
            out.append((config.position, hop))
    return tuple(out)


def no_provider(workspace: Workspace, hops: Iterable[Hop]) -> NoProviderAvailable:
    return NoProviderAvailable(workspace.name, [(h.provider, h.message) for h in hops])


@dataclass
class Attempts:
    """One call's way down its fallback order: a hop for each provider passed over or
    failed, and the provider errors met (what the call ends with when none answers)."""

    deadline_s: float
    hops: list[Hop] = field(default_factory=list)
    errors: list[tuple[str, ProviderError]] = field(default_factory=list)

    def not_configured(self, target: Target, exc: AIDeskError) -> None:
        self.hops.append(Hop(target.provider, target.model, exc.code, exc.user_message))

    def timed_out(self, target: Target) -> str:
        """The whole chain's deadline passed while `target` worked: its sentence."""
        message = DeadlineExceeded(self.deadline_s, [*(h.provider for h in self.hops),
                                                     target.provider]).user_message
        self.hops.append(Hop(target.provider, target.model, "deadline", message))
        return message

    def failed(self, target: Target, exc: ProviderError) -> None:
        self.hops.append(Hop(target.provider, target.model, exc.code, exc.user_message))
        self.errors.append((target.provider, exc))

    def last(self, targets: list[Target]) -> Target:
        """The provider the failed call is recorded under: the last one tried."""
        return targets[min(len(self.hops), len(targets)) - 1]

    def outcome(self, skipped: list[Hop], workspace: Workspace) -> Exception:
        """The error the call ends with when no provider answered."""
        if self.hops and self.hops[-1].error == "deadline":
            return DeadlineExceeded(self.deadline_s, [h.provider for h in self.hops])
        return failure(self.hops, self.errors, skipped, workspace)


def failure(tried: list[Hop], errors: list[tuple[str, ProviderError]], skipped: list[Hop],
            workspace: Workspace) -> Exception:
    """The error a call ends with when no provider answered."""
    if len(errors) == 1 and len(tried) == 1:
        return errors[0][1]
    if not errors:
        return no_provider(workspace, [*skipped, *tried])
    return AllProvidersFailed(errors)


async def attempt(client: Provider, request: ChatRequest, streaming: bool,
                  deadline: float) -> AsyncIterator[StreamEvent]:
    """One provider's events; each wait ends at `deadline` (event loop time) with TimeoutError.

    The deadline wraps each wait, never a `yield`: the consumer's own time between
    events is not cut short by this provider's deadline.
    """
    if not streaming:
        async with asyncio.timeout_at(deadline):
            completion = await client.generate(request)
        yield StreamDone(completion)
        return
    stream = client.stream(request)
    try:
        while True:
            async with asyncio.timeout_at(deadline):
                try:
                    event = await anext(stream)
                except StopAsyncIteration:
                    return
            yield event
    finally:
        await stream.aclose()  # type: ignore[attr-defined]


def request_of(prompt: str | ChatRequest, system: str | None, schema: JsonSchema | None,
               max_tokens: int, temperature: float | None) -> ChatRequest:
    if isinstance(prompt, ChatRequest):
        return prompt
    return ChatRequest.of(prompt, "", system=system, schema=schema, max_tokens=max_tokens,
                          temperature=temperature)


def cacheable(completion: Completion) -> bool:
    """Only a whole answer is cached: never a truncated or empty one."""
    return not completion.truncated and (bool(completion.text) or completion.data is not None)
