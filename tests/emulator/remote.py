"""The emulator in its own process (`python -m tests.emulator`), as a provider would be:
it does not compete with the measured client for the GIL. Used by the benchmarks and the
bundle check, with the same address helpers the in-process fixture has."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

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
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def base_url(self, provider: str) -> str:
        return base_url_for(self.url, provider)

    def key(self, provider: str) -> str:
        return DEFAULT_KEYS[provider]

    def latency(self, provider: str, seconds: float, *, per_chunk: float = 0.0) -> None:
        """`Emulator.latency` through the control API."""
        self._control("latency", {"provider": provider, "seconds": seconds,
                                  "per_chunk": per_chunk})

    def reply(self, provider: str, text: str, *, times: int | None = None,
              match: str | None = None) -> None:
        """`Emulator.reply` through the control API (`replier` takes a function: in-process
        only)."""
        self._control("reply", {"provider": provider, "text": text, "times": times,
                                "match": match})

    def _control(self, endpoint: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.url}/_emulator/{endpoint}", data=json.dumps(body).encode(), method="POST",
            headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
