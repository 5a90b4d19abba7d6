"""Image generation and audio transcription through the same pipeline as chat.

resolve (providers with the capability, in the user's order) → cache (transcription only:
every image press is a new image) → limits (one request per call; tokens as the provider
reports them; cost by the real price) → call, with fallback under the call deadline → one
usage and one audit row (spooled if the disk refuses them). The audit row keeps the prompt or
the file name with its size, and the image file names or the transcript: never image or
audio bytes, never keys.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from aidesk.errors import (
    AIDeskError,
    ConfigError,
    InvalidKey,
    NoProviderAvailable,
    NotConfigured,
    ProviderError,
)
from aidesk.formats import plain
from aidesk.i18n import _, ngettext
from aidesk.providers.base import IMAGES, TRANSCRIPTION, Completion, Usage, monotonic_ms
from aidesk.providers.media import (
    ASPECTS,
    EXTENSIONS,
    MAX_AUDIO_BYTES,
    MAX_IMAGES,
    SIZES,
    ImageRequest,
    ImageResult,
    ResponseFormat,
    Transcript,
    TranscriptionRequest,
    TranscriptSegment,
)
from aidesk.router import cache, media_pricing, records
from aidesk.router.media_results import (
    ImagesResult,
    MediaInputError,
    NoMediaProvider,
    TranscriptionResult,
)
from aidesk.router.records import CacheWrite, CallRecord
from aidesk.router.results import Hop
from aidesk.router.route import Attempts, Route, Target
from aidesk.storage.values import new_id
from aidesk.workspaces import Workspace

if TYPE_CHECKING:
    from aidesk.router.core import Router

T = TypeVar("T")
AUDIO_TYPES = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
# Models that answer verbose_json (duration, language, segments): the Whisper family. The
# gpt-4o ones take json only (openai/types/audio_response_format.py).
_VERBOSE_MODELS = ("whisper-1", "whisper-large-v3", "whisper-large-v3-turbo")


@dataclass(slots=True)
class Job(Generic[T]):
    """One media call as the pipeline runs it."""

    capability: str
    module: str
    prompt_text: str  # what the audit row keeps as the prompt
    provider: str | None
    model: str | None
    call: Callable[[Any, str], Awaitable[T]]  # (provider client, model) → answer
    estimate: Callable[[Target], tuple[int, float]]  # reservation (tokens, US$)
    settle: Callable[[CallRecord, Target, T], None]  # fill the record from the answer
    billed: Callable[[Target, ProviderError], float | None] = lambda target, exc: None
    cache_key: Callable[[Target], str] | None = None
    cache_entry: Callable[[T], Completion] | None = None
    use_cache: bool = True
    hops: list[Hop] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Answer(Generic[T]):
    target: Target
    value: T | None  # None: served from the cache (`completion`)
    record: CallRecord
    hops: tuple[Hop, ...]
    completion: Completion | None = None


# -- images ------------------------------------------------------------------------------------
async def generate_images(
    router: Router, workspace: Workspace, prompt: str, *, size: str = "1024x1024",
    count: int = 1, provider: str | None = None, model: str | None = None,
    module: str = "images",
) -> ImagesResult:
    prompt = prompt.strip()
    check_image_input(prompt, size, count)

    async def call(client: Any, model_id: str) -> ImageResult:
        result: ImageResult = await client.generate_images(
            ImageRequest.of(prompt, model_id, size, count))
        return result

    def settle(rec: CallRecord, target: Target, answer: ImageResult) -> None:
        names = tuple(f"{rec.request_id}-{i}.{EXTENSIONS.get(image.mime, 'png')}"
                      for i, image in enumerate(answer.images, start=1))
        rec.model = answer.model or target.model
        rec.response = "\n".join(names)
        rec.usage = answer.usage
        rec.cost_usd = media_pricing.image_cost(target.provider, rec.model, answer.usage,
                                                answer.billing)
        rec.finish_reason = "partial" if answer.note else "stop"

    def billed(target: Target, exc: ProviderError) -> float | None:
        images = getattr(exc, "billed_images", 0)
        if not images:
            return None
        return media_pricing.image_cost(target.provider, target.model, Usage(known=False),
                                        {"images": float(images)})

    job: Job[ImageResult] = Job(
        IMAGES, module, _image_prompt_text(prompt, size, count), provider, model, call,
        lambda t: media_pricing.image_estimate(t.provider, t.model, prompt, count), settle,
        billed)
    answer = await _run(router, workspace, job)
    assert answer.value is not None
    rec = answer.record
    assert rec.provider is not None and rec.model is not None and rec.response is not None
    return ImagesResult(rec.request_id, rec.provider, rec.model, prompt, size,
                        answer.value.images, tuple(rec.response.split("\n")), answer.hops,
                        rec.usage, rec.cost_usd, rec.latency_ms, answer.value.note)


def check_image_input(prompt: str, size: str, count: int) -> None:
    if not prompt:
        raise MediaInputError(_("Describe the image to make: the prompt is empty."))
    if not 1 <= count <= MAX_IMAGES:
        raise MediaInputError(_("Ask for 1 to {max} images at a time, not {count}.").format(
            max=MAX_IMAGES, count=count))
    if size not in SIZES and size not in ASPECTS:
        raise MediaInputError(_("Image size '{size}' is not offered; use one of {sizes}.").format(
            size=size, sizes=", ".join((*SIZES, *ASPECTS))))


def _image_prompt_text(prompt: str, size: str, count: int) -> str:
    return prompt + "\n\n" + ngettext("[{count} image, size {size}]",
                                      "[{count} images, size {size}]", count).format(
                                          count=count, size=size)


# -- transcription -----------------------------------------------------------------------------
async def transcribe(
    router: Router, workspace: Workspace, audio: bytes, filename: str, *,
    model: str | None = None, language: str | None = None, provider: str | None = None,
    module: str = "meetings", prompt: str | None = None,
    response_format: ResponseFormat | None = None, use_cache: bool = True,
) -> TranscriptionResult:
    check_audio_input(audio, filename)
    digest = hashlib.sha256(audio).hexdigest()

    def request(model_id: str) -> TranscriptionRequest:
        fmt = response_format or ("verbose_json" if model_id in _VERBOSE_MODELS else "json")
        return TranscriptionRequest(audio, PurePath(filename).name, model_id, language, prompt,
                                    fmt)

    async def call(client: Any, model_id: str) -> Transcript:
        result: Transcript = await client.transcribe(request(model_id))
        return result

    def settle(rec: CallRecord, target: Target, answer: Transcript) -> None:
        rec.model = answer.model or target.model
        rec.response = answer.text
        rec.usage = answer.usage
        rec.cost_usd = media_pricing.transcription_cost(target.provider, rec.model,
                                                        answer.usage, answer.billing)
        rec.finish_reason = "stop"

    def key(target: Target) -> str:
        canonical = json.dumps({"provider": target.provider, "model": target.model,
                                "audio_sha256": digest, "options": request(target.model).options()},
                               sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    job: Job[Transcript] = Job(
        TRANSCRIPTION, module, _audio_prompt_text(filename, len(audio)), provider, model, call,
        lambda t: media_pricing.transcription_estimate(t.provider, t.model, len(audio)), settle,
        cache_key=key, cache_entry=_transcript_entry, use_cache=use_cache)
    answer = await _run(router, workspace, job)
    rec = answer.record
    assert rec.provider is not None and rec.model is not None
    transcript = (answer.value if answer.value is not None
                  else _transcript_of(answer.completion))
    return TranscriptionResult(rec.request_id, rec.provider, rec.model, transcript, rec.cached,
                               answer.hops, rec.usage, rec.cost_usd, rec.latency_ms)


def check_audio_input(audio: bytes, filename: str) -> None:
    name = PurePath(filename).name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if not audio:
        raise MediaInputError(_("{file} is empty: there is no audio to transcribe.").format(
            file=name))
    if extension not in AUDIO_TYPES:
        raise MediaInputError(_("{file}: transcription takes {types} files.").format(
            file=name, types=", ".join(AUDIO_TYPES)))
    if len(audio) > MAX_AUDIO_BYTES:
        raise MediaInputError(_("{file} is {size} MB; the providers take at most {max} MB per "
                                "file: split it into parts first.").format(
            file=name, size=plain(round(len(audio) / 2**20, 1)), max=MAX_AUDIO_BYTES // 2**20))


def _audio_prompt_text(filename: str, size: int) -> str:
    return _("Audio {file} ({size} bytes)").format(file=PurePath(filename).name, size=size)


def _transcript_entry(transcript: Transcript) -> Completion:
    """The cache row of a transcript: its text and what else it said, no audio."""
    data = {"duration_s": transcript.duration_s, "language": transcript.language,
            "segments": [[s.start, s.end, s.text] for s in transcript.segments]}
    return Completion(transcript.text, transcript.model, transcript.usage, "stop", data)


def _transcript_of(completion: Completion | None) -> Transcript:
    assert completion is not None
    data = completion.data if isinstance(completion.data, dict) else {}
    segments = tuple(TranscriptSegment(float(s[0]), float(s[1]), str(s[2]))
                     for s in data.get("segments") or ())
    return Transcript(completion.text, completion.model, data.get("duration_s"),
                      data.get("language"), segments, completion.usage)


# -- the pipeline ------------------------------------------------------------------------------
async def _run(router: Router, workspace: Workspace, job: Job[T]) -> Answer[T]:
    start = time.perf_counter()
    rec = CallRecord(new_id(), workspace.tenant_id, router.user_id, job.module, job.prompt_text,
                     priced_apart=True)
    ttl = workspace.cache_ttl_days if job.cache_key is not None else 0
    hit: tuple[Target, Completion, str] | None = None
    hashes: list[str] = []
    try:
        with router.db.reading() as conn:
            route = _resolve(router, workspace, job, conn)
            targets = route.targets
            if job.cache_key is not None:
                hashes = [job.cache_key(t) for t in targets]
            if ttl > 0 and job.use_cache:
                hit = _cache_hit(router, conn, workspace,
                                 targets[:1] if route.explicit else targets, hashes)
            reserved = False
            deadline_s = router.workspaces.call_deadline_s(conn) if hit is None else 0.0
            lim = router.workspaces.limits(workspace.tenant_id, conn) if hit is None else None
            if lim is not None and lim.any():
                conn.execute("ROLLBACK")  # end the read; the reservation takes the write lock
                tokens, cost = job.estimate(targets[0])
                reserved = router._hold(conn, workspace, lim, rec, tokens, cost)
    except (NotConfigured, NoProviderAvailable, ConfigError) as exc:
        rec.outcome, rec.error = "not_configured", exc.user_message
        records.write(router.db, rec, router.clock())
        raise

    if hit is not None:
        target, completion, _hash = hit
        rec.provider, rec.model, rec.response = target.provider, completion.model, completion.text
        rec.usage, rec.cost_usd, rec.cached = completion.usage, 0.0, True
        rec.finish_reason, rec.latency_ms = completion.finish_reason, monotonic_ms(start)
        records.write(router.db, rec, router.clock())
        return Answer(target, None, rec, (), completion)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + deadline_s
    tried = Attempts(deadline_s)
    written = False
    try:
        for index, target in enumerate(targets):
            try:
                built = loop.time()
                client = await router._provider(workspace, target, job.capability)
                deadline += loop.time() - built  # local set-up is not the provider's silence
                async with asyncio.timeout_at(deadline):
                    value = await job.call(client, target.model)
            except NotConfigured as exc:
                tried.not_configured(target, exc)
                continue
            except TimeoutError:
                rec.error = tried.timed_out(target)
                break
            except ProviderError as exc:
                tried.failed(target, exc)
                _billed_failure(router, rec, target, exc, job)
                if isinstance(exc, InvalidKey):
                    router._mark_rejected(workspace, target.provider, exc)
                if not exc.fallback:
                    break
                continue
            rec.provider, rec.model = target.provider, target.model
            job.settle(rec, target, value)
            all_hops = (*route.skipped_before(target.provider), *tried.hops)
            rec.hops, rec.latency_ms = [h.as_dict() for h in all_hops], monotonic_ms(start)
            write = None
            if ttl > 0 and job.cache_entry is not None:
                write = CacheWrite(hashes[index], job.cache_entry(value), ttl)
            records.write(router.db, rec, router.clock(), cache_write=write, reserved=reserved)
            written = True
            return Answer(target, value, rec, all_hops)
        last = tried.last(targets)
        rec.provider, rec.model = last.provider, last.model
        rec.latency_ms, rec.outcome = monotonic_ms(start), "error"
        skipped = route.skipped_before(None)
        rec.hops = [h.as_dict() for h in (*skipped, *tried.hops)]
        failed = tried.outcome(skipped, workspace)
        if isinstance(failed, NoProviderAvailable):
            failed = NoMediaProvider(workspace.name, job.capability, failed.reasons)
        rec.error = failed.user_message if isinstance(failed, AIDeskError) else str(failed)
        records.write(router.db, rec, router.clock(), reserved=reserved)
        written = True
        raise failed
    except asyncio.CancelledError:
        if not written:
            rec.outcome, rec.error = "cancelled", "cancelled"
            rec.latency_ms, rec.hops = monotonic_ms(start), [h.as_dict() for h in tried.hops]
            records.write(router.db, rec, router.clock(), reserved=reserved)
        raise


def _resolve(router: Router, workspace: Workspace, job: Job[Any],
             conn: sqlite3.Connection) -> Route:
    try:
        return router.resolve(workspace, job.provider, job.model, job.module, True, conn,
                              capability=job.capability)
    except NoProviderAvailable as exc:
        raise NoMediaProvider(workspace.name, job.capability, exc.reasons) from None


def _cache_hit(router: Router, conn: sqlite3.Connection, workspace: Workspace,
               targets: list[Target], hashes: list[str]) -> tuple[Target, Completion, str] | None:
    keys = [(t.provider, h) for t, h in zip(targets, hashes, strict=False)]
    found = cache.lookup(conn, workspace.tenant_id, keys, router.clock())
    for target, key in zip(targets, keys, strict=False):
        if key in found:
            return target, found[key], key[1]
    return None




def _billed_failure(router: Router, rec: CallRecord, target: Target, exc: ProviderError,
                    job: Job[Any]) -> None:
    """A failed call the provider still billed (a blurred Stability image, tokens spent)
    gets its own usage and audit rows, so no cost is lost."""
    cost = job.billed(target, exc)
    tokens = exc.usage is not None and exc.usage.known and exc.usage.total_tokens > 0
    if cost is None and not tokens:
        return
    billed = CallRecord(new_id(), rec.tenant_id, rec.user_id, rec.module, rec.prompt,
                        provider=target.provider, model=target.model,
                        usage=exc.usage if tokens and exc.usage else Usage(known=False),
                        outcome="error", error=exc.user_message, priced_apart=True)
    billed.cost_usd = cost
    records.write(router.db, billed, router.clock())
