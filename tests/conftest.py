"""Fixtures: the provider emulator, a fresh data directory and a core wired to both."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from aidesk.core import Core
from aidesk.workspaces import Workspace
from tests.emulator.fixtures import emulator, emulator_server  # noqa: F401
from tests.support import MemoryKeyring, make_core

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests read English texts unless they switch language themselves (tests/test_i18n.py);
# LANGUAGE wins over LANG/LC_* for gettext, and subprocesses inherit it.
os.environ["LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    from aidesk import i18n

    i18n.activate("en")
    i18n.set_surface("cli")
    yield
    i18n.activate("en")
    i18n.set_surface("cli")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("AIDESK_DATA_DIR", str(path))
    monkeypatch.setenv("AIDESK_USER", "tester")
    return path


@pytest.fixture
def keyring_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    import keyring

    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def core(data_dir: Path, keyring_backend: MemoryKeyring) -> Iterator[Core]:
    c = make_core(data_dir, keyring_backend)
    yield c
    c.close()


@pytest.fixture
def ws(core: Core) -> Workspace:
    return core.workspaces.get()
