"""Keeps API keys out of every text the app writes: errors, logs, audit rows, exports.

Every key the key store or a connection test touches is registered here first;
`redact` replaces each registered key with its mask. Strings shaped like a key of any
supported provider are masked too, registered or not (a key pasted into a prompt).
A log-record factory applies the same to every log record when it is made.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: dict[str, str] = {}  # key -> mask
_ordered: tuple[str, ...] = ()  # longest first, so a key that contains another wins

# Key shapes of the supported providers (prefix, then the family's own alphabet):
#   OpenAI     sk-<48 base62> (legacy, "T3BlbkFJ" inside), sk-proj-…, sk-svcacct-…, sk-admin-…,
#              sk-None-… (base64url, 100+ chars)
#   Anthropic  sk-ant-api03-<95 base64url>, sk-ant-admin01-…, sk-ant-oat01-…
#   OpenRouter sk-or-v1-<64 hex>
#   Groq       gsk_<52 base62>
#   Gemini     AIza<35 base64url> (Google API keys, 39 characters)
# Every `sk-` family is matched by one rule: at least 16 base64url characters after `sk-`
# and at least one digit among them (real keys always have one; prose such as
# `sk-learn-is-a-library` does not). Minimums sit below the real lengths so that a
# truncated or older key is still masked.
_KEY_SHAPES = re.compile(
    r"sk-(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9_-]{16,}"
    r"|gsk_[A-Za-z0-9]{20,}"
    r"|AIza[0-9A-Za-z_-]{30,}"
)
_FAMILIES = ("sk-proj-", "sk-svcacct-", "sk-admin-", "sk-None-", "sk-ant-", "sk-or-v1-", "gsk_",
             "AIza")
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
# A key glued to an escape is still a key: `%22sk-…` (URL), `\nsk-…`, `\u0022sk-…` (JSON).
_ESCAPE_BEFORE = re.compile(r"(?:%[0-9A-Fa-f]{2}|\\[nrtbf]|\\u[0-9A-Fa-f]{4})\Z")


def mask(key: str) -> str:
    """`sk-proj-abcd…a1b2` → `sk-…a1b2`: enough to recognise, useless to steal."""
    key = key.strip()
    if len(key) <= 8:
        return "…" * bool(key)
    cut = min((i for i in (key.find("-"), key.find("_")) if 0 < i < 5), default=2)
    prefix = key[: cut + 1]
    return f"{prefix}…{key[-4:]}"


def register_secret(secret: str) -> None:
    """Mask this secret in every text redacted from now on (call it before using the key)."""
    global _ordered
    secret = secret.strip()
    if len(secret) < 6:
        return
    with _lock:
        if secret in _secrets:
            return
        _secrets[secret] = mask(secret)
        _ordered = tuple(sorted(_secrets, key=len, reverse=True))


def _shape(match: re.Match[str]) -> str:
    text, start = match.string, match.start()
    found = match.group(0)
    if (start and text[start - 1] in _WORD and len(found) < 40
            and not found.startswith(_FAMILIES)
            and not _ESCAPE_BEFORE.search(text, max(0, start - 6), start)):
        return found  # the tail of a longer word (`task-…`, `desk-…`), not a key
    return mask(found)


def redact(text: str) -> str:
    """The text with every registered key and every key-shaped string masked."""
    if not text:
        return text
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, _secrets[secret])
    if "sk-" in text or "gsk_" in text or "AIza" in text:
        text = _KEY_SHAPES.sub(_shape, text)
    return text


def _clean(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it later, unredacted parts stay out
        message = str(record.msg)
        record.msg, record.args = redact(message), None
        return
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_installed = False


def install_log_redaction() -> None:
    """Redact every log record when it is made, whichever logger or handler it goes to."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _clean(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


class StreamRedactor:
    """Redacts text that arrives in pieces (a streamed answer) before it is printed.

    A key may be split across two pieces, so the text after the last whitespace is held back
    until more text (or the end) shows where that word ends: keys never contain whitespace.
    """

    def __init__(self) -> None:
        self._held = ""

    def feed(self, piece: str) -> str:
        """The part of the text so far that is safe to show now, redacted."""
        text = self._held + piece
        cut = max(text.rfind(c) for c in " \t\r\n")
        if cut < 0:
            self._held = text
            return ""
        self._held = text[cut + 1:]
        return redact(text[:cut + 1])

    def flush(self) -> str:
        """The rest, redacted, once the stream has ended."""
        rest, self._held = self._held, ""
        return redact(rest)
