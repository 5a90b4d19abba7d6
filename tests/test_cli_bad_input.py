"""Bad input to every CLI command: one line on stderr, exit 1 (2 for usage), no traceback,
no key echoed, and the database still passes `PRAGMA integrity_check`.

The real `aidesk.cli.main` runs in-process with captured stdio (as in test_cli.py); a few
cases run `python -m aidesk` as a subprocess, where argv and stdin carry raw bytes.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from aidesk.cli import main

KEY = "sk-proj-" + "Zq9" * 20  # shaped like an OpenAI project key
PLAIN_KEY = "my-plain-secret-value-" + "7" * 12  # shaped like no provider's key
BAD_UTF8 = b"caf\xe9 com p\xe3o"  # Latin-1, not UTF-8
ARGV_BAD = os.fsdecode(b"bad\xffname")  # what Python makes of invalid UTF-8 in argv


class Cli:
    def __init__(self, data_dir: Path, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.db = data_dir / "aidesk.db"
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, *argv: str, stdin: str | bytes = "") -> tuple[int, str, str]:
        data = stdin.encode() if isinstance(stdin, str) else stdin
        self.monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), "utf-8"))
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse exits on its own errors
            code = int(exc.code or 0)
        out, err = self.capsys.readouterr()
        return code, out, err

    def integrity(self) -> str:
        if not self.db.exists():
            return "ok"  # nothing was written: nothing to break
        with sqlite3.connect(self.db) as conn:
            return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


@pytest.fixture
def cli(data_dir: Path, keyring_backend: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    c = Cli(data_dir, capsys, monkeypatch)
    assert c("workspace", "add", "Padaria Pão Quente")[0] == 0
    return c


def assert_one_sentence(code: int, err: str, expected_code: int, needle: str) -> None:
    assert code == expected_code, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("aidesk: ") and lines[0].endswith("."), err
    assert needle.lower() in err.lower(), err


U, E = 2, 1  # usage error, other expected failure
CASES: list[tuple[tuple[str, ...], str | bytes, int, str]] = [
    # workspace add / use / list
    (("workspace", "add", ""), "", E, "needs a name"),
    (("workspace", "add", "   "), "", E, "needs a name"),
    (("workspace", "add", "x" * 101), "", E, "at most 100"),
    (("workspace", "add", "two\nlines"), "", E, "line breaks"),
    (("workspace", "add", "Padaria Pão Quente"), "", E, "already exists"),
    (("workspace", "add", "padaria-pao-quente"), "", E, "already the tenant id"),
    (("workspace", "add", "Acme", "--tenant-id", "has space"), "", E, "tenant id"),
    (("workspace", "add", "Acme", "--tenant-id", "padaria-pao-quente"), "", E, "already used"),
    (("workspace", "add"), "", U, "required"),
    (("workspace", "add", ARGV_BAD), "", U, "not valid UTF-8"),
    (("workspace", "use", "nope"), "", E, "No workspace named 'nope'"),
    (("workspace", "use"), "", U, "required"),
    (("workspace", "list", "extra"), "", U, "unrecognized"),
    (("workspace", "frobnicate"), "", U, "invalid choice"),
    (("workspace",), "", U, "required"),
    # keys set / list / check / remove
    (("keys", "set", "openai", KEY), "", U, "visible in `ps`"),
    (("keys", "set", "openai", PLAIN_KEY), "", U, "visible in `ps`"),
    (("keys", "set", KEY), "", U, "visible in `ps`"),
    (("keys", "set", PLAIN_KEY), "", U, "visible in `ps`"),
    (("keys", "set", "nope"), "", U, "Unknown provider"),
    (("keys", "set", "openai"), "", E, "No key given"),
    (("keys", "set", "openai"), "  \n", E, "No key given"),
    (("keys", "set", "openai"), "sk-abc def-0123456789\n", E, "spaces"),
    (("keys", "set", "openai"), "x" * 5000, E, "characters long"),
    (("keys", "set", "openai"), b"sk-\xff\xfe-0123456789\n", E, "not valid UTF-8"),
    (("keys", "set", "local"), "", E, "needs no key"),
    (("keys", "set", "openai", "-w", "nope"), KEY, E, "No workspace named"),
    (("keys", "set"), "", U, "required"),
    (("keys", "list", "-w", "nope"), "", E, "No workspace named"),
    (("keys", "check"), "", E, "no provider is configured"),
    (("keys", "check", "nope"), "", U, "invalid choice"),
    (("keys", "remove", "openai"), "", E, "no openai key"),
    (("keys", "remove", "nope"), "", U, "invalid choice"),
    # config get / set / list
    (("config", "get", "colour"), "", E, "Unknown setting 'colour'"),
    (("config", "get", "providers.nope.model"), "", E, "Unknown provider 'nope'"),
    (("config", "get", "limits.requests_per_hour", "-w", "nope"), "", E, "No workspace"),
    (("config", "set", "colour", "blue"), "", E, "Unknown setting"),
    (("config", "set", "providers.openai.colour", "blue"), "", E, "Unknown setting"),
    (("config", "set", "limits.requests_per_hour", "2.7"), "", E, "whole number"),
    (("config", "set", "limits.requests_per_hour", "lots"), "", E, "whole number"),
    (("config", "set", "limits.requests_per_hour", "-1"), "", E, "between 0 and"),
    (("config", "set", "limits.requests_per_hour", "1,000"), "", E, "thousands separators"),
    (("config", "set", "limits.tokens_per_day", "nan"), "", E, "finite"),
    (("config", "set", "limits.tokens_per_day", "inf"), "", E, "finite"),
    (("config", "set", "limits.tokens_per_day", "1e999"), "", E, "finite"),
    (("config", "set", "limits.tokens_per_day", "9" * 5000), "", E, "finite"),
    (("config", "set", "limits.tokens_per_day", "1e13"), "", E, "between 0 and"),
    (("config", "set", "limits.cost_per_month", "-0.5"), "", E, "between 0 and"),
    (("config", "set", "limits.cost_per_month", "1.000,50"), "", E, "a number"),
    (("config", "set", "cache.ttl_days", "3651"), "", E, "between 0 and 3650"),
    (("config", "set", "cache.ttl_days", "1.5"), "", E, "whole number"),
    (("config", "set", "providers.groq.timeout_s", "0"), "", E, "between 1 and 600"),
    (("config", "set", "providers.groq.timeout_s", "601"), "", E, "between 1 and 600"),
    (("config", "set", "providers.groq.timeout_s", "-infinity"), "", U, "required"),
    (("config", "set", "providers.groq.timeout_s", "infinity"), "", E, "finite"),
    (("config", "set", "calls.deadline_s", "0.5"), "", E, "between 1 and 600"),
    (("config", "set", "calls.deadline_s", "nan"), "", E, "finite"),
    (("config", "set", "providers.openai.base_url", "ftp://x"), "", E, "http://"),
    (("config", "set", "providers.openai.base_url", "http://"), "", E, "http://"),
    (("config", "set", "providers.openai.base_url", "localhost:11434"), "", E, "http://"),
    (("config", "set", "providers.openai.base_url", "http://exa mple.com"), "", E, "spaces"),
    (("config", "set", "providers.openai.base_url", "http://u:pw@host/v1"), "", E, "password"),
    (("config", "set", "providers.openai.base_url", "http://host/v1?a=1"), "", E, "query"),
    (("config", "set", "providers.openai.base_url", "http://host:99999"), "", E, "http://"),
    (("config", "set", "providers.openai.base_url", "http://[::1"), "", E, "http://"),
    (("config", "set", "providers.openai.enabled", "maybe"), "", E, "true or false"),
    (("config", "set", "providers.openai.model", ""), "", E, "needs a model name"),
    (("config", "set", "providers.openai.model", "gpt 4o"), "", E, "without spaces"),
    (("config", "set", "fallback", "openai,groq,openai"), "", E, "openai more than once"),
    (("config", "set", "fallback", "openai,nope,zzz"), "", E, "'nope', 'zzz'"),
    (("config", "set", "fallback", ""), "", E, "at least one provider"),
    (("config", "set", "fallback", "none"), "", E, "at least one provider"),
    (("config", "set", "providers.nope.model", "x"), "", E, "Unknown provider 'nope'"),
    (("config", "set", "limits.tokens_per_day"), "", U, "required"),
    (("config", "set", "limits.tokens_per_day", ARGV_BAD), "", U, "not valid UTF-8"),
    (("config", "list", "-w", "nope"), "", E, "No workspace"),
    (("config",), "", U, "required"),
    # ask
    (("ask", ""), "", E, "prompt is empty"),
    (("ask",), "  \n\t", E, "prompt is empty"),
    (("ask",), BAD_UTF8, E, "not valid UTF-8"),
    (("ask", "hi" + ARGV_BAD), "", U, "not valid UTF-8"),
    (("ask", "--provider", "nope", "hi"), "", U, "invalid choice"),
    (("ask", "--max-tokens", "0", "hi"), "", U, "--max-tokens"),
    (("ask", "--max-tokens", "many", "hi"), "", U, "invalid int"),
    (("ask", "--max-tokens", "9" * 30, "hi"), "", U, "--max-tokens"),
    (("ask", "--model", "gpt 4o", "hi"), "", U, "--model"),
    (("ask", "-w", "nope", "hi"), "", E, "No workspace named"),
    (("ask", "hi"), "", E, "No AI provider"),
    (("ask", "--frobnicate", "hi"), "", U, "unrecognized"),
    (("frobnicate",), "", U, "invalid choice"),
]


@pytest.mark.parametrize(("argv", "stdin", "code", "needle"), CASES,
                         ids=[f"{i:02d}-{' '.join(c[0])[:40]}" for i, c in enumerate(CASES)])
def test_bad_input(cli: Cli, argv: tuple[str, ...], stdin: str | bytes, code: int,
                   needle: str) -> None:
    got, out, err = cli(*argv, stdin=stdin)
    assert_one_sentence(got, err, code, needle)
    for secret in (KEY, PLAIN_KEY):
        assert secret not in err and secret not in out
    assert cli.integrity() == "ok"


@pytest.mark.parametrize("argv", [("keys", "set", "openai"), ("keys", "remove", "openai")])
def test_missing_keyring(cli: Cli, argv: tuple[str, ...]) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        code, _, err = cli(*argv, stdin=KEY + "\n")
    finally:
        keyring.set_keyring(previous)
    assert_one_sentence(code, err, E, "No secure key store")
    assert KEY not in err and cli.integrity() == "ok"


def test_a_key_on_argv_is_never_logged(cli: Cli, data_dir: Path) -> None:
    code, _, err = cli("keys", "set", "openai", PLAIN_KEY)
    assert code == 2 and "stdin" in err and PLAIN_KEY not in err
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert PLAIN_KEY.encode() not in path.read_bytes(), path


# -- subprocess: raw bytes in argv, stdin and the data directory's name -------------------------

def _run(argv: list[bytes], env_dir: bytes,
         stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "AIDESK_USER": "tester"}
    env_b = {os.fsencode(k): os.fsencode(v) for k, v in env.items()}
    env_b[b"AIDESK_DATA_DIR"] = env_dir
    return subprocess.run([os.fsencode(sys.executable), b"-m", b"aidesk", *argv], input=stdin,
                          capture_output=True, env=env_b, timeout=120)


def test_raw_invalid_utf8_through_the_real_process(tmp_path: Path) -> None:
    # A data directory whose name is not valid UTF-8 works.
    data = os.fsencode(tmp_path) + b"/dados-\xff"
    ok = _run([b"workspace", b"add", "Ótica Visão".encode()], data)
    assert ok.returncode == 0, ok.stderr
    assert b"otica-visao" in ok.stdout
    bad_arg = _run([b"workspace", b"add", b"Padaria P\xe3o"], data)
    assert bad_arg.returncode == 2 and b"not valid UTF-8" in bad_arg.stderr
    bad_stdin = _run([b"ask"], data, stdin=BAD_UTF8)
    assert bad_stdin.returncode == 1 and b"not valid UTF-8" in bad_stdin.stderr
    argv_key = _run([b"keys", b"set", b"openai", PLAIN_KEY.encode()], data)
    assert argv_key.returncode == 2 and b"stdin" in argv_key.stderr
    assert PLAIN_KEY.encode() not in argv_key.stderr + argv_key.stdout
    for result in (ok, bad_arg, bad_stdin, argv_key):
        assert b"Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) <= 1
    with sqlite3.connect(Path(os.fsdecode(data)) / "aidesk.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
