"""Meeting audio and texts without the AI: reading each format, cutting on silence or at a
fixed length with overlap (parts under the limit, decodable, covering the recording in
order), streaming (the PCM kept in memory stays a small window), stopping, the overlap's
words kept once, owners and dates said or not, Markdown and text exports."""

from __future__ import annotations

import itertools
import threading
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aidesk.features import meeting_audio as audio
from aidesk.features.meeting_text import (
    duration_text,
    join_overlap,
    join_parts,
    said,
    to_markdown,
    to_text,
    words_of,
)
from aidesk.features.meetings import ActionItem, Meeting, MeetingSummary, PartTranscript
from tests.meeting_support import (
    RATE,
    decode,
    hear_pcm,
    pcm,
    with_pauses,
    words,
    write_encoded,
    write_wav,
)

SCRIPT: list[str | float] = ["bom", "dia", 0.7, "equipe", "campanha"]


@pytest.mark.parametrize(("extension", "codec"), [
    ("wav", "pcm_s16le"), ("mp3", "mp3float"), ("m4a", "aac"), ("ogg", "opus"),
    ("webm", "opus"), ("flac", "flac")])
def test_each_format_is_read(tmp_path: Path, extension: str, codec: str) -> None:
    data = pcm(SCRIPT)
    path = tmp_path / f"a.{extension}"
    write_wav(path, data) if extension == "wav" else write_encoded(path, data)
    info = audio.probe(path)
    assert info.codec == codec and info.size == path.stat().st_size
    seconds = len(data) / 2 / RATE  # AAC adds its encoder delay and padding: up to 0.15 s
    assert info.duration_s == pytest.approx(seconds, abs=0.15)
    assert audio.measure(path) == pytest.approx(seconds, abs=0.15)
    _info, parts = audio.prepare(path, tmp_path / "parts")
    assert [(p.path, p.filename, p.start_s) for p in parts] == [(path, path.name, 0.0)]


def test_another_type_is_converted_even_when_small(tmp_path: Path) -> None:
    opus = write_encoded(tmp_path / "voz.ogg", pcm(SCRIPT)).rename(tmp_path / "voz.opus")
    _info, parts = audio.prepare(opus, tmp_path / "parts")
    (part,) = parts
    assert part.filename == "voz-part01.flac" and part.path.parent == tmp_path / "parts"
    assert hear_pcm(decode(part.path.read_bytes())) == ["bom", "dia", "equipe", "campanha"]


def test_fixed_cuts_overlap_and_cover_the_recording(tmp_path: Path) -> None:
    data = pcm(words(60))  # 30 s, no pause of 0.5 s
    path = write_wav(tmp_path / "Reunião – sexta.wav", data)
    parts = audio.split(path, tmp_path / "parts", max_bytes=300_000)
    assert audio.part_seconds(300_000) == 8
    assert [(p.start_s, p.end_s, p.overlap_s) for p in parts] == [
        (0.0, 8.0, 0.0), (6.0, 14.0, 2.0), (12.0, 20.0, 2.0), (18.0, 26.0, 2.0),
        (24.0, 30.0, 2.0)]
    assert [p.filename for p in parts][:2] == ["Reuniao-sexta-part01.flac",
                                               "Reuniao-sexta-part02.flac"]
    for part in parts:
        assert part.path.stat().st_size < 300_000
        decoded = decode(part.path.read_bytes())
        begin = int(part.start_s * RATE) * 2
        assert decoded == data[begin:begin + len(decoded)]  # FLAC: the very samples
        assert len(decoded) / 2 / RATE == pytest.approx(part.duration_s)


def test_cuts_fall_in_silences_without_overlap(tmp_path: Path) -> None:
    data = pcm(with_pauses(words(60, seed=11), every=3))
    parts = audio.split(write_wav(tmp_path / "p.wav", data), tmp_path / "parts",
                        max_bytes=440_000)
    assert len(parts) == 4 and all(p.overlap_s == 0 for p in parts)
    for before, after in itertools.pairwise(parts):
        assert before.end_s == after.start_s
        assert 12 - 3 <= before.duration_s <= 12  # within the searched stretch
        at = int(before.end_s * RATE) * 2
        assert not any(data[at - 4000:at + 4000])  # ±125 ms of silence around the cut


def test_splitting_streams_and_stops(tmp_path: Path) -> None:
    path = write_wav(tmp_path / "long.wav", pcm(words(240)))  # 2 min, 3.8 MB of PCM
    tracemalloc.start()
    try:
        parts = audio.split(path, tmp_path / "parts", max_bytes=2_000_000)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(parts) == 3 and parts[-1].end_s == pytest.approx(120.0)
    assert peak < 2_500_000  # a window of PCM, never the whole recording
    stop = threading.Event()
    stop.set()
    with pytest.raises(audio.Stopped):
        audio.split(path, tmp_path / "stopped", max_bytes=2_000_000, stop=stop)


def test_a_silent_or_damaged_file(tmp_path: Path) -> None:
    silent = write_wav(tmp_path / "nada.wav", b"")
    with pytest.raises(audio.AudioFileError, match=r"nada\.wav has no audio to transcribe"):
        audio.prepare(silent, tmp_path / "parts")
    cut = tmp_path / "cortado.flac"
    cut.write_bytes(write_encoded(tmp_path / "x.flac", pcm(SCRIPT)).read_bytes()[:60])
    with pytest.raises(audio.AudioFileError, match=r"cortado\.flac"):
        audio.split(cut, tmp_path / "parts")


def test_the_overlap_is_kept_once() -> None:
    assert join_overlap("a reunião começou com a pauta", "com a Pauta, depois o orçamento",
                        2.0) == "a reunião começou com a Pauta, depois o orçamento"
    # the edge words, heard cut in two, go with the repeat
    assert join_overlap("um dois três quatro cinco se", "ês quatro cinco seis sete", 2.0) == \
        "um dois três quatro cinco seis sete"
    assert join_overlap("nada em comum aqui", "outro texto", 2.0) == \
        "nada em comum aqui outro texto"  # nothing to match: both kept whole
    assert join_overlap("a b c", "b c d", 0.0) == "a b c b c d"  # cut in a silence
    assert join_parts(["um dois três", "dois três quatro", "cinco"], [0, 2, 0]) == \
        "um dois três quatro cinco"


def test_owner_and_due_said_or_not() -> None:
    heard = words_of("A Ana manda o briefing até sexta-feira, dia 15.")
    assert said("Ana", heard) and said("Sexta", heard) and said("dia 15/03", heard)
    assert not said("Carlos", heard) and not said("30/11", heard)
    assert not said("a", heard)  # too short to be evidence


def test_exports() -> None:
    meeting = Meeting(
        "Reunião.m4a", 3725.4, "pt", "bom dia equipe",
        (PartTranscript(0, 0, 3725.4, "bom dia equipe", "openai", "gpt-transcribe", 0.2794,
                        3725.4, False, "r1"),),
        MeetingSummary("Resumo | curto.", ("Ponto",), (),
                       (ActionItem("Enviar | briefing", "Ana", None),)),
        id="m1", created_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC))
    markdown = to_markdown(meeting)
    assert markdown.startswith("# Reunião.m4a\n\n- Duration: 1:02:05\n")
    assert "- Transcription cost: US$" in markdown
    assert "## Decisions\n\n—\n" in markdown
    assert "| Enviar \\| briefing | Ana | — |" in markdown
    assert markdown.endswith("## Transcript\n\nbom dia equipe\n")
    text = to_text(meeting, transcript=False)
    assert text.startswith("Reunião.m4a\n===========\nDuration: 1:02:05\n")
    assert "  - Enviar | briefing (owner: Ana; due: —)" in text and "bom dia" not in text
    assert duration_text(59.6) == "1:00" and duration_text(3600) == "1:00:00"
