"""The language of each message, detected locally and offline with lingua.

The detector knows Portuguese, English, Spanish, French and Italian and runs in lingua's
high-accuracy mode (the one that works on short texts). Building it loads ~170 MB of
models, so it is built once, on first use or by `warm_up()` on a background thread, under
a lock; importing this module builds nothing.

A text gets a language only when the answer is clear, else None (uncertain):
- long enough: at least 3 words, or 2 words and 12 letters (links, @mentions and numbers
  do not count); "ok", "kkkk", "valeu!" and emoji are too short to tell;
- the top confidence at least 0.6 and 0.3 above the second;
- not mixed: the text is read in pieces (sentences of 3 words or more); a piece that on
  its own would be labelled another language (by the same two thresholds) makes the text
  mixed: None. (lingua's own multiple-language detection was tried: it costs
  three times as much and splits plain one-language texts into false runs.)
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import Language, LanguageDetector

MIN_WORDS = 3
MIN_LETTERS_TWO_WORDS = 12
MIN_CONFIDENCE = 0.6
MIN_MARGIN = 0.3
MIXED_RUN_WORDS = 3  # a piece this long that alone reads as another language: mixed
MAX_PIECES = 4
MAX_PIECE_CHARS = 64
FLOOR = 1e-6  # lingua answers 0 for a language a piece's letters rule out

_LINKS = re.compile(r"https?://\S+|www\.\S+|\S+@\S+|[@#]\w+")
_DIGITS = re.compile(r"[\d_]+")
_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"(?<=[.!?;:\n])\s+")
_lock = threading.Lock()
_detector: LanguageDetector | None = None
_codes: dict[Language, str] = {}
Ranked = list[tuple[str, float]]  # (language code, confidence), most likely first


def detector() -> LanguageDetector:
    """The shared detector, built on first call (thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                known = (Language.PORTUGUESE, Language.ENGLISH, Language.SPANISH,
                         Language.FRENCH, Language.ITALIAN)
                _codes.update((lang, lang.iso_code_639_1.name.lower()) for lang in known)
                _detector = LanguageDetectorBuilder.from_languages(
                    *known).with_preloaded_language_models().build()
    return _detector


def warm_up() -> None:
    """Build the detector now (call it from a background thread before it is needed)."""
    detector()


def clean(text: str) -> str:
    """The words lingua should see: without links, addresses, mentions, tags and numbers."""
    if "@" in text or "#" in text or "http" in text or "www." in text:
        text = _LINKS.sub(" ", text)
    return _DIGITS.sub(" ", text)


def eligible(text: str) -> bool:
    words = _WORD.findall(text)
    return len(words) >= MIN_WORDS or (
        len(words) == 2 and sum(len(w) for w in words) >= MIN_LETTERS_TWO_WORDS)


def pieces(text: str) -> list[str]:
    """`text` cut after sentence ends (. ! ? ; : or a line break) into pieces of 3 words or
    more (a shorter one joins its neighbour). A long text gives its first pieces and its
    last (MAX_PIECES), each cut at a word to MAX_PIECE_CHARS: enough to tell the language
    and a mixed text, without paying for a pasted e-mail's every line."""
    if _SENTENCE_END.search(text) is None:
        return [text if len(text) <= MAX_PIECE_CHARS else _cut(text)]
    out: list[str] = []
    short = False  # whether out[-1] has fewer than MIXED_RUN_WORDS words
    for part in _SENTENCE_END.split(text):
        if not part or part.isspace():
            continue
        if out and short:
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
        short = len(_WORD.findall(out[-1])) < MIXED_RUN_WORDS
    if len(out) > 1 and short:
        last = out.pop()
        out[-1] = f"{out[-1]} {last}"
    if len(out) > MAX_PIECES:
        out = [*out[:MAX_PIECES - 1], out[-1]]
    return [p if len(p) <= MAX_PIECE_CHARS else _cut(p) for p in out]


def _cut(text: str) -> str:
    return text[:text.rfind(" ", 0, MAX_PIECE_CHARS) + 1 or MAX_PIECE_CHARS]


def detect(texts: Sequence[str]) -> list[str | None]:
    """One ISO 639-1 code ("pt", "en", "es", "fr", "it") or None per text (see module doc).

    Every eligible text is cut into pieces and all pieces go to lingua in one parallel
    call (each distinct piece once); a text's confidence is its pieces' combined (the
    product of their confidences, normalised: what one call on the whole text would weigh),
    and the pieces themselves show a mixed text. A text repeated ("Bom dia!") is read once.
    """
    distinct: dict[str, int] = {}
    which = [distinct.setdefault(text, len(distinct)) for text in texts]
    labels = _detect_distinct(list(distinct))
    return [labels[i] for i in which]


def _detect_distinct(texts: Sequence[str]) -> list[str | None]:
    result: list[str | None] = [None] * len(texts)
    owners: list[int] = []  # per piece, the text it came from
    slots: list[int] = []  # per piece, its place in `unique` (a chat repeats its phrases)
    unique: dict[str, int] = {}
    for i, text in enumerate(texts):
        cleaned = clean(text)
        if eligible(cleaned):
            for piece in pieces(cleaned):
                owners.append(i)
                slots.append(unique.setdefault(piece, len(unique)))
    if not owners:
        return result
    d = detector()
    batch = list(unique)
    values = (d.compute_language_confidence_values_in_parallel(batch) if len(batch) > 16
              else [d.compute_language_confidence_values(t) for t in batch])
    found: list[Ranked] = [[(_codes[c.language], c.value) for c in v] for v in values]
    start = 0
    while start < len(owners):
        end = start + 1
        while end < len(owners) and owners[end] == owners[start]:
            end += 1
        if end == start + 1:
            result[owners[start]] = _label(found[slots[start]])
        else:
            result[owners[start]] = _decide([found[k] for k in slots[start:end]])
        start = end
    return result


def _label(ranked: Ranked) -> str | None:
    """The top language when it is clear (MIN_CONFIDENCE, MIN_MARGIN), else None."""
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0] if top >= MIN_CONFIDENCE and top - second >= MIN_MARGIN else None


def _decide(ranked: Sequence[Ranked]) -> str | None:
    """A text of several pieces (each of 3 words or more): labelled by their combined
    confidence, None when that is unclear or when a piece alone reads as another language."""
    scores: dict[str, float] = {}
    for piece in ranked:
        for code, value in piece:
            scores[code] = scores.get(code, 0.0) + math.log(max(value, FLOOR))
    top_score = max(scores.values())
    weights = {code: math.exp(score - top_score) for code, score in scores.items()}
    total = sum(weights.values())
    combined = sorted(((code, w / total) for code, w in weights.items()),
                      key=lambda item: item[1], reverse=True)
    label = _label(combined)
    if label is None:
        return None
    for piece in ranked:
        alone = _label(piece)
        if alone is not None and alone != label:
            return None  # mixed
    return label
