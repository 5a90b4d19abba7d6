"""Test helpers: an in-memory keyring backend and a core wired to the provider emulator."""

from __future__ import annotations

import io
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest

from aidesk.core import Core, open_core
from aidesk.keys import KeyStore
from aidesk.providers import PROVIDERS
from aidesk.router.keycheck import store_key
from aidesk.workspaces import Workspace


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


def make_core(data_dir: Path, backend: keyring.backend.KeyringBackend | None = None) -> Core:
    return open_core(data_dir, keys=KeyStore(backend or MemoryKeyring()))


def configure(core: Core, ws: Workspace, emulator: object, *provider_ids: str,
              keys: dict[str, str] | None = None) -> None:
    """Point the given providers at the emulator with valid keys, in this fallback order."""
    for provider in provider_ids:
        core.workspaces.update_config(ws.tenant_id, provider, enabled=True,
                                      base_url=emulator.base_url(provider))  # type: ignore[attr-defined]
        if PROVIDERS[provider].needs_key:
            key = (keys or {}).get(provider) or emulator.key(provider)  # type: ignore[attr-defined]
            store_key(core.workspaces, core.keys, ws, provider, key, None)
    core.workspaces.set_fallback_order(ws.tenant_id, list(provider_ids))
    for provider in PROVIDERS:
        if provider not in provider_ids:
            config = core.workspaces.config(ws.tenant_id, provider)
            if config.stored:
                core.workspaces.update_config(ws.tenant_id, provider, enabled=False)


class Cli:
    """`aidesk ARGS` run in this process, stdin given: (exit code, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        from aidesk.cli import main

        self.monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        return code, out, err
