"""Structured answers for the chat and leads tools: one routed call, checked, retried once.

Every tool asks the router for JSON valid against a schema (`Router.ask(schema=...)`). Two
layers keep a bad answer from ever becoming a result:

- the router: a provider whose answer is not JSON or breaks the schema (prose, a missing
  field, a label outside the list) fails with MalformedResponse, and the router moves on to
  the next provider in the workspace's order;
- this module: an answer the schema cannot judge (wrong message ids, a temperature that
  contradicts the score, two replies instead of three) is checked by the tool's `check`,
  and when every provider answered badly the router ends with MalformedResponse or
  AllProvidersFailed. Either way the request is made once more with `use_cache=False`
  (so a bad answer stored in the cache is not served again), then `AnswerNotValid`.

A label or a score is never guessed from prose: an answer that does not pass both layers is
reported, not repaired. Failures that are not about the answer (limits, no provider, a
rate limit on every provider) are raised as the router raised them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from aidesk.errors import AIDeskError, AllProvidersFailed, ConfigError, MalformedResponse
from aidesk.i18n import N_, _
from aidesk.providers.base import JsonSchema
from aidesk.router import Router
from aidesk.workspaces import Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")

# The languages the chat tools read and write: the codes language detection answers, and
# the English name each one has in a prompt (prompts are English in every UI language).
LANGUAGE_NAMES: dict[str, str] = {
    "pt": "Brazilian Portuguese (pt-BR)", "en": "English", "es": "Spanish", "fr": "French",
    "it": "Italian",
}
LANGUAGE_LABELS: dict[str, str] = {
    "pt": N_("Portuguese"), "en": N_("English"), "es": N_("Spanish"), "fr": N_("French"),
    "it": N_("Italian"),
}
STAFF_LANGUAGE = "Brazilian Portuguese (pt-BR)"  # reasons, summaries: for the agency's staff

TASKS: dict[str, str] = {
    "sentiment": N_("the sentiment analysis"),
    "summary": N_("the conversation summary"),
    "replies": N_("the suggested replies"),
    "translation": N_("the translation"),
    "lead": N_("the lead analysis"),
    "meeting": N_("the meeting summary"),
}


class AnswerNotValid(AIDeskError):
    """The AI's answer could not be validated, even after one retry. `detail` (English, for
    the log) says what was wrong with the last answer."""

    code = "answer_not_valid"

    def __init__(self, task: str, detail: str = "") -> None:
        self.task = task
        self.detail = detail
        super().__init__(
            _("The AI's answer for {task} was not in the expected format, even after one "
              "retry, so nothing was guessed from it.").format(task=_(TASKS.get(task, task))),
            cli_hint=_("Try again, or put another provider first with `aidesk config set "
                       "fallback PROVIDER,…`."),
            gui_hint=_("Try again, or put another provider first in Integrations."))


class UnsupportedLanguage(ConfigError):
    """A language the chat tools do not handle (they read and write PT, EN, ES, FR, IT)."""

    code = "unsupported_language"

    def __init__(self, language: str | None) -> None:
        """`language`: the code asked for; None when the text itself is in another one."""
        self.language = language
        if language is None:
            text = _("The text is in a language AIDesk does not translate; it handles "
                     "Portuguese, English, Spanish, French and Italian.")
        else:
            text = _("AIDesk translates only Portuguese, English, Spanish, French and Italian "
                     "({language} is not one of them); pick pt, en, es, fr or it.").format(
                         language=language or "?")
        super().__init__(text)


class NothingToAnalyse(ConfigError):
    """The conversation or lead has no text the tool could work on."""

    code = "nothing_to_analyse"

    def __init__(self) -> None:
        super().__init__(_("There is no message or note with text to analyse here; import a "
                           "conversation or lead history with text first."))


class BadAnswer(ValueError):
    """Raised by a tool's `check`: the answer passed the schema but is still not usable."""


def check_language(code: str | None) -> str:
    """`code` when it is one of the five languages, else UnsupportedLanguage."""
    if code is None or code not in LANGUAGE_NAMES:
        raise UnsupportedLanguage(code or "")
    return code


@dataclass(frozen=True, slots=True)
class Request:
    """One structured request of a tool (what `ask` sends)."""

    module: str  # the router's module: "chat" or "leads"
    task: str  # a key of TASKS, for AnswerNotValid
    system: str
    prompt: str
    schema: JsonSchema
    max_tokens: int = 2048


async def ask(router: Router, ws: Workspace, request: Request,
              check: Callable[[Any], T]) -> T:
    """`check(data)` of the first answer that passes the schema and the check, trying at
    most twice (the second time without the cache); else AnswerNotValid."""
    problem = ""
    for attempt in range(2):
        try:
            result = await router.ask(
                ws, request.prompt, module=request.module, system=request.system,
                schema=request.schema, max_tokens=request.max_tokens, use_cache=attempt == 0)
        except (MalformedResponse, AllProvidersFailed) as exc:
            bad, only_bad = _bad_answers(exc)
            if not bad or (attempt == 1 and not only_bad):
                raise
            problem = exc.text
        else:
            try:
                return check(result.data)
            except BadAnswer as exc:
                problem = f"{result.provider}: {exc}"
        log.warning("%s: answer %d not valid: %s", request.task, attempt + 1, problem)
    raise AnswerNotValid(request.task, problem)


def _bad_answers(exc: AIDeskError) -> tuple[bool, bool]:
    """(some provider answered badly, every provider that failed answered badly)."""
    if isinstance(exc, MalformedResponse):
        return True, True
    assert isinstance(exc, AllProvidersFailed)
    kinds = [isinstance(error, MalformedResponse) for _provider, error in exc.hops]
    return any(kinds), all(kinds)


async def bounded(jobs: Iterable[Callable[[], Awaitable[T]]], limit: int) -> list[T]:
    """Run the jobs, at most `limit` at a time; results in job order. The first failure
    cancels the jobs still running and is raised as is (no ExceptionGroup)."""
    gate = asyncio.Semaphore(max(1, limit))

    async def run(job: Callable[[], Awaitable[T]]) -> T:
        async with gate:
            return await job()

    tasks = [asyncio.ensure_future(run(job)) for job in jobs]
    if not tasks:
        return []
    try:
        done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        failed = next((t for t in tasks if t in done and t.exception() is not None), None)
        if failed is not None:
            raise failed.exception()  # type: ignore[misc]
        return [t.result() for t in tasks]
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def object_schema(properties: dict[str, Any]) -> dict[str, Any]:
    """An object with every property required and nothing else: valid as it is for OpenAI
    strict mode (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas),
    an Anthropic tool's input_schema and Gemini's responseJsonSchema. Only `type`,
    `properties`, `required`, `additionalProperties`, `items` and `enum` are used: ranges and
    counts are checked after the answer arrives (older strict-mode models refuse them)."""
    return {"type": "object", "properties": properties, "required": list(properties),
            "additionalProperties": False}


STRING: dict[str, Any] = {"type": "string"}
STRINGS: dict[str, Any] = {"type": "array", "items": STRING}


def text_of(value: Any) -> str:
    """A string field of an answer, stripped; BadAnswer when it is empty."""
    text = str(value).strip()
    if not text:
        raise BadAnswer("an empty text where one is needed")
    return text


def texts_of(values: Any) -> list[str]:
    """A list of strings of an answer, stripped, empty ones dropped."""
    return [str(v).strip() for v in values if str(v).strip()]
