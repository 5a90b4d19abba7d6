"""What an image or transcription call returns, and the errors of their inputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aidesk.errors import AIDeskError, NoProviderAvailable
from aidesk.i18n import _
from aidesk.providers.base import Usage
from aidesk.providers.media import CAPABILITY_LABELS, GeneratedImage, Transcript
from aidesk.router.results import Hop


@dataclass(frozen=True, slots=True)
class ImagesResult:
    """The images of one call, each with the file name the router gave it (what the audit row
    lists): `<request_id>-<n>.<ext>`."""

    request_id: str
    provider: str
    model: str
    prompt: str
    size: str  # as asked: a SIZES key or an aspect ratio
    images: tuple[GeneratedImage, ...]
    names: tuple[str, ...]
    hops: tuple[Hop, ...]
    usage: Usage
    cost_usd: float | None
    latency_ms: int
    note: str | None = None  # fewer images than asked, and why

    @property
    def fallbacks(self) -> tuple[Hop, ...]:
        return tuple(h for h in self.hops if not h.skipped)

    @property
    def cost_per_image(self) -> float | None:
        if self.cost_usd is None or not self.images:
            return None
        return self.cost_usd / len(self.images)


@dataclass(frozen=True, slots=True)
class TranscriptionResult:
    request_id: str
    provider: str
    model: str
    transcript: Transcript
    cached: bool
    hops: tuple[Hop, ...]
    usage: Usage
    cost_usd: float | None
    latency_ms: int

    @property
    def text(self) -> str:
        return self.transcript.text

    @property
    def duration_s(self) -> float | None:
        return self.transcript.duration_s

    @property
    def fallbacks(self) -> tuple[Hop, ...]:
        return tuple(h for h in self.hops if not h.skipped)

    def as_json(self) -> dict[str, Any]:
        t = self.transcript
        return {
            "text": t.text, "language": t.language, "duration_s": t.duration_s,
            "segments": [{"start": s.start, "end": s.end, "text": s.text} for s in t.segments],
            "provider": self.provider, "model": self.model, "cached": self.cached,
            "hops": [{"provider": h.provider, "error": h.message, "code": h.error,
                      "skipped": h.skipped} for h in self.hops],
            "cost_usd": self.cost_usd, "latency_ms": self.latency_ms,
            "request_id": self.request_id,
        }


class MediaInputError(AIDeskError):
    """An image or audio request that no provider could take as it is (empty prompt, count
    out of range, an audio file too big or of an unknown type): refused before any call."""

    code = "bad_input"


class NoMediaProvider(NoProviderAvailable):
    """No provider that does this kind of call is set up: the message names the ones that do."""

    def __init__(self, workspace: str, capability: str,
                 reasons: tuple[tuple[str, str], ...] = ()) -> None:
        from aidesk.providers import display_name, named, with_capability

        self.reasons = reasons
        able = with_capability(capability)
        what = _(CAPABILITY_LABELS.get(capability, capability))
        listed = "; ".join(f"{named(p)}: {why}" for p, why in reasons)
        text = (_("No provider for {what} can take the call in workspace '{workspace}' "
                  "({reasons}).").format(what=what, workspace=workspace, reasons=listed)
                if reasons else
                _("No provider for {what} is set up in workspace '{workspace}'.").format(
                    what=what, workspace=workspace))
        AIDeskError.__init__(
            self, text,
            cli_hint=_("Add a key for one of {providers} with `aidesk keys set "
                       "PROVIDER`.").format(providers=", ".join(able)),
            gui_hint=_("Add a key for {providers} in Integrations.").format(
                providers=", ".join(display_name(p) for p in able)))
