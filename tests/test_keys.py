"""Keys: only in the keyring, never in files, logs, rows or error texts."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from aidesk import errors
from aidesk.cli import main
from aidesk.core import Core
from aidesk.keys import KeyStore, fingerprint
from aidesk.redact import mask, redact, register_secret
from aidesk.router.keycheck import check_workspace
from aidesk.workspaces import Workspace
from tests.support import configure


def test_mask_and_fingerprint() -> None:
    assert mask("sk-proj-fake-test-key-a1b2") == "sk-…a1b2"
    assert mask("AIzaFakeTestKey0rstu") == "AIz…rstu"
    assert mask("gsk_fake_test_key_0000") == "gsk_…0000"
    assert fingerprint("key-one") != fingerprint("key-two")
    assert len(fingerprint("key-one")) == 16


def test_redact_registered_and_key_shaped_text() -> None:
    register_secret("my-very-secret-token-42")
    assert "my-very-secret-token-42" not in redact("boom: my-very-secret-token-42 failed")
    pasted = "use sk-proj-" + "Ab1" * 12 + " please"
    assert "Ab1Ab1Ab1" not in redact(pasted)


def test_fail_backend_is_refused_plainly(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    fail_backend = keyring.backends.fail.Keyring()
    store = KeyStore(fail_backend)
    with pytest.raises(errors.KeyringUnavailable) as caught:
        store.set("t", "openai", "sk-something-secret")
    assert "never in plain text" in caught.value.user_message
    assert "gnome-keyring" in caught.value.user_message
    previous = keyring.get_keyring()
    keyring.set_keyring(fail_backend)
    try:
        monkeypatch.setattr("sys.stdin", io.StringIO("sk-something-secret\n"))
        code = main(["keys", "set", "openai", "--no-test"])
    finally:
        keyring.set_keyring(previous)
    err = capsys.readouterr().err
    assert code == 1 and "No secure key store" in err
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"sk-something-secret" not in path.read_bytes()


SECRETS = {
    "openai": "test-key-openai",
    "anthropic": "test-key-anthropic",
    "gemini": "test-key-gemini",
    "groq": "test-key-groq",
    "openrouter": "test-key-openrouter",
}
WRONG = "sk-proj-WRONG-fake-test-key-0000"


def test_no_key_anywhere_after_calls_that_succeed_and_fail(
        core: Core, ws: Workspace, emulator: Any, caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    configure(core, ws, emulator, "openai", "anthropic", "gemini", "groq", "openrouter")
    acme = core.workspaces.add("Acme")
    configure(core, acme, emulator, "openai", keys={"openai": WRONG})

    async def calls() -> None:
        router = core.router
        try:
            await router.ask(ws, "hello with all keys")
            async for _ in router.stream(ws, "stream me", provider="gemini"):
                pass
            emulator.fault("openai", "rate_limit", times=1)
            emulator.fault("anthropic", "server_error", times=1)
            await router.ask(ws, "fallback", use_cache=False)
            emulator.fault("groq", "invalid_key", times=1)
            with pytest.raises(errors.ProviderError):
                await router.ask(ws, "groq fails", provider="groq", fallback=False)
            with pytest.raises(errors.InvalidKey) as caught:
                await router.ask(acme, f"paste {WRONG} by mistake", provider="openai")
            logging.getLogger("aidesk.test").exception("logged failure: %s", caught.value)
            logging.getLogger("aidesk.test").warning("raw key in a message: %s", WRONG)
            await check_workspace(core.workspaces, core.keys, ws)
            await check_workspace(core.workspaces, core.keys, acme)
        finally:
            await router.aclose()

    asyncio.run(calls())
    core.close()
    logging.shutdown()
    texts = {"captured log": caplog.text, "stdout/err": "".join(capsys.readouterr())}
    files = [p for p in core.data_dir.rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"aidesk.db", "aidesk.log"}
    for secret in [*SECRETS.values(), WRONG]:
        for name, text in texts.items():
            assert secret not in text, f"{secret} leaked into the {name}"
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{secret} leaked into {path}"
    assert "logged failure" in (core.data_dir / "aidesk.log").read_text()


@pytest.mark.secret_service
def test_real_secret_service_through_the_cli(tmp_path: Path, emulator: Any) -> None:
    """`aidesk` as a subprocess with the system keyring (gnome-keyring over D-Bus in CI)."""
    from keyring.core import init_backend

    init_backend()  # the system's own choice, not a test double
    backend = keyring.get_keyring()
    name = type(backend).__module__ + "." + type(backend).__name__
    if "SecretService" not in name and "chainer" not in name:
        if os.environ.get("AIDESK_REQUIRE_SECRET_SERVICE"):
            pytest.fail(f"CI must run this test against a Secret Service; keyring gave {name}")
        pytest.skip(f"no Secret Service here (keyring backend {name}); CI runs it")
    env = {**os.environ, "AIDESK_DATA_DIR": str(tmp_path / "data"), "AIDESK_USER": "ci"}
    env.pop("PYTHON_KEYRING_BACKEND", None)

    def aidesk(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "aidesk", *argv], input=stdin,
                              capture_output=True, text=True, env=env, timeout=60)

    tenant = "ci-secret-" + os.urandom(4).hex()
    assert aidesk("workspace", "add", tenant).returncode == 0
    w = ["--workspace", tenant]
    assert aidesk("config", "set", "providers.openai.base_url", emulator.base_url("openai"),
                  *w).returncode == 0
    result = aidesk("keys", "set", "openai", *w, stdin=emulator.key("openai") + "\n")
    assert result.returncode == 0, result.stderr
    assert keyring.get_password("aidesk", f"{tenant}:openai") == emulator.key("openai")
    check = aidesk("keys", "check", "--json", *w)
    assert check.returncode == 0, check.stderr
    assert '"outcome": "verified"' in check.stdout
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert emulator.key("openai").encode() not in path.read_bytes()
    assert aidesk("keys", "remove", "openai", *w).returncode == 0
    assert keyring.get_password("aidesk", f"{tenant}:openai") is None


# -- connection tests: redaction first, a short overall timeout, cancellable ----------------------

class _Spy:
    """Records the settings each provider client was built with, and whether it was closed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from aidesk import providers

        self.settings: list[Any] = []
        self.closed = 0
        real_create = providers.create

        def create(settings: Any) -> Any:
            self.settings.append(settings)
            client = real_create(settings)
            real_close = client.aclose

            async def aclose() -> None:
                await real_close()
                self.closed += 1

            client.aclose = aclose  # type: ignore[method-assign]
            return client

        monkeypatch.setattr(providers, "create", create)


def test_key_test_registers_the_key_before_using_it(emulator: Any,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from aidesk.router.keycheck import REJECTED, verify_key

    wrong = "proxy-token-" + os.urandom(6).hex()  # shaped like no provider's key
    caplog.set_level(logging.DEBUG)
    # The emulated OpenAI echoes the key it got ("Incorrect API key provided: …").
    check = asyncio.run(verify_key("openai", wrong, base_url=emulator.base_url("openai")))
    assert check.outcome == REJECTED
    assert wrong not in redact(f"error: {wrong}")  # registered, though never stored
    assert wrong not in check.message and wrong not in caplog.text


def test_key_test_timeout_defaults(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from aidesk.router.keycheck import verify_key

    spy = _Spy(monkeypatch)
    check = asyncio.run(verify_key("groq", emulator.key("groq"),
                                   base_url=emulator.base_url("groq")))
    assert check.ok
    assert (spy.settings[0].timeout_s, spy.settings[0].connect_timeout_s) == (15.0, 10.0)
    assert spy.closed == 1


def test_key_test_gives_up_after_its_timeout(emulator: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from aidesk.router.keycheck import UNVERIFIED, verify_key

    spy = _Spy(monkeypatch)
    emulator.latency("openai", 5.0)

    t0 = time.perf_counter()
    check = asyncio.run(verify_key("openai", emulator.key("openai"),
                                   base_url=emulator.base_url("openai"), timeout_s=0.5))
    elapsed = time.perf_counter() - t0
    assert check.outcome == UNVERIFIED and elapsed < 3.0
    assert "no answer" in check.message
    assert spy.closed == 1


def test_key_test_can_be_cancelled(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from aidesk.router.keycheck import verify_key

    spy = _Spy(monkeypatch)
    emulator.latency("anthropic", 5.0)

    async def cancel_soon() -> float:
        task = asyncio.create_task(verify_key("anthropic", emulator.key("anthropic"),
                                              base_url=emulator.base_url("anthropic")))
        await asyncio.sleep(0.3)
        t0 = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return time.perf_counter() - t0

    assert asyncio.run(cancel_soon()) < 1.0
    assert spy.closed == 1


@pytest.mark.parametrize("bad", ["sk-abc def-0123456789", "sk-abc\x01def-0123456789",
                                 "sk-chave-ção-0123456789", "x" * 5000])
def test_malformed_key_is_rejected_without_a_call(bad: str, emulator: Any) -> None:
    from aidesk.router.keycheck import REJECTED, verify_key

    check = asyncio.run(verify_key("openai", bad, base_url=emulator.base_url("openai")))
    assert check.outcome == REJECTED and "copy" in check.message
    assert bad not in check.message
    assert emulator.requests_for("openai") == []
