"""Made-up meetings for the meeting tests: "speech" where each word is a tone of its own
pitch, written as real audio files (WAV with the stdlib, mp3/m4a/ogg/webm with PyAV), and
an ear for the emulator that decodes an upload and hears those words back, with the
upload's real duration (what the provider bills).

A word is a 0.4 s sine at 300 + 110·i Hz and 0.1 s of silence; a pause is silence. The ear
finds the sounding stretches (10 ms RMS windows) and names each by its pitch (zero
crossings), so a part cut in the middle of a word hears that word too, as Whisper hears a
word cut in two, and a part that starts in the overlap hears the overlap's words again.
"""

from __future__ import annotations

import array
import io
import itertools
import math
import random
import wave
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

RATE = 16_000
VOCAB = ("bom", "dia", "equipe", "campanha", "sexta", "Ana", "envia", "briefing", "decidimos",
         "lançar", "orçamento", "cliente", "Instagram", "aprovado", "prazo", "Pedro", "revisa",
         "vídeo", "semana", "reunião", "padaria", "verba", "anúncios", "fechado")
WORD_S, GAP_S, AMPLITUDE = 0.4, 0.1, 9000


def pitch(word: str) -> float:
    return 300.0 + 110.0 * VOCAB.index(word)


def pcm(script: Iterable[str | float]) -> bytes:
    """16 kHz mono s16 audio: a word for each string, a pause of that many seconds for each
    number."""
    out = array.array("h")
    t = 0
    for item in script:
        if isinstance(item, str):
            f = pitch(item)
            out.extend(int(AMPLITUDE * math.sin(2 * math.pi * f * (t + i) / RATE))
                       for i in range(int(WORD_S * RATE)))
            out.extend([0] * int(GAP_S * RATE))
        else:
            out.extend([0] * int(item * RATE))
        t = len(out)
    return out.tobytes()


def words(count: int, seed: int = 7) -> list[str]:
    """A fixed sequence of `count` words with no word twice in a row."""
    rng = random.Random(seed)
    picked: list[str] = []
    while len(picked) < count:
        word = rng.choice(VOCAB)
        if not picked or picked[-1] != word:
            picked.append(word)
    return picked


def with_pauses(spoken: Sequence[str], every: int, pause_s: float = 0.8) -> list[str | float]:
    script: list[str | float] = []
    for i, word in enumerate(spoken):
        script.append(word)
        if (i + 1) % every == 0:
            script.append(pause_s)
    return script


def write_wav(path: Path, data: bytes) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(data)
    return path


# container format, codec, sample format, sample rate
FORMATS = {"mp3": ("mp3", "libmp3lame", "s16p", 16000), "m4a": ("ipod", "aac", "fltp", 16000),
           "ogg": ("ogg", "libopus", "s16", 48000), "webm": ("webm", "libopus", "s16", 48000),
           "flac": ("flac", "flac", "s16", 16000)}


def write_encoded(path: Path, data: bytes) -> Path:
    """`data` (16 kHz mono s16) encoded as the file's extension says, with PyAV."""
    import av

    fmt, codec, sample_format, rate = FORMATS[path.suffix.lstrip(".")]
    resampler = av.AudioResampler(format=sample_format, layout="mono", rate=rate)
    with av.open(str(path), mode="w", format=fmt) as out:
        stream: Any = out.add_stream(codec, rate=rate, layout="mono")
        stream.codec_context.format = sample_format
        for at in range(0, len(data), RATE * 2):
            chunk = data[at:at + RATE * 2]
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(chunk)
            frame.sample_rate = RATE
            frame.pts = at // 2
            for converted in resampler.resample(frame):
                converted.pts = None
                for packet in stream.encode(converted):
                    out.mux(packet)
        for converted in resampler.resample(None):
            converted.pts = None
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


def decode(data: bytes) -> bytes:
    """Any audio file's bytes as 16 kHz mono s16."""
    import av

    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    out = bytearray()
    with av.open(io.BytesIO(data), mode="r") as container:
        for frame in container.decode(container.streams.audio[0]):
            for converted in resampler.resample(frame):
                out += bytes(converted.planes[0])[:converted.samples * 2]
    for converted in resampler.resample(None):
        out += bytes(converted.planes[0])[:converted.samples * 2]
    return bytes(out)


def hear_pcm(data: bytes) -> list[str]:
    samples = array.array("h", data[:len(data) - len(data) % 2])
    window = RATE // 100
    loud = [math.sqrt(sum(s * s for s in samples[i:i + window]) / window) > 1500
            for i in range(0, len(samples) - window + 1, window)]
    heard, i = [], 0
    while i < len(loud):
        if not loud[i]:
            i += 1
            continue
        j = i
        while j < len(loud) and loud[j]:
            j += 1
        if j - i >= 8:  # 80 ms or more: a word, or the part of one a cut left
            stretch = samples[i * window:j * window]
            crossings = sum(1 for a, b in itertools.pairwise(stretch)
                            if (a < 0) != (b < 0))
            frequency = crossings / 2 / (len(stretch) / RATE)
            heard.append(min(VOCAB, key=lambda w: abs(pitch(w) - frequency)))
        i = j
    return heard


def listener(name: str, data: bytes) -> tuple[str, float] | None:
    """The emulator's ear (Emulator.listener): the words, and the upload's duration."""
    try:
        audio = decode(data)
    except Exception:
        return None  # not audio: the emulator's default answer
    return " ".join(hear_pcm(audio)), round(len(audio) / 2 / RATE, 3)


def uploads(emulator: Any, provider: str) -> list[dict[str, Any]]:
    """The multipart transcription uploads `provider` received: fields and file summary."""
    return [r.body for r in emulator.requests_for(provider)
            if r.path.endswith("/audio/transcriptions")]
