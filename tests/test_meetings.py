"""Meeting summaries through the router, the real openai SDK and the emulator: real audio
files made in the test (WAV, mp3, m4a, ogg, webm), cut in parts when over a (small) upload
limit, transcribed by an emulated ear that decodes each upload, and summarised as checked
structured output; failures (bad answers, a 429, a damaged file) in one sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from aidesk import settings
from aidesk.core import Core
from aidesk.features import meeting_audio, meeting_store, meetings
from aidesk.features.meeting_audio import AudioFileError
from aidesk.features.meetings import Meeting, Step
from aidesk.features.structured import AnswerNotValid
from aidesk.workspaces import Workspace
from tests.media_support import audit_rows, run, usage_rows
from tests.meeting_support import (
    RATE,
    listener,
    pcm,
    uploads,
    with_pauses,
    words,
    write_encoded,
    write_wav,
)
from tests.support import configure

SCRIPT: list[str | float] = ["bom", "dia", "equipe", 0.6, "Ana", "envia", "briefing", "sexta",
                             0.6, "decidimos", "lançar", "campanha"]
SPOKEN = "bom dia equipe Ana envia briefing sexta decidimos lançar campanha"
GPT_TRANSCRIBE = 0.0045 / 60  # US$ per second of audio (genai-prices, as the router prices it)
SUMMARY = {
    "summary": "Reunião de alinhamento da campanha de lançamento.",
    "key_points": ["Briefing da campanha", "Lançamento na sexta"],
    "decisions": ["Lançar a campanha na sexta"],
    "action_items": [
        {"task": "Enviar o briefing", "owner": "Ana", "due": "sexta-feira"},
        {"task": "Revisar o vídeo", "owner": "Carlos", "due": None},  # nobody said Carlos
        {"task": "Fechar a verba", "owner": None, "due": "30/11"},  # nor a date
    ],
}


def summariser(seen: list[str]) -> Any:
    def answer(prompt: str, schema: Any) -> str:
        assert "action_items" in (schema or {}).get("properties", {}), prompt[:80]
        seen.append(prompt)
        return json.dumps(SUMMARY, ensure_ascii=False)

    return answer


@pytest.fixture
def prompts(core: Core, ws: Workspace, emulator: Any) -> list[str]:
    configure(core, ws, emulator, "openai", "groq")
    for provider in ("openai", "groq"):
        emulator.listener(provider, listener)
    seen: list[str] = []
    emulator.replier("openai", summariser(seen))
    return seen


def summarize(core: Core, ws: Workspace, path: Path, **kw: Any) -> Meeting:
    return run(core, lambda: meetings.summarize_meeting(core.router, ws, path, **kw))


def test_a_short_recording_is_transcribed_and_summarised(core: Core, ws: Workspace,
                                                         emulator: Any, tmp_path: Path,
                                                         prompts: list[str]) -> None:
    audio = pcm(SCRIPT)
    path = write_wav(tmp_path / "Reunião de pauta.wav", audio)
    steps: list[Step] = []
    meeting = summarize(core, ws, path, progress=steps.append)
    seconds = len(audio) / 2 / RATE
    assert meeting.transcript == SPOKEN
    assert meeting.duration_s == pytest.approx(seconds)
    assert (meeting.title, meeting.language) == ("Reunião de pauta.wav", "pt")
    (sent,) = uploads(emulator, "openai")
    assert sent["file"]["filename"] == "Reunião de pauta.wav"  # small enough: sent as it is
    assert sent["file"]["size"] == path.stat().st_size
    assert (sent["model"], sent["language"]) == ("gpt-transcribe", "pt")
    s = meeting.summary
    assert s.summary == SUMMARY["summary"] and s.decisions == ("Lançar a campanha na sexta",)
    assert [(a.task, a.owner, a.due) for a in s.action_items] == [
        ("Enviar o briefing", "Ana", "sexta-feira"), ("Revisar o vídeo", None, None),
        ("Fechar a verba", None, None)]
    (prompt,) = prompts
    assert prompt.endswith(SPOKEN)
    (part,) = meeting.parts
    assert (part.provider, part.model, part.billed_s) == ("openai", "gpt-transcribe", seconds)
    assert part.cost_usd == pytest.approx(seconds * GPT_TRANSCRIBE)
    assert meeting.cost_usd == pytest.approx(seconds * GPT_TRANSCRIBE)
    rows = usage_rows(core)
    assert {r["module"] for r in rows} == {"meetings"} and len(rows) == 2  # transcript, summary
    (row,) = usage_rows(core, part.request_id)
    assert row["cost_usd"] == pytest.approx(seconds * GPT_TRANSCRIBE)
    assert steps[0].stage == "split" and steps[-1] == Step("summarise", 1, 1)
    assert Step("transcribe", 1, 1) in steps


@pytest.mark.parametrize("extension", ["mp3", "m4a", "ogg", "webm"])
def test_each_format_the_providers_take_is_sent_as_it_is(
        core: Core, ws: Workspace, emulator: Any, tmp_path: Path, prompts: list[str],
        extension: str) -> None:
    path = write_encoded(tmp_path / f"call.{extension}", pcm(SCRIPT))
    meeting = summarize(core, ws, path)
    assert meeting.transcript == SPOKEN
    (sent,) = uploads(emulator, "openai")
    assert sent["file"]["filename"] == f"call.{extension}"
    assert meeting.duration_s == pytest.approx(len(pcm(SCRIPT)) / 2 / RATE, abs=0.1)


def test_a_long_recording_is_cut_sent_in_parts_and_joined(core: Core, ws: Workspace,
                                                          emulator: Any, tmp_path: Path,
                                                          prompts: list[str]) -> None:
    spoken = words(60)  # 30 s of speech without a pause: cut at fixed lengths, 2 s overlap
    path = write_wav(tmp_path / "all-hands.wav", pcm(spoken))
    limit = 300_000  # bytes: 8 s parts here; the providers' real limit is 25 MB
    assert path.stat().st_size > limit
    steps: list[Step] = []
    meeting = summarize(core, ws, path, max_bytes=limit, progress=steps.append)
    sent = uploads(emulator, "openai")
    assert len(sent) == len(meeting.parts) == 5
    assert all(u["file"]["size"] < limit for u in sent)
    assert sorted(u["file"]["filename"] for u in sent) == [
        f"all-hands-part{i:02d}.flac" for i in range(1, 6)]
    assert [p.start_s for p in meeting.parts] == [0.0, 6.0, 12.0, 18.0, 24.0]
    texts = [p.text for p in meeting.parts]
    assert len(" ".join(texts).split()) > len(spoken)  # the overlaps were heard twice
    assert meeting.transcript.split() == spoken  # and kept once, in order
    for part in meeting.parts:
        duration = part.end_s - part.start_s
        assert part.billed_s == pytest.approx(duration)
        assert part.cost_usd == pytest.approx(duration * GPT_TRANSCRIBE)
        (row,) = usage_rows(core, part.request_id)
        assert row["cost_usd"] == pytest.approx(duration * GPT_TRANSCRIBE)
    assert meeting.cost_usd == pytest.approx(sum(p.cost_usd or 0 for p in meeting.parts))
    assert meeting.cost_usd == pytest.approx(38 * GPT_TRANSCRIBE)  # 30 s + 4 overlaps of 2 s
    done = [s.done for s in steps if s.stage == "transcribe"]
    assert done == [0, 1, 2, 3, 4, 5]


def test_a_recording_with_pauses_is_cut_in_them(core: Core, ws: Workspace, emulator: Any,
                                                tmp_path: Path, prompts: list[str]) -> None:
    spoken = words(60, seed=11)
    audio = pcm(with_pauses(spoken, every=3))
    path = write_wav(tmp_path / "pauses.wav", audio)
    meeting = summarize(core, ws, path, max_bytes=440_000)  # 12 s parts
    assert len(meeting.parts) == 4
    starts = [p.start_s for p in meeting.parts[1:]]
    assert starts == [p.end_s for p in meeting.parts[:-1]]  # no overlap: cut in a silence
    for cut in starts:  # ±0.1 s around each cut is silent in the recording
        at = int(cut * RATE) * 2
        assert not any(audio[at - 3200:at + 3200]), cut
    assert meeting.transcript.split() == spoken


def test_a_rate_limited_openai_falls_back_to_groq(core: Core, ws: Workspace, emulator: Any,
                                                  tmp_path: Path, prompts: list[str]) -> None:
    emulator.fault("openai", "rate_limit", times=1, retry_after=20)
    meeting = summarize(core, ws, write_wav(tmp_path / "m.wav", pcm(SCRIPT)))
    (part,) = meeting.parts
    assert (part.provider, part.model) == ("groq", "whisper-large-v3-turbo")
    assert part.cost_usd == pytest.approx(10 / 3600 * 0.04)  # Groq bills 10 s at least
    assert meeting.transcript == SPOKEN
    assert len(uploads(emulator, "openai")) == 1 and len(uploads(emulator, "groq")) == 1
    (audit,) = audit_rows(core, part.request_id)
    hops = json.loads(audit["hops"])
    assert [(h["provider"], h["error"]) for h in hops] == [("openai", "rate_limited")]
    assert prompts  # the summary still came from OpenAI's chat


def test_a_model_picks_its_provider_and_the_setting_is_used(
        core: Core, ws: Workspace, emulator: Any, tmp_path: Path, prompts: list[str]) -> None:
    path = write_wav(tmp_path / "m.wav", pcm(SCRIPT))
    meeting = summarize(core, ws, path, model="whisper-large-v3", language="auto")
    assert [(p.provider, p.model) for p in meeting.parts] == [("groq", "whisper-large-v3")]
    assert meeting.language is None and "language" not in uploads(emulator, "groq")[0]
    settings.set(core.workspaces, ws, "providers.openai.transcription_model", "whisper-1")
    emulator.reset()
    emulator.listener("openai", listener)
    emulator.replier("openai", summariser([]))
    again = summarize(core, ws, path)
    (part,) = again.parts
    assert (part.provider, part.model) == ("openai", "whisper-1")
    assert part.cost_usd == pytest.approx(again.duration_s / 60 * 0.006)


@pytest.mark.parametrize("answer", [
    "Claro! A reunião foi produtiva: a Ana envia o briefing na sexta.",  # prose
    json.dumps({"summary": "Reunião.", "key_points": []}),  # schema-breaking
    json.dumps({**SUMMARY, "summary": "   "}),  # passes the schema, empty summary
])
def test_a_bad_summary_is_asked_again_once_then_reported(
        core: Core, ws: Workspace, emulator: Any, tmp_path: Path, answer: str) -> None:
    configure(core, ws, emulator, "openai")
    emulator.listener("openai", listener)
    emulator.reply("openai", answer)
    with pytest.raises(AnswerNotValid) as caught:
        summarize(core, ws, write_wav(tmp_path / "m.wav", pcm(SCRIPT)))
    assert caught.value.user_message.startswith(
        "The AI's answer for the meeting summary was not in the expected format, even after "
        "one retry")
    chats = [r for r in emulator.requests_for("openai") if r.path.endswith("/chat/completions")]
    assert len(chats) == 2


def test_one_bad_summary_then_a_good_one(core: Core, ws: Workspace, emulator: Any,
                                         tmp_path: Path, prompts: list[str]) -> None:
    configure(core, ws, emulator, "openai")  # no Groq chat to fall back on
    emulator.reply("openai", "Não consigo resumir em JSON.", times=1)
    meeting = summarize(core, ws, write_wav(tmp_path / "m.wav", pcm(SCRIPT)))
    assert meeting.summary.action_items[0].owner == "Ana"
    chats = [r for r in emulator.requests_for("openai") if r.path.endswith("/chat/completions")]
    assert len(chats) == 2 and len(prompts) == 1


@pytest.mark.parametrize(("content", "name", "words"), [
    (b"ID3\x04\x00" + bytes(range(256)) * 40, "reuniao.mp3", "could not be read as audio"),
    ("Ata da reunião: não é áudio.\n".encode() * 50, "ata.wav", "could not be read as audio"),
    (b"", "vazio.m4a", "could not be read as audio"),
    (None, "sumiu.ogg", "does not exist"),
])
def test_a_damaged_file_is_one_sentence_naming_it(core: Core, ws: Workspace, emulator: Any,
                                                  tmp_path: Path, prompts: list[str],
                                                  content: bytes | None, name: str,
                                                  words: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(AudioFileError) as caught:
        summarize(core, ws, path)
    message = caught.value.user_message
    assert name in message and words in message and "\n" not in message
    assert not emulator.requests


def test_a_silent_recording_has_nothing_to_summarise(core: Core, ws: Workspace, emulator: Any,
                                                     tmp_path: Path, prompts: list[str]) -> None:
    from aidesk.errors import ConfigError

    with pytest.raises(ConfigError) as caught:
        summarize(core, ws, write_wav(tmp_path / "silence.wav", pcm([3.0])))
    assert "no speech to summarise" in caught.value.user_message
    assert len(uploads(emulator, "openai")) == 1 and not prompts


def test_language_must_be_a_code(core: Core, ws: Workspace, emulator: Any,
                                 tmp_path: Path) -> None:
    from aidesk.errors import ConfigError

    with pytest.raises(ConfigError, match="two-letter ISO-639-1"):
        summarize(core, ws, tmp_path / "x.wav", language="portuguese")
    assert meetings.check_language(" EN ") == "en" and meetings.check_language("auto") is None


def test_a_long_transcript_is_summarised_in_chunks_then_merged(
        core: Core, ws: Workspace, emulator: Any, monkeypatch: pytest.MonkeyPatch,
        prompts: list[str]) -> None:
    monkeypatch.setattr(meetings, "CHUNK_CHARS", 40)
    transcript = "bom dia equipe. Ana envia o briefing na sexta. Pedro revisa o vídeo. " * 2
    summary = run(core, lambda: meetings.summarize_transcript(core.router, ws, transcript))
    assert len(prompts) == 5  # 4 chunks and the merge
    assert sum("Summarise part" in p for p in prompts) == 4
    assert "Merge them" in prompts[-1] and json.dumps(SUMMARY["summary"],
                                                      ensure_ascii=False) in prompts[-1]
    assert summary.action_items[0].owner == "Ana"


def test_meetings_are_stored_per_workspace(core: Core, ws: Workspace, emulator: Any,
                                           tmp_path: Path, prompts: list[str]) -> None:
    meeting = summarize(core, ws, write_wav(tmp_path / "m.wav", pcm(SCRIPT)))
    saved = meeting_store.save_meeting(core.db, ws.tenant_id, meeting)
    assert saved.id and saved.created_at is not None
    (entry,) = meeting_store.list_meetings(core.db, ws.tenant_id)
    assert (entry.id, entry.title, entry.actions) == (saved.id, "m.wav", 3)
    assert entry.cost_usd == pytest.approx(meeting.cost_usd)
    loaded = meeting_store.get_meeting(core.db, saved.id)
    assert loaded is not None
    assert (loaded.summary, loaded.transcript, loaded.parts) == (
        meeting.summary, meeting.transcript, meeting.parts)
    other = core.workspaces.add("Outra agência")
    assert meeting_store.list_meetings(core.db, other.tenant_id) == []
    meeting_store.delete_meeting(core.db, saved.id)
    assert meeting_store.list_meetings(core.db, ws.tenant_id) == []


def test_parts_fit_the_real_limit() -> None:
    seconds = meeting_audio.part_seconds(25 * 1024 * 1024)
    assert seconds * meeting_audio.PCM_BYTES_PER_SECOND < 25 * 1024 * 1024 * 0.9
    assert 700 < seconds < 800  # about 12 minutes of 16 kHz mono per part
