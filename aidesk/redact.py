"""Keeps API keys out of every text the app writes: errors, logs, audit rows, exports.

Every key the key store hands out is registered here; `redact` replaces any
registered key (and any run of it long enough to identify it) with its mask.
A logging filter applies the same to every log record.
"""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: dict[str, str] = {}
_pattern: re.Pattern[str] | None = None

# Generic shapes of provider keys, masked even if never registered (a pasted key in a prompt).
_KEY_SHAPES = re.compile(
    r"(sk-(?:proj-|ant-(?:api\d\d-)?|or-v1-)?[A-Za-z0-9_\-]{16,}|AIza[0-9A-Za-z_\-]{30,}|gsk_[A-Za-z0-9]{20,})"
)


def mask(key: str) -> str:
    """`sk-proj-abcd…a1b2` → `sk-…a1b2`: enough to recognise, useless to steal."""
    key = key.strip()
    if len(key) <= 8:
        return "…" * bool(key)
    cut = min((i for i in (key.find("-"), key.find("_")) if 0 < i < 5), default=2)
    prefix = key[: cut + 1]
    return f"{prefix}…{key[-4:]}"


def register_secret(secret: str) -> None:
    global _pattern
    secret = secret.strip()
    if len(secret) < 6:
        return
    with _lock:
        if secret in _secrets:
            return
        _secrets[secret] = mask(secret)
        alternatives = sorted(_secrets, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in alternatives))


def redact(text: str) -> str:
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(lambda m: _secrets.get(m.group(0), "…"), text)
    return _KEY_SHAPES.sub(lambda m: mask(m.group(0)), text)


def _clean(record: logging.LogRecord) -> None:
    message = record.getMessage()
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))


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
