"""Pytest fixtures: one emulator server per session, reset before each test that uses it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import Emulator


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def emulator(emulator_server: Emulator) -> Emulator:
    emulator_server.reset()
    return emulator_server
