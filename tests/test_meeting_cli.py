"""`aidesk meeting summarize`, in-process, against the emulator (the same data folder and
keyring as the `core` fixture): the text and --json outputs, --save, and failures as one
sentence with exit 1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aidesk.core import Core
from aidesk.features import meeting_store
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.meeting_support import listener, pcm, uploads, words, write_wav
from tests.support import configure
from tests.test_chat_cli import cli
from tests.test_meetings import SCRIPT, SPOKEN, summariser


@pytest.fixture
def audio(core: Core, ws: Workspace, emulator: Emulator, tmp_path: Path) -> Path:
    configure(core, ws, emulator, "openai", "groq")
    emulator.listener("openai", listener)
    emulator.listener("groq", listener)
    emulator.replier("openai", summariser([]))
    return write_wav(tmp_path / "reunião semanal.wav", pcm(SCRIPT))


def test_summarize_prints_the_summary_decisions_and_action_items(
        audio: Path, capsys: Any, monkeypatch: Any, core: Core, ws: Workspace) -> None:
    code, out, err = cli(capsys, monkeypatch, "meeting", "summarize", str(audio))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "== reunião semanal.wav =="
    assert lines[1] == ("0:06, 1 part, transcript of 65 characters (openai/gpt-transcribe); "
                        "transcription US$\xa00.0005")
    assert len(SPOKEN) == 65 and len(pcm(SCRIPT)) / 32_000 == pytest.approx(6.2)
    assert "  Reunião de alinhamento da campanha de lançamento." in lines
    assert lines[lines.index("Decisions:") + 1] == "  - Lançar a campanha na sexta"
    actions = lines[lines.index("Action items:") + 1:]
    assert actions == ["  - Enviar o briefing (owner: Ana; due: sexta-feira)",
                       "  - Revisar o vídeo (owner: —; due: —)",
                       "  - Fechar a verba (owner: —; due: —)"]
    assert meeting_store.list_meetings(core.db, ws.tenant_id) == []  # nothing kept


def test_summarize_json_with_model_language_and_save(
        audio: Path, capsys: Any, monkeypatch: Any, core: Core, ws: Workspace,
        emulator: Emulator) -> None:
    code, out, err = cli(capsys, monkeypatch, "meeting", "summarize", str(audio), "--json",
                         "--model", "whisper-large-v3", "--language", "en", "--save")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["transcript"] == SPOKEN and data["transcript_chars"] == 65
    assert data["language"] == "en" and data["file"] == "reunião semanal.wav"
    assert data["action_items"][1] == {"task": "Revisar o vídeo", "owner": None, "due": None}
    (part,) = data["parts"]
    assert (part["provider"], part["model"]) == ("groq", "whisper-large-v3")
    assert part["cost_usd"] == pytest.approx(10 / 3600 * 0.111)  # at least 10 s billed
    assert data["cost_usd"] == pytest.approx(part["cost_usd"])
    (sent,) = uploads(emulator, "groq")
    assert (sent["model"], sent["language"]) == ("whisper-large-v3", "en")
    (entry,) = meeting_store.list_meetings(core.db, ws.tenant_id)
    assert entry.id == data["id"] and entry.actions == 3


def test_a_long_file_goes_in_parts(audio: Path, capsys: Any, monkeypatch: Any,
                                   tmp_path: Path, emulator: Emulator) -> None:
    spoken = words(60)
    path = write_wav(tmp_path / "longa.wav", pcm(spoken))
    monkeypatch.setattr("aidesk.features.meetings.UPLOAD_LIMIT", 300_000)
    code, out, err = cli(capsys, monkeypatch, "meeting", "summarize", str(path), "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert len(data["parts"]) == len(uploads(emulator, "openai")) == 5
    assert data["transcript"].split() == spoken


@pytest.mark.parametrize(("argv", "expected"), [
    (["--language", "português"], "Language 'português' is not a two-letter ISO-639-1 code"),
    (["--provider", "anthropic"], None),  # argparse: exit 2
])
def test_bad_options_are_one_sentence(audio: Path, capsys: Any, monkeypatch: Any,
                                      argv: list[str], expected: str | None) -> None:
    code, out, err = cli(capsys, monkeypatch, "meeting", "summarize", str(audio), *argv)
    assert out == ""
    if expected is None:
        assert code == 2 and "invalid choice: 'anthropic'" in err
    else:
        assert code == 1 and err == f"aidesk: {expected} such as pt, en or es (or auto).\n"


def test_no_transcription_provider_is_one_sentence(audio: Path, capsys: Any, monkeypatch: Any,
                                                   core: Core, ws: Workspace,
                                                   emulator: Emulator) -> None:
    configure(core, ws, emulator, "anthropic")
    code, out, err = cli(capsys, monkeypatch, "meeting", "summarize", str(audio))
    assert (code, out) == (1, "")
    assert err.startswith("aidesk: No provider for audio transcription can take the call in "
                          "workspace 'default' (openai: disabled; groq: disabled).")
    assert err.count("\n") == 1 and not emulator.requests


def test_a_damaged_file_exits_1_naming_it(audio: Path, capsys: Any, monkeypatch: Any,
                                          tmp_path: Path, emulator: Emulator) -> None:
    bad = tmp_path / "gravação.m4a"
    bad.write_bytes(b"\x00\x00\x00\x18ftypM4A " + b"\xde\xad" * 500)
    code, out, err = cli(capsys, monkeypatch, "meeting", "summarize", str(bad), "--json")
    assert (code, out) == (1, "")
    assert err == ("aidesk: gravação.m4a could not be read as audio: it is damaged or not an "
                   "audio file (AIDesk reads mp3, m4a, wav, ogg, webm, flac, opus and most "
                   "other audio).\n")
    assert not emulator.requests


def test_help_documents_the_json(capsys: Any, monkeypatch: Any) -> None:
    code, out, _err = cli(capsys, monkeypatch, "meeting", "summarize", "--help")
    assert code == 0
    flat = " ".join(out.split())
    assert '--json prints {"file", "duration_s"' in flat and '"action_items": [{"task",' in flat
    assert "--model M" in out and "--language CODE" in out
