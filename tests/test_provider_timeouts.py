"""Connect and read timeouts apart, through each provider's real SDK and HTTP stack.

A server that accepts the connection and then says nothing must fail after the read timeout;
a server that never completes the TCP handshake must fail after the connect timeout, however
long the read timeout is."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from aidesk import errors, providers
from aidesk.providers.base import ChatRequest, ProviderSettings
from tests.test_providers import ALL, model_of

PATHS = {"openai": "/v1", "groq": "/openai/v1", "openrouter": "/api/v1", "local": "/v1",
         "anthropic": "", "gemini": ""}


def call(provider_id: str, port: int, *, read: float, connect: float) -> float:
    """Seconds the failing call took (the SDK's import and client set-up not counted)."""
    elapsed: list[float] = []

    async def main() -> None:
        client = providers.create(ProviderSettings(
            provider_id, "test-key", f"http://127.0.0.1:{port}{PATHS[provider_id]}",
            timeout_s=read, connect_timeout_s=connect))
        start = time.perf_counter()
        try:
            await client.generate(ChatRequest.of("hi", model_of(provider_id)))
        finally:
            elapsed.append(time.perf_counter() - start)
            await client.aclose()

    with pytest.raises(errors.ProviderTimeout):
        asyncio.run(main())
    return elapsed[0]


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """Accepts connections, reads nothing, answers nothing."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.settimeout(0.05)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            accepted.append(conn)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield int(srv.getsockname()[1]), accepted
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    srv.close()


@pytest.fixture
def unanswered_port() -> Iterator[int]:
    """A listening socket whose accept queue is full: new SYNs are dropped, connect hangs."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    port = int(srv.getsockname()[1])
    fillers: list[socket.socket] = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    time.sleep(0.1)
    yield port
    for filler in fillers:
        filler.close()
    srv.close()


@pytest.mark.parametrize("provider_id", ALL)
def test_silent_server_fails_after_the_read_timeout(provider_id: str,
                                                    silent_server: tuple[int, Any]) -> None:
    port, accepted = silent_server
    elapsed = call(provider_id, port, read=0.5, connect=10)
    assert accepted, "the connection was made"
    assert 0.4 < elapsed < 3


@pytest.mark.parametrize("provider_id", ALL)
def test_unanswered_connect_fails_after_the_connect_timeout(provider_id: str,
                                                            unanswered_port: int) -> None:
    elapsed = call(provider_id, unanswered_port, read=30, connect=0.4)
    assert 0.3 < elapsed < 3
