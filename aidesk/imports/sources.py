"""Where conversations come from: a file, a folder of files, or a `.zip` as WhatsApp shares
it; the format of each file; the limits that keep a bad file from taking the machine down.

- `read_path` reads one path. A single file that cannot be imported raises ImportFailed. For
  a folder or a zip it returns the conversations of the files that could be read and
  raises only when none could (the first problem); `read_many` returns those problems too.
- A file over 50 MB is refused before it is read. A zip is read in memory, never extracted:
  member names are only labels (no path is ever built from them), media members are
  skipped, and each text member is checked against its declared size, the 50 MB limit,
  a 200 MB total and a compression ratio over 200 (a zip bomb) before and while it is read.
- Format: by extension (`.csv`/`.tsv` CSV, `.json` JSON, `.txt` WhatsApp, else JSON when
  it opens with `[` or `{`, else CSV when its lines split into columns), or as forced.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from aidesk.i18n import _
from aidesk.imports import jsonfile, tabular, whatsapp
from aidesk.imports.encoding import decode
from aidesk.imports.model import FORMATS, ChatMessage, Conversation, ImportFailed
from aidesk.imports.whatsapp_phrases import title_from_name

MAX_BYTES = 50 * 1024 * 1024
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 200
MAX_FILES = 1000
MAX_DEPTH = 2
FILE_TYPES = (".txt", ".csv", ".tsv", ".json")
EXTENSIONS = (*FILE_TYPES, ".zip")


@dataclass
class ImportReport:
    """What a folder or zip gave: the conversations read, and one error per bad file."""

    conversations: list[Conversation] = field(default_factory=list)
    problems: list[ImportFailed] = field(default_factory=list)


def read_path(path: Path, *, format: str | None = None, mapping: Mapping[str, str] | None = None,
              detect_language: bool = True) -> list[Conversation]:
    report = read_many(path, format=format, mapping=mapping, detect_language=detect_language)
    if report.problems and (not report.conversations or _single(path)):
        raise report.problems[0]
    return report.conversations


def read_many(path: Path, *, format: str | None = None, mapping: Mapping[str, str] | None = None,
              detect_language: bool = True) -> ImportReport:
    path = Path(path)
    report = ImportReport()
    try:
        if path.is_dir():
            _read_folder(path, report, format, mapping)
        elif path.suffix.lower() == ".zip":
            _read_zip(path, report, format, mapping)
        else:
            report.conversations += read_file(path, format=format, mapping=mapping)
    except ImportFailed as exc:
        report.problems.append(exc)
    if detect_language:
        report.conversations = with_languages(report.conversations)
    return report


def _single(path: Path) -> bool:
    return not path.is_dir() and path.suffix.lower() != ".zip"


def read_file(path: Path, *, format: str | None = None, mapping: Mapping[str, str] | None = None,
              title: str | None = None) -> list[Conversation]:
    """One file's conversations (no language detection)."""
    if format is None and path.suffix.lower() not in FILE_TYPES and path.is_file():
        raise unknown_format(path.name)
    data = load(path)
    name = path.name
    if path.name == "_chat.txt":  # an unzipped iOS export: the folder has the chat's name
        name = f"{path.parent.name}/{path.name}"
        title = title or title_from_name(path.parent.name)
    return parse_bytes(data, name=name, format=format, mapping=mapping, title=title)


def load(path: Path) -> bytes:
    """A file's bytes, refused when it is missing, not a file or over MAX_BYTES."""
    name = path.name
    if not path.exists():
        raise ImportFailed(_("{file} does not exist.").format(file=str(path)), file=name)
    if not path.is_file():
        raise ImportFailed(_("{file} is not a regular file.").format(file=str(path)), file=name)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise too_big(name, size)
    with path.open("rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_big(name, len(data))
    return data


def parse_bytes(data: bytes, *, name: str, format: str | None = None,
                mapping: Mapping[str, str] | None = None,
                title: str | None = None) -> list[Conversation]:
    decoded = decode(data, name=name)
    convs = parse_text(decoded.text, name=name, format=format, mapping=mapping, title=title)
    if decoded.notes:
        convs = [Conversation(c.title, c.source, c.format, c.messages, (*c.notes, *decoded.notes))
                 for c in convs]
    return convs


def parse_text(text: str, *, name: str, format: str | None = None,
               mapping: Mapping[str, str] | None = None,
               title: str | None = None) -> list[Conversation]:
    """Conversations from text already decoded; `name` is the file name for titles and
    messages. No language detection (see `with_languages`)."""
    kind = format or detect_format(text, name=name)
    if kind not in FORMATS:
        raise unknown_format(name)
    if kind == "whatsapp":
        return [whatsapp.parse(text, name=name, title=title)]
    if kind == "csv":
        return tabular.parse(text, name=name, mapping=mapping, title=title)
    return jsonfile.parse(text, name=name, mapping=mapping, title=title)


def detect_format(text: str, *, name: str) -> str:
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return "csv"
    if suffix == ".json":
        return "json"
    if whatsapp.looks_like(text):
        return "whatsapp"
    start = text.lstrip()[:1]
    if start in ("[", "{"):
        return "json"
    lines = [ln for ln in text.splitlines()[:10] if ln.strip()]
    for delimiter in tabular.DELIMITERS:
        counts = {ln.count(delimiter) for ln in lines}
        if len(lines) >= 2 and len(counts) == 1 and 0 not in counts:
            return "csv"
    if suffix == ".txt":
        raise ImportFailed(_("{file}: no line looks like a WhatsApp message (\u201cdate time - "
                             "name: text\u201d), nor is it CSV or JSON.").format(file=name),
                           file=name)
    raise unknown_format(name)


def unknown_format(name: str) -> ImportFailed:
    return ImportFailed(_(
        "{file}: unknown format; AIDesk imports WhatsApp exports (.txt, or the .zip WhatsApp "
        "shares), CSV (.csv, .tsv) and JSON (.json) files.").format(file=name), file=name)


def too_big(name: str, size: int) -> ImportFailed:
    from aidesk.formats import number

    return ImportFailed(_(
        "{file} is {size} MB, over the {limit} MB an import reads; export a shorter period "
        "or without media.").format(file=name, size=number(size / 1024 / 1024, 1),
                                    limit=MAX_BYTES // 1024 // 1024), file=name)


def _read_folder(folder: Path, report: ImportReport, format: str | None,
                 mapping: Mapping[str, str] | None) -> None:
    files = sorted(_candidates(folder))
    if not files:
        raise ImportFailed(_("{file}: the folder holds no file to import (.txt, .csv, .tsv, "
                             ".json or .zip).").format(file=folder.name), file=folder.name)
    for path in files:
        try:
            if path.suffix.lower() == ".zip":
                _read_zip(path, report, format, mapping)
            else:
                report.conversations += read_file(path, format=format, mapping=mapping)
        except ImportFailed as exc:
            report.problems.append(exc)


def _candidates(folder: Path) -> list[Path]:
    """The files to import in `folder` and its subfolders (an unzipped iOS export), hidden
    ones and media left out; at most MAX_FILES, and no deeper than MAX_DEPTH (a folder
    picked by mistake, such as home, is not walked whole)."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        depth = len(Path(root).relative_to(folder).parts)
        dirs[:] = [] if depth >= MAX_DEPTH else sorted(
            d for d in dirs if not d.startswith(".") and d != "__MACOSX")
        found += [Path(root, n) for n in sorted(names)
                  if not n.startswith(".") and Path(n).suffix.lower() in EXTENSIONS]
        if len(found) >= MAX_FILES:
            break
    return found[:MAX_FILES]


def _read_zip(path: Path, report: ImportReport, format: str | None,
              mapping: Mapping[str, str] | None) -> None:
    if path.stat().st_size > MAX_BYTES * 4:
        raise too_big(path.name, path.stat().st_size)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ImportFailed(_("{file} is not a valid zip file.").format(file=path.name),
                           file=path.name) from None
    with archive:
        members = [i for i in archive.infolist() if not i.is_dir()
                   and PurePosixPath(i.filename).suffix.lower() in FILE_TYPES
                   and not any((p.startswith(".") and p != "..") or p == "__MACOSX"
                               for p in PurePosixPath(i.filename).parts)]
        if not members:
            raise ImportFailed(_("{file}: the zip holds no conversation (.txt, .csv or "
                                 ".json).").format(file=path.name), file=path.name)
        total = 0
        for info in members[:MAX_FILES]:
            label = f"{path.name}/{info.filename}"
            try:
                if ".." in PurePosixPath(info.filename).parts or info.filename.startswith("/"):
                    raise ImportFailed(_("{file}: refused, its name points outside the zip."
                                         ).format(file=label), file=label)
                total += info.file_size
                if info.file_size > MAX_BYTES:
                    raise too_big(label, info.file_size)
                if total > MAX_ZIP_TOTAL or (info.file_size > 1024 * 1024 and info.file_size
                                             > MAX_RATIO * max(1, info.compress_size)):
                    raise ImportFailed(_("{file}: refused, it expands to far more than the zip "
                                         "holds (a zip bomb?).").format(file=label), file=label)
                with archive.open(info) as member:
                    data = member.read(MAX_BYTES + 1)
                if len(data) > MAX_BYTES:
                    raise too_big(label, len(data))
                base = PurePosixPath(info.filename).name
                title = title_from_name(path.name) if base == "_chat.txt" else None
                report.conversations += parse_bytes(data, name=label, format=format,
                                                    mapping=mapping, title=title)
            except ImportFailed as exc:
                report.problems.append(exc)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError):  # encrypted, corrupt
                report.problems.append(ImportFailed(_(
                    "{file} could not be read from the zip (damaged or password-protected)."
                ).format(file=label), file=label))


def with_languages(convs: list[Conversation]) -> list[Conversation]:
    """The conversations with each text message's language detected (one batch for all)."""
    from aidesk.imports.language import detect

    texts = [m.text for c in convs for m in c.messages if m.kind == "text"]
    if not texts:
        return convs
    found = iter(detect(texts))
    out = []
    for c in convs:
        messages = tuple(ChatMessage(m.sender, m.time, m.text, m.kind, next(found), m.line)
                         if m.kind == "text" else m for m in c.messages)
        out.append(Conversation(c.title, c.source, c.format, messages, c.notes))
    return out
