"""The AI call router: provider choice, cache, limits, fallback, usage and audit."""

from aidesk.router.core import Router
from aidesk.router.media_results import ImagesResult, TranscriptionResult
from aidesk.router.results import Hop, KeyRejected, LimitWarning, RouterEvent, RouterResult
from aidesk.router.route import Target

__all__ = ["Hop", "ImagesResult", "KeyRejected", "LimitWarning", "Router", "RouterEvent",
           "RouterResult", "Target", "TranscriptionResult"]
