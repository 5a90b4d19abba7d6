"""The AI call router: provider choice, cache, limits, fallback, usage and audit."""

from aidesk.router.core import Router
from aidesk.router.results import Hop, KeyRejected, LimitWarning, RouterEvent, RouterResult
from aidesk.router.route import Target

__all__ = ["Hop", "KeyRejected", "LimitWarning", "Router", "RouterEvent", "RouterResult", "Target"]
