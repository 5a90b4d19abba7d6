"""Meeting audio (no Qt, no AI): read a recording, and cut one longer than the upload limit
into parts the transcription endpoints take.

Both endpoints take flac, m4a, mp3, mp4, mpeg, mpga, ogg, wav and webm files of at most
25 MB: OpenAI's speech-to-text guide ("File uploads are currently limited to 25 MB") and its
API reference / the openai SDK (openai/types/audio/transcription_create_params.py `file`:
"flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, or webm"); Groq's speech-to-text page ("File
uploads are limited to 25 MB", mp3, mp4, mpeg, mpga, m4a, wav, webm in its older text; its
current page and API reference add flac and ogg and give 25 MB as the free tier's limit,
100 MB on the dev tier: not re-checked here, so 25 MB, the lower, is the default for both).
A file of one of those types within the limit is sent as it is.

Anything else PyAV can decode (a longer file, a WhatsApp .opus, .aac, .amr…) is decoded
once, streamed, to 16 kHz mono 16-bit PCM (Groq's page: "Whisper will downsample audio to
16,000 Hz mono before transcribing. This preprocessing can be performed client-side to
reduce file size and allow longer files to be uploaded"), and encoded as FLAC (lossless,
FFmpeg's own encoder, taken by both) parts of at most `part_seconds(max_bytes)`: 16-bit PCM is
32,000 bytes a second and FLAC never stores more than that plus a little framing, so a
part of that length always fits. Each cut is made in a silence when the last stretch before
the cut point has one (50 ms windows whose RMS is below -40 dBFS for at least 0.5 s, the
latest such run, cut in its middle): no word is split and no overlap is needed. Where that
stretch is all speech the cut is at the fixed length and the next part starts `OVERLAP_S`
earlier, so a word cut in two is heard whole in one of them; the meetings feature removes
the repeated text when it joins the transcripts.

Only the stretch searched for a silence (about 30 s) is kept in memory as PCM; parts are
written to a folder the caller owns. A damaged or unknown file is one sentence that names
it (AudioFileError), never a traceback.
"""

from __future__ import annotations

import array
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aidesk.errors import AIDeskError
from aidesk.i18n import _
from aidesk.providers.media import MAX_AUDIO_BYTES

ACCEPTED = ("flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm")
RATE = 16_000  # Hz, mono, 16-bit: the parts' format
PCM_BYTES_PER_SECOND = RATE * 2
FLAC_MARGIN = 0.9  # of the limit: FLAC framing, the multipart envelope
WINDOW_S = 0.05
MIN_SILENCE_S = 0.5
SILENCE_DBFS = -40.0
SEARCH_S = 30.0  # how far before a cut point a silence is looked for
OVERLAP_S = 2.0  # of a fixed-length cut
MIN_PART_S = 0.1  # a shorter tail is dropped: OpenAI refuses audio under 0.1 s
Report = Callable[[float, float | None], None]  # (seconds read, seconds in all or None)


class AudioFileError(AIDeskError):
    """The recording cannot be read or has no audio: the sentence names the file."""

    code = "bad_audio"


class Stopped(Exception):
    """Splitting was asked to stop (the caller was cancelled)."""


@dataclass(frozen=True, slots=True)
class AudioInfo:
    path: Path
    size: int  # bytes
    duration_s: float | None  # None when the file does not say (then it is decoded to count)
    codec: str


@dataclass(frozen=True, slots=True)
class AudioPart:
    """One upload: the file, where it lies in the recording, and how much of its start the
    previous part also has (0 after a cut in a silence)."""

    index: int  # from 0
    path: Path
    filename: str  # what the provider is told (its extension names the format)
    start_s: float
    end_s: float
    overlap_s: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def part_seconds(max_bytes: int) -> float:
    """The longest FLAC part (16 kHz mono 16-bit) that fits in `max_bytes`."""
    return max(1.0, math.floor((max_bytes * FLAC_MARGIN - 8192) / PCM_BYTES_PER_SECOND))


def _unreadable(path: Path) -> AudioFileError:
    return AudioFileError(_("{file} could not be read as audio: it is damaged or not an "
                            "audio file (AIDesk reads mp3, m4a, wav, ogg, webm, flac, opus and "
                            "most other audio).").format(file=path.name))


def _open(path: Path) -> Any:
    import av

    if not path.is_file():
        raise AudioFileError(_("{file} does not exist or is not a file.").format(file=path))
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError:
        raise _unreadable(path) from None
    except OSError as exc:
        raise AudioFileError(_("Cannot read {file}: {error}.").format(
            file=path.name, error=exc.strerror or exc)) from None
    if not container.streams.audio:
        container.close()
        raise AudioFileError(_("{file} has no audio track to transcribe.").format(
            file=path.name))
    return container


def probe(path: Path) -> AudioInfo:
    """What the file is, after checking its first audio frames decode."""
    import av

    path = Path(path)
    container = _open(path)
    try:
        stream = container.streams.audio[0]
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        codec = stream.codec_context.name
        try:
            frames = container.decode(stream)
            first = next(frames, None)
        except av.error.FFmpegError:
            raise _unreadable(path) from None
        if first is None:
            raise _empty(path)
    finally:
        container.close()
    return AudioInfo(path, path.stat().st_size, duration, codec)


def _empty(path: Path) -> AudioFileError:
    return AudioFileError(_("{file} has no audio to transcribe: it is silent or "
                            "empty.").format(file=path.name))


def measure(path: Path, stop: threading.Event | None = None) -> float:
    """The recording's length in seconds, by decoding it (for files that do not say)."""
    return sum(len(chunk) for chunk in _pcm(Path(path), stop, None, None)) / \
        PCM_BYTES_PER_SECOND


def prepare(path: Path, workdir: Path, *, max_bytes: int = MAX_AUDIO_BYTES,
            stop: threading.Event | None = None, report: Report | None = None,
            ) -> tuple[AudioInfo, list[AudioPart]]:
    """The file as it is when the providers take it, else its FLAC parts in `workdir`."""
    path = Path(path)
    info = probe(path)
    extension = path.suffix.lower().lstrip(".")
    if extension in ACCEPTED and info.size <= max_bytes:
        duration = info.duration_s if info.duration_s is not None else measure(path, stop)
        if duration <= 0:
            raise _empty(path)
        return info, [AudioPart(0, path, path.name, 0.0, duration)]
    parts = split(path, workdir, max_bytes=max_bytes, stop=stop, report=report,
                  total_s=info.duration_s)
    return info, parts


def ascii_stem(path: Path) -> str:
    """The file's name without accents or spaces, for the parts' names (multipart-safe)."""
    text = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:40]
    return text or "meeting"


def split(path: Path, workdir: Path, *, max_bytes: int = MAX_AUDIO_BYTES,
          stop: threading.Event | None = None, report: Report | None = None,
          total_s: float | None = None) -> list[AudioPart]:
    """FLAC parts of at most `max_bytes`, cut in silences where there are some."""
    path = Path(path)
    longest = int(part_seconds(max_bytes) * RATE)
    search = int(min(SEARCH_S, part_seconds(max_bytes) / 4) * RATE)
    overlap = int(min(OVERLAP_S, part_seconds(max_bytes) / 4) * RATE)
    writer = _PartWriter(workdir, ascii_stem(path))
    # Sample indexes from the start of the recording: `pcm` holds [base, base + len/2);
    # the current part starts at `start` and is encoded up to `written` (base <= written).
    pcm, base, start, written = bytearray(), 0, 0, 0
    for chunk in _pcm(path, stop, report, total_s):
        pcm += chunk
        while base + len(pcm) // 2 - start >= longest:
            target = start + longest
            found = _silence(pcm, (target - search - base) * 2, (target - base) * 2)
            if found is not None:
                cut = next_start = base + found // 2
            else:
                cut, next_start = target, target - overlap
            writer.write(pcm[(written - base) * 2:(cut - base) * 2])
            writer.finish(start, cut)
            writer.overlap = (cut - next_start) / RATE
            del pcm[:(next_start - base) * 2]
            base = start = written = next_start
        # Encode what no later cut can reach (whole seconds), and forget it.
        reach = min(start + longest - search - overlap, base + len(pcm) // 2)
        if reach - written >= RATE:
            upto = written + (reach - written) // RATE * RATE
            writer.write(pcm[(written - base) * 2:(upto - base) * 2])
            del pcm[:(upto - base) * 2]
            base = written = upto
    end = base + len(pcm) // 2
    fresh = end - start - int(writer.overlap * RATE)  # samples no earlier part has
    if fresh >= MIN_PART_S * RATE or (fresh > 0 and not writer.parts):
        writer.write(pcm[(written - base) * 2:])
        writer.finish(start, end)
    writer.close()
    if not writer.parts:
        raise _empty(path)
    return writer.parts


def _pcm(path: Path, stop: threading.Event | None, report: Report | None,
         total_s: float | None) -> Iterator[bytes]:
    """The first audio track as 16 kHz mono s16 PCM, chunk by chunk."""
    import av

    container = _open(path)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    read, told = 0, 0
    try:
        stream = container.streams.audio[0]
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    read += out.samples
                    yield bytes(out.planes[0])[:out.samples * 2]
                if stop is not None and stop.is_set():
                    raise Stopped
                if report is not None and read - told >= RATE * 5:
                    told = read
                    report(read / RATE, total_s)
            for out in resampler.resample(None):
                yield bytes(out.planes[0])[:out.samples * 2]
        except av.error.FFmpegError:
            raise _unreadable(path) from None
    finally:
        container.close()


def _silence(pcm: bytearray, begin: int, end: int) -> int | None:
    """Byte offset (even) in `pcm` of the middle of the latest silence in [begin, end)."""
    begin, end = max(0, begin - begin % 2), min(len(pcm), end - end % 2)
    window = int(WINDOW_S * RATE) * 2
    threshold = 32768 * 10 ** (SILENCE_DBFS / 20)
    needed = math.ceil(MIN_SILENCE_S / WINDOW_S)
    run_end, run = None, 0
    best: int | None = None
    for at in range(begin, end - window + 1, window):
        samples = array.array("h", pcm[at:at + window])
        rms = math.sqrt(sum(s * s for s in samples) / len(samples))
        if rms < threshold:
            run += 1
            run_end = at + window
            if run >= needed:
                best = run_end - run * window // 2
                best -= best % 2
        else:
            run = 0
    return best


class _PartWriter:
    """Encodes PCM to FLAC files, one per part."""

    def __init__(self, workdir: Path, stem: str) -> None:
        self.workdir, self.stem = Path(workdir), stem
        self.parts: list[AudioPart] = []
        self.overlap = 0.0  # of the next part
        self._out: Any = None
        self._stream: Any = None
        self._pts = 0

    def _begin(self) -> None:
        import av

        self.workdir.mkdir(parents=True, exist_ok=True)
        self._path = self.workdir / f"{self.stem}-part{len(self.parts) + 1:02d}.flac"
        self._out = av.open(str(self._path), mode="w", format="flac")
        self._stream = self._out.add_stream("flac", rate=RATE, layout="mono")
        self._stream.codec_context.format = "s16"
        self._pts = 0

    def write(self, pcm: bytes | bytearray) -> None:
        import av

        if self._out is None:
            self._begin()
        step = RATE * 2  # one second a frame
        for at in range(0, len(pcm) - len(pcm) % 2, step):
            data = bytes(pcm[at:at + step])
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(data) // 2)
            frame.planes[0].update(data)
            frame.sample_rate, frame.pts = RATE, self._pts
            self._pts += len(data) // 2
            for packet in self._stream.encode(frame):
                self._out.mux(packet)

    def finish(self, start: int, end: int) -> None:
        if self._out is None:
            self._begin()
        for packet in self._stream.encode(None):
            self._out.mux(packet)
        self._out.close()
        self._out = None
        self.parts.append(AudioPart(len(self.parts), self._path, self._path.name,
                                    start / RATE, end / RATE, self.overlap))

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
