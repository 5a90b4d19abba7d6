"""Bytes to text: the encoding detected, then text that was mis-decoded earlier repaired.

`decode` reads a file's bytes as the exporter wrote them: UTF-8 (with or without BOM),
UTF-16 (WhatsApp on Windows, Excel's "Unicode text"; with a BOM or recognised by its NUL
bytes), else the code page charset-normalizer finds among those Brazilian files use
(Windows-1252, Latin-1/9, Mac Roman). Bytes that are no text at all (NULs, control codes)
are refused.

Then `repair` fixes mojibake: text once saved as UTF-8 and read back in another code page
("SessÃ£o" via Windows-1252/Latin-1, "Sess√£o" via Mac Roman) and saved again. ftfy fixes a
line at a time, and leaves a line that mixes good and broken text as it is, so each line
with a marker goes through ftfy's `fix_encoding` first and, where markers are left, each
run of non-ASCII characters is re-decoded on its own. A repaired file gets a note.

Policy for what repair cannot fix: a mojibake marker still in the text fails the file
(ImportFailed naming the file, the first such line and a sample): keeping it would store
garbled names and messages for analysis. A U+FFFD replacement character (bytes lost
before the export; nothing left to repair) only gets a note naming its first line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aidesk.i18n import _, ngettext
from aidesk.imports.model import ImportFailed

# Code pages tried when a file is not UTF-8, in the order charset-normalizer weighs them.
CODE_PAGES = ["cp1252", "mac_roman", "latin_1", "iso8859_15"]
ENCODING_NAMES = {"utf_8": "UTF-8", "utf_16": "UTF-16", "utf_16_le": "UTF-16",
                  "utf_16_be": "UTF-16", "cp1252": "Windows-1252", "latin_1": "Latin-1",
                  "iso8859_15": "Latin-9", "mac_roman": "Mac Roman", "macroman": "Mac Roman",
                  "sloppy-windows-1252": "Windows-1252", "windows-1252": "Windows-1252",
                  "latin-1": "Latin-1"}

# How the bytes of one UTF-8 character look once read in another code page: a lead byte
# (C2, C3, E2, F0) followed by a continuation byte (80–BF), each shown as that code
# page's character. No Portuguese, English or Spanish word has these pairs.
_CONT_WIN = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ\x80-\xbf"
_CONT_MAC = bytes(range(0x80, 0xC0)).decode("mac_roman")
_WIN = f"[ÂÃâ][{_CONT_WIN}]|ð[Ÿ\x9f]"
_MAC = re.compile(f"[¬√‚\uf8ff][{re.escape(_CONT_MAC)}]")
MOJIBAKE = re.compile(f"{_WIN}|{_MAC.pattern}")
_LEADS = re.compile("[ÂÃâð¬√‚\uf8ff]")  # a cheap first look: MOJIBAKE starts with one
_RUN = re.compile(r"[^\x00-\x7f\s]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_BOMS = ((b"\xef\xbb\xbf", "utf_8_sig"), (b"\xff\xfe\x00\x00", "utf_32"),
         (b"\x00\x00\xfe\xff", "utf_32"), (b"\xff\xfe", "utf_16"), (b"\xfe\xff", "utf_16"))


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # Python codec name
    notes: tuple[str, ...]


def decode(data: bytes, *, name: str) -> Decoded:
    """The text of a file's bytes, mojibake repaired; ImportFailed when it is not text."""
    if not data.strip():
        raise ImportFailed(_("{file} is empty.").format(file=name), file=name)
    encoding = _detect(data, name)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:  # Windows and old Mac line ends: every parser sees "\n" only
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportFailed(_("{file} is empty.").format(file=name), file=name)
    if len(_CONTROL.findall(text, 0, 65536)) > 8:
        raise _not_text(name)
    notes: list[str] = []
    if encoding not in ("utf_8", "utf_8_sig", "utf_16", "utf_16_le", "utf_16_be", "utf_32"):
        notes.append(_("The file was not UTF-8; it was read as {encoding}.").format(
            encoding=ENCODING_NAMES.get(encoding, encoding)))
    text, repaired = repair(text, name=name)
    return Decoded(text, encoding, (*notes, *repaired))


def _detect(data: bytes, name: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    head = data[:8192]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) * 0.3 and even < odd / 8:
            return "utf_16_le"
        if even > len(head) * 0.3 and odd < even / 8:
            return "utf_16_be"
        raise _not_text(name)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf_8"
    import charset_normalizer

    best = (charset_normalizer.from_bytes(data, cp_isolation=CODE_PAGES).best()
            or charset_normalizer.from_bytes(data).best())
    if best is None:
        raise _not_text(name)
    return str(best.encoding)


def _not_text(name: str) -> ImportFailed:
    return ImportFailed(_("{file} is not a text file (it holds binary data); export the "
                          "conversation as text, CSV or JSON.").format(file=name), file=name)


def repair(text: str, *, name: str) -> tuple[str, tuple[str, ...]]:
    """`text` with mojibake fixed, and the notes saying what was done (see the module doc)."""
    notes: list[str] = []
    if _LEADS.search(text) and MOJIBAKE.search(text):
        lines = text.split("\n")
        codecs: set[str] = set()
        count = 0
        for number, line in enumerate(lines, start=1):
            if not MOJIBAKE.search(line):
                continue
            fixed, used = fix_line(line)
            left = MOJIBAKE.search(fixed)
            if left:
                sample = fixed[max(0, left.start() - 15):left.end() + 15].strip()
                raise ImportFailed(_(
                    "{file}, line {line}: the text still looks garbled after repairing its "
                    "encoding (\u201c{sample}\u201d); export the file again as UTF-8.").format(
                        file=name, line=number, sample=sample), file=name, line=number)
            if fixed != line:
                lines[number - 1] = fixed
                codecs |= used
                count += 1
        text = "\n".join(lines)
        if count:
            names = sorted({ENCODING_NAMES.get(c, c) for c in codecs}) or ["Windows-1252"]
            notes.append(ngettext(
                "Encoding repaired on {count} line: the text was UTF-8 read as {encoding}.",
                "Encoding repaired on {count} lines: the text was UTF-8 read as {encoding}.",
                count).format(count=count, encoding=" / ".join(names)))
    lost = text.find("\ufffd")
    if lost >= 0:
        notes.append(_("Line {line} has characters lost before the export (shown as "
                       "\ufffd); the rest was imported as written.").format(
                           line=text.count("\n", 0, lost) + 1))
    return text, tuple(notes)


def fix_line(line: str) -> tuple[str, set[str]]:
    """One line repaired: each run of non-ASCII characters with a marker re-decoded on its own
    (again while that changes it: text mis-decoded twice), then ftfy's `fix_encoding` for
    what that left (e.g. a no-break space that became a plain space)."""
    fixed, codecs = line, set[str]()
    for _round in range(3):
        again, used = _fix_runs(fixed)
        if again == fixed:
            break
        fixed, codecs = again, codecs | used
    if MOJIBAKE.search(fixed):
        import ftfy

        fixed, steps = ftfy.fix_encoding_and_explain(fixed)
        codecs |= {step[1] for step in steps or () if step[0] == "encode"}
    return fixed, codecs


def _fix_runs(line: str) -> tuple[str, set[str]]:
    parts: list[str] = []
    codecs: set[str] = set()
    last = 0
    for run in _RUN.finditer(line):
        text = run.group()
        if not MOJIBAKE.search(text):
            continue
        order = ("mac_roman", "sloppy-windows-1252", "latin-1") if _MAC.search(text) else (
            "sloppy-windows-1252", "latin-1", "mac_roman")
        for codec in order:
            decoded = _redecode(text, codec)
            if decoded is not None:
                parts += [line[last:run.start()], decoded]
                last = run.end()
                codecs.add(codec)
                break
    return "".join([*parts, line[last:]]), codecs


def _redecode(run: str, codec: str) -> str | None:
    """`run` encoded back to the bytes `codec` showed, each complete UTF-8 sequence among
    them decoded and any other byte kept as the character it was. None when nothing
    decoded, or a sequence decoded to a control, combining or unassigned character (the
    wrong code page)."""
    import unicodedata

    import ftfy.bad_codecs  # noqa: F401  (registers "sloppy-windows-1252")

    try:
        raw = run.encode(codec)
    except UnicodeEncodeError:
        return None
    out: list[str] = []
    changed = False
    i = 0
    while i < len(raw):
        lead = raw[i]
        size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else (
            4 if 0xF0 <= lead <= 0xF4 else 0)
        if size and i + size <= len(raw):
            try:
                char = raw[i:i + size].decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                if (unicodedata.category(char) in ("Cc", "Mn", "Cn", "Co", "Cs")
                        and not "\ufe00" <= char <= "\ufe0f"):  # emoji variation selectors
                    return None
                out.append(char)
                i += size
                changed = True
                continue
        out.append(raw[i:i + 1].decode(codec))
        i += 1
    return "".join(out) if changed else None
