"""The headless CLI, run in-process against the emulator with an in-memory keyring."""

from __future__ import annotations

import argparse
import json
from typing import Any

import pytest

from aidesk.cli import main
from tests.emulator import reply_text
from tests.support import Cli


@pytest.fixture
def cli(data_dir: Any, keyring_backend: Any, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)


def point(cli: Cli, emulator: Any, *providers: str) -> None:
    for p in providers:
        assert cli("config", "set", f"providers.{p}.base_url", emulator.base_url(p))[0] == 0


def test_workspaces(cli: Cli) -> None:
    assert cli("workspace", "add", "Padaria Pão Quente")[0] == 0
    code, out, _ = cli("workspace", "list")
    assert "Padaria Pão Quente" in out and "padaria-pao-quente" in out
    code, _, err = cli("workspace", "add", "Padaria Pão Quente")
    assert code == 1 and "already exists" in err and "Traceback" not in err
    code, _, err = cli("keys", "list", "--workspace", "nope")
    assert code == 1 and "aidesk workspace add nope" in err


def test_keys_set_tests_before_saving(cli: Cli, emulator: Any, keyring_backend: Any) -> None:
    point(cli, emulator, "openai")
    code, out, err = cli("keys", "set", "openai", stdin=emulator.key("openai") + "\n")
    assert code == 0, err
    assert "verified" in err and "Saved openai key" in out
    assert keyring_backend.entries[("aidesk", "default:openai")] == emulator.key("openai")
    code, out, _ = cli("keys", "list")
    assert "test-…enai" in out and emulator.key("openai") not in out


def test_rejected_key_is_not_saved_without_force(cli: Cli, emulator: Any,
                                                 keyring_backend: Any) -> None:
    point(cli, emulator, "anthropic")
    code, _, err = cli("keys", "set", "anthropic", stdin="sk-ant-wrong-key-0000\n")
    assert code == 1 and "rejected" in err and "--force" in err
    assert keyring_backend.entries == {}
    code, _, err = cli("keys", "set", "anthropic", "--force", stdin="sk-ant-wrong-key-0000\n")
    assert code == 0
    code, out, _ = cli("keys", "list")
    assert "rejected" in out


def test_unreachable_provider_leaves_key_unsaved(cli: Cli, emulator: Any,
                                                 keyring_backend: Any) -> None:
    cli("config", "set", "providers.groq.base_url", "http://127.0.0.1:9/openai/v1")
    code, _, err = cli("keys", "set", "groq", stdin="gsk_whatever\n")
    assert code == 1 and "unverified" in err and "retry" in err
    assert keyring_backend.entries == {}
    assert cli("keys", "set", "groq", "--no-test", stdin="gsk_whatever\n")[0] == 0


def test_keys_check_reports_each_provider(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "openai", "gemini", "groq")
    for p in ("openai", "gemini", "groq"):
        assert cli("keys", "set", p, stdin=emulator.key(p))[0] == 0
    code, out, _ = cli("keys", "check", "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"]
    assert {r["provider"]: r["outcome"] for r in report["results"]} == {
        "openai": "verified", "gemini": "verified", "groq": "verified"}
    assert all(r["model_count"] > 0 for r in report["results"])
    emulator.fault("gemini", "invalid_key")
    emulator.fault("groq", "overloaded")
    code, out, _ = cli("keys", "check")
    assert code == 1
    lines = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "verified" in lines["openai"]
    assert "rejected" in lines["gemini"] and "unverified" in lines["groq"]


def test_keys_check_with_nothing_configured_fails(cli: Cli) -> None:
    code, _, err = cli("keys", "check")
    assert code == 1 and "no provider is configured" in err


def test_keys_remove(cli: Cli, emulator: Any, keyring_backend: Any) -> None:
    point(cli, emulator, "openai")
    cli("keys", "set", "openai", stdin=emulator.key("openai"))
    assert cli("keys", "remove", "openai")[0] == 0
    assert keyring_backend.entries == {}
    assert cli("keys", "remove", "openai")[0] == 1


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("providers.openai.model", "gpt-4o", "gpt-4o"),
    ("providers.local.base_url", "http://localhost:1234/v1/", "http://localhost:1234/v1"),
    ("providers.gemini.enabled", "false", "false"),
    ("providers.groq.timeout_s", "15", "15"),
    ("fallback", "groq,openai", "groq,openai"),
    ("limits.requests_per_hour", "100", "100"),
    ("limits.tokens_per_day", "50000", "50000"),
    ("limits.cost_per_month", "12.5", "12.5"),
    ("limits.cost_per_month", "none", "none"),
    ("cache.ttl_days", "3", "3"),
])
def test_config_set_get(cli: Cli, key: str, value: str, shown: str) -> None:
    assert cli("config", "set", key, value)[0] == 0
    code, out, _ = cli("config", "get", key)
    assert (code, out.strip()) == (0, shown)


@pytest.mark.parametrize(("key", "value", "message"), [
    ("providers.nope.model", "x", "Unknown provider 'nope'"),
    ("limits.requests_per_hour", "lots", "must be a whole number"),
    ("providers.openai.base_url", "ftp://x", "must be an http:// or https:// address"),
    ("colour", "blue", "Unknown setting 'colour'"),
])
def test_config_errors_are_one_sentence(cli: Cli, key: str, value: str, message: str) -> None:
    code, _, err = cli("config", "set", key, value)
    assert code == 1 and message in err and "Traceback" not in err


def test_ask_json(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "openai", "anthropic")
    cli("keys", "set", "openai", stdin=emulator.key("openai"))
    cli("keys", "set", "anthropic", stdin=emulator.key("anthropic"))
    cli("config", "set", "fallback", "openai,anthropic")
    emulator.fault("openai", "rate_limit", times=1)
    code, out, _ = cli("ask", "--json", "--module", "marketing", "Olá mundo")
    data = json.loads(out)
    assert code == 0
    assert data["text"] == reply_text("anthropic", "claude-3-5-haiku-latest", "Olá mundo")
    assert (data["provider"], data["cached"]) == ("anthropic", False)
    assert data["hops"][0]["provider"] == "openai" and "rate limit" in data["hops"][0]["error"]
    assert set(data["usage"]) >= {"prompt_tokens", "completion_tokens", "total_tokens",
                                  "cost_usd"}
    assert data["usage"]["cost_usd"] > 0 and data["latency_ms"] >= 0
    code, out, _ = cli("ask", "--json", "--module", "marketing", "Olá mundo")
    assert json.loads(out)["cached"] is True


def test_ask_stream_prints_text(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "gemini")
    cli("keys", "set", "gemini", stdin=emulator.key("gemini"))
    code, out, err = cli("ask", "--stream", "--provider", "gemini", "um dois três")
    assert code == 0
    assert out.strip() == reply_text("gemini", "gemini-2.5-flash", "um dois três")
    assert "[gemini gemini-2.5-flash" in err


def test_ask_stream_masks_a_key_in_the_answer(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "gemini")
    cli("keys", "set", "gemini", stdin=emulator.key("gemini"))
    key = "sk-ant-api03-" + "x9Y" * 20  # the emulator echoes the prompt in its answer
    code, out, _err = cli("ask", "--stream", "--provider", "gemini", f"guarde {key} aqui")
    assert code == 0 and "guarde" in out and "aqui" in out
    assert key not in out and key[15:40] not in out


def test_ask_failure_is_one_sentence(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "openai")
    cli("keys", "set", "openai", stdin=emulator.key("openai"))
    emulator.fault("openai", "quota")
    code, out, err = cli("ask", "hello")
    assert code == 1 and out == ""
    assert err.startswith("aidesk: openai: the account has no credit")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_ask_without_providers(cli: Cli) -> None:
    code, _, err = cli("ask", "hello")
    assert code == 1 and "aidesk keys set openai" in err


def test_limit_refusal_from_the_cli(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "openai")
    cli("keys", "set", "openai", stdin=emulator.key("openai"))
    cli("config", "set", "limits.requests_per_hour", "1")
    assert cli("ask", "first")[0] == 0
    code, _, err = cli("ask", "second")
    assert code == 1 and "requests per hour is 1" in err and "resets at" in err


def test_setting_an_address_does_not_switch_a_provider_on(cli: Cli, emulator: Any) -> None:
    point(cli, emulator, "local")
    assert cli("config", "get", "providers.local.enabled")[1].strip() == "false"
    code, _, err = cli("ask", "hello")
    assert code == 1 and "No AI provider can take the call" in err and "local: disabled" in err
    cli("config", "set", "providers.local.enabled", "true")
    code, out, _ = cli("ask", "--json", "hello")
    assert code == 0 and json.loads(out)["provider"] == "local"


@pytest.mark.parametrize("argv", [
    ["ask", "--provider", "groq", "--no-cache", "--json", "-w", "Padaria", "oi"],
    ["keys", "check", "--json", "openai", "groq"],
    ["config", "set", "limits.tokens_per_day", "5000"],
    ["workspace", "add", "Ótica", "--tenant-id", "otica-01"],
    ["db", "restore", "latest", "--yes"],
])
def test_a_command_parses_the_same_with_only_its_own_parser_built(argv: list[str]) -> None:
    from aidesk.cli import build_parser

    alone = build_parser(argv)
    [commands] = [a for a in alone._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(commands.choices) == {argv[0]}
    assert vars(alone.parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_help_and_a_mistyped_command_list_every_command(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0 and all(c in out for c in ("workspace", "keys", "config",
                                                          "ask", "db"))
    with pytest.raises(SystemExit) as done:
        main(["aks", "oi"])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "invalid choice: 'aks'" in err and "'ask'" in err
    with pytest.raises(SystemExit) as done:
        main(["ask", "--help"])
    assert done.value.code == 0 and "--no-cache" in capsys.readouterr().out
