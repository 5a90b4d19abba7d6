"""API keys in the OS keyring (service `aidesk`, one entry per workspace and provider).

The database only ever sees `fingerprint` and `mask` of a key. Every key read or
written here is registered with `aidesk.redact`, so no log line or error text can carry it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aidesk.errors import ConfigError, KeyringUnavailable, StorageError
from aidesk.i18n import _, pick
from aidesk.redact import mask, register_secret

SERVICE = "aidesk"

# Backends that would keep keys in plain text or nowhere: refused, never a silent fallback.
_REFUSED_BACKENDS = ("fail.Keyring", "PlaintextKeyring", "chainer.ChainerBackend:empty")


MAX_KEY_LENGTH = 1024  # the longest real keys (OpenAI project keys) are under 200 characters


def key_problem(key: str) -> str | None:
    """Why this text cannot be an API key, in one sentence that does not repeat it; else None."""
    key = key.strip()
    if not key:
        return pick(_("No key given: pipe it on stdin or type it at the prompt."),
                    _("No key given: paste it in the key field."))
    if len(key) > MAX_KEY_LENGTH:
        return _("That key is {count} characters long, far more than any API key: copy only "
                 "the key from the provider's console.").format(count=len(key))
    if not all("!" <= c <= "~" for c in key):
        return _("That key contains spaces, control characters or non-ASCII letters, which no "
                 "API key has: copy it again from the provider's console.")
    return None


def fingerprint(key: str) -> str:
    """A short, one-way identity of a key: tells two keys apart without revealing either."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:16]


class KeyStore:
    """The keyring, loaded on first use: a call that needs no key (a local server, a cache
    hit) never imports keyring nor probes its backends (over 100 ms with Secret Service)."""

    def __init__(self, backend: object | None = None) -> None:
        self._given = backend

    @property
    def _backend(self) -> Any:
        if self._given is None:
            import keyring

            self._given = keyring.get_keyring()
        return self._given

    @property
    def backend_name(self) -> str:
        cls = type(self._backend)
        return f"{cls.__module__.removeprefix('keyring.backends.')}.{cls.__name__}"

    def check(self) -> None:
        """Raise KeyringUnavailable when the backend cannot keep secrets safely."""
        name = self.backend_name
        priority = getattr(self._backend, "priority", 1)
        chained = getattr(self._backend, "backends", None)
        if chained is not None and not chained:
            name = "chainer.ChainerBackend:empty"
        if any(refused in name for refused in _REFUSED_BACKENDS) or priority <= 0:
            raise KeyringUnavailable(name)

    @staticmethod
    def entry(tenant_id: str, provider: str) -> str:
        return f"{tenant_id}:{provider}"

    def get(self, tenant_id: str, provider: str) -> str | None:
        self.check()
        from keyring.errors import KeyringError

        try:
            key = self._backend.get_password(SERVICE, self.entry(tenant_id, provider))
        except KeyringError as exc:
            raise StorageError(_("The OS keyring could not be read: {error}. Unlock it and "
                                 "retry.").format(error=exc)) from None
        if key:
            register_secret(key)
        return key or None

    def set(self, tenant_id: str, provider: str, key: str) -> tuple[str, str]:
        """Store the key; return (fingerprint, mask) for the database."""
        key = key.strip()
        register_secret(key)
        problem = key_problem(key)
        if problem:
            raise ConfigError(problem)
        self._store(self.entry(tenant_id, provider), key,
                    _("The OS keyring refused the key: {error}. Unlock it and retry."))
        return fingerprint(key), mask(key)

    def _store(self, entry: str, secret: str, refused: str) -> None:
        """Write to the keyring; `refused` is the sentence, with {error}, of a refusal."""
        self.check()
        from keyring.errors import KeyringError

        try:
            self._backend.set_password(SERVICE, entry, secret)
        except KeyringError as exc:
            raise StorageError(refused.format(error=exc)) from None

    def remove(self, tenant_id: str, provider: str) -> bool:
        self.check()
        from keyring.errors import PasswordDeleteError

        try:
            self._backend.delete_password(SERVICE, self.entry(tenant_id, provider))
        except PasswordDeleteError:
            return False
        return True

    # -- other secrets (the sync password: name "sync", entry `{tenant}:sync`) -----------------
    def get_secret(self, tenant_id: str, name: str) -> str | None:
        """A secret that is not a provider key (no key_problem check), registered for
        redaction; None when none is saved."""
        return self.get(tenant_id, name)

    def set_secret(self, tenant_id: str, name: str, value: str) -> None:
        """Save a secret as given (a password may hold spaces or any letter)."""
        if not value:
            raise ConfigError(pick(_("No password given: pipe it on stdin or type it at the "
                                     "prompt."),
                                   _("No password given: type it in the password field.")))
        register_secret(value)
        self._store(self.entry(tenant_id, name), value,
                    _("The OS keyring refused the password: {error}. Unlock it and retry."))

    def remove_secret(self, tenant_id: str, name: str) -> bool:
        """Delete a secret; False when there was none."""
        return self.remove(tenant_id, name)
