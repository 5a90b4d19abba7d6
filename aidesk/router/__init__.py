"""The AI call router: provider choice, cache, limits, fallback, usage and audit."""

from typing import TYPE_CHECKING

from aidesk.router.core import Router
from aidesk.router.results import Hop, KeyRejected, LimitWarning, RouterEvent, RouterResult
from aidesk.router.route import Target

if TYPE_CHECKING:
    from aidesk.router.media_results import ImagesResult, TranscriptionResult


def __getattr__(name: str) -> object:
    """The media results, loaded when first asked for (a chat call never needs them)."""
    if name in ("ImagesResult", "TranscriptionResult"):
        from aidesk.router import media_results

        return getattr(media_results, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["Hop", "ImagesResult", "KeyRejected", "LimitWarning", "Router", "RouterEvent",
           "RouterResult", "Target", "TranscriptionResult"]
