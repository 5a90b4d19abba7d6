"""Redaction: registered keys and key-shaped strings never survive `redact`, wherever they sit."""

from __future__ import annotations

import logging
import random
import string
import time

import pytest

from aidesk.redact import install_log_redaction, mask, redact, register_secret

_rng = random.Random(6)
B62 = string.ascii_letters + string.digits
B64URL = B62 + "-_"
HEX = "0123456789abcdef"


def _rand(alphabet: str, n: int) -> str:
    while True:
        body = "".join(_rng.choice(alphabet) for _ in range(n))
        if any(c.isdigit() for c in body):
            return body


# One key per real format: prefix, alphabet and length as each provider issues them.
REAL_SHAPES = {
    "openai-legacy": "sk-" + _rand(B62, 20) + "T3BlbkFJ" + _rand(B62, 20),
    "openai-project": "sk-proj-" + _rand(B64URL, 156),
    "openai-service-account": "sk-svcacct-" + _rand(B64URL, 156),
    "openai-admin": "sk-admin-" + _rand(B64URL, 120),
    "anthropic": "sk-ant-api03-" + _rand(B64URL, 93) + "AA",
    "anthropic-admin": "sk-ant-admin01-" + _rand(B64URL, 93) + "AA",
    "openrouter": "sk-or-v1-" + _rand(HEX, 64),
    "groq": "gsk_" + _rand(B62, 52),
    "gemini": "AIza" + _rand(B64URL, 35),
}

CONTEXTS = {
    "bare": "{k}",
    "sentence": "Incorrect API key provided: {k}. See the docs.",
    "url-query": "https://generativelanguage.googleapis.com/v1beta/models?key={k}&alt=sse",
    "url-encoded": "GET /v1/models?api_key=%22{k}%22 HTTP/1.1",
    "json": '{{"error": {{"message": "bad key", "api_key": "{k}"}}}}',
    "json-escaped-newline": '"detail": "key:\\n{k}\\n"',
    "single-quoted": "api_key='{k}'",
    "header": "Authorization: Bearer {k}\r\n",
    "parens-comma": "(key {k}), then",
    "end-of-sentence": "The key was {k}.",
    "markdown": "`{k}`",
    "angle": "<{k}>",
    "glued-to-a-word": "Bearer{k}",
}


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("kind", REAL_SHAPES)
def test_unregistered_key_shapes_are_masked_everywhere(kind: str, context: str) -> None:
    key = REAL_SHAPES[kind]
    text = CONTEXTS[context].format(k=key)
    out = redact(text)
    assert key not in out
    assert key[-4:] in out and "…" in out  # the mask stays recognisable
    # Nothing around the key is eaten.
    before, after = CONTEXTS[context].split("{k}")
    assert out.startswith(before.replace("{{", "{").replace("}}", "}"))
    assert out.endswith(after.replace("{{", "{").replace("}}", "}"))


@pytest.mark.parametrize("text", [
    "task-oriented-marketing-2024-plan",     # `sk-` inside a word
    "aidesk-workspace-settings-2024-export",
    "the sk-learn-library-is-popular",        # no digit: prose, not a key
    "sk-short1",                              # too short for any key
    "gsk_tooshort1",
    "AIzaShort123",
    "Ótica Visão: três slogans, 50% off!",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_registered_key_of_any_shape_is_masked() -> None:
    key = "my-local-proxy-token-77"  # shaped like nothing
    assert redact(f"token {key}!") == f"token {key}!"
    register_secret(key)
    out = redact(f"token {key}! again:{key}")
    assert key not in out and out == f"token {mask(key)}! again:{mask(key)}"


def test_longer_registered_key_wins_over_its_prefix() -> None:
    short, long = "prefix-secret-a1", "prefix-secret-a1-and-more-9"
    register_secret(short)
    register_secret(long)
    out = redact(f"{long} {short}")
    assert short not in out and "and-more" not in out


def test_log_records_are_redacted_when_made(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    key = REAL_SHAPES["anthropic"]
    with caplog.at_level(logging.INFO):
        logging.getLogger("aidesk.test").info("calling with %s", key)
        try:
            raise RuntimeError(f"boom {key}")
        except RuntimeError:
            logging.getLogger("aidesk.test").exception("failed")
    assert key not in caplog.text
    assert all(key not in (r.exc_text or "") for r in caplog.records)


def test_redact_is_fast_on_100_kb(capsys: pytest.CaptureFixture[str]) -> None:
    for i in range(20):
        register_secret(f"registered-key-number-{i:03d}-{_rand(B62, 24)}")
    words = "Três slogans para uma padaria artesanal, task-list 2024, desk-2 e mais. "
    text = (words * (100_000 // len(words)))[:100_000]
    keyed = text[:50_000] + REAL_SHAPES["openai-project"] + text[50_000:]
    runs = 20
    start = time.perf_counter()
    for _ in range(runs):
        assert redact(text) == text
    plain_ms = (time.perf_counter() - start) * 1000 / runs
    start = time.perf_counter()
    for _ in range(runs):
        assert REAL_SHAPES["openai-project"] not in redact(keyed)
    keyed_ms = (time.perf_counter() - start) * 1000 / runs
    with capsys.disabled():
        print(f"\nredact 100 kB, 20 registered keys: {plain_ms:.2f} ms clean, "
              f"{keyed_ms:.2f} ms with a key")
    assert plain_ms < 20 and keyed_ms < 20


def test_a_key_split_across_streamed_pieces_is_still_masked() -> None:
    from aidesk.redact import StreamRedactor

    key = "sk-proj-" + "Ab3" * 16
    text = f"Sua chave é {key} e mais nada.\nFim"
    pieces = [text[i:i + 5] for i in range(0, len(text), 5)]  # the key lands in ten pieces
    shown = StreamRedactor()
    out = "".join(shown.feed(p) for p in pieces) + shown.flush()
    assert key[8:20] not in out and out == redact(text)
    assert out.startswith("Sua chave é sk-") and out.endswith("e mais nada.\nFim")
