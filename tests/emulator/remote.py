"""The emulator in its own process (`python -m tests.emulator`), as a provider would be:
it does not compete with the measured client for the GIL. Used by the benchmarks and the
bundle check, with the same address helpers the in-process fixture has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .common import DEFAULT_KEYS
from .server import base_url_for

ROOT = Path(__file__).resolve().parents[2]


class RemoteEmulator:
    def __enter__(self) -> RemoteEmulator:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--no-record", "--stdin"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip().removeprefix("EMULATOR_URL=")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(10)

    def base_url(self, provider: str) -> str:
        return base_url_for(self.url, provider)

    def key(self, provider: str) -> str:
        return DEFAULT_KEYS[provider]
