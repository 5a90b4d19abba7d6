"""Keys: only in the keyring, never in files, logs, rows or error texts."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
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
    store = KeyStore(keyring.backends.fail.Keyring())
    with pytest.raises(errors.KeyringUnavailable) as caught:
        store.set("t", "openai", "sk-something-secret")
    assert "never in plain text" in caught.value.user_message
    assert "gnome-keyring" in caught.value.user_message
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
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
