"""Files, folders and zips: formats, limits, and what a bad file does to the others."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from aidesk.imports import MAX_BYTES, ImportFailed, read_many, read_path
from tests.imports import ANDROID_PT, CORPUS, IOS_PT


def test_a_file_over_50_mb_is_refused_before_it_is_read(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "Conversa do WhatsApp com Todo Mundo.txt"
    with path.open("wb") as f:  # sparse: 60 MB on paper, nothing on disk
        f.truncate(60 * 1024 * 1024)
    opened: list[Path] = []
    real_open = Path.open

    def watched(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", watched)
    with pytest.raises(ImportFailed) as caught:
        read_path(path)
    assert str(caught.value) == ("Conversa do WhatsApp com Todo Mundo.txt is 60.0 MB, over the 50 "
                                 "MB an import reads; export a shorter period or without media.")
    assert opened == []


def test_an_unknown_format_says_which_are_known(tmp_path: Path) -> None:
    path = tmp_path / "proposta.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImportFailed) as caught:
        read_path(path)
    assert str(caught.value) == ("proposta.docx: unknown format; AIDesk imports WhatsApp exports "
                                 "(.txt, or the .zip WhatsApp shares), CSV (.csv, .tsv) and JSON "
                                 "(.json) files.")
    with pytest.raises(ImportFailed) as caught:
        read_path(CORPUS / "bad" / "anotacoes.txt")
    assert str(caught.value) == ("anotacoes.txt: no line looks like a WhatsApp message (\u201cdate "
                                 "time - name: text\u201d), nor is it CSV or JSON.")


def test_format_detected_from_content_or_forced(tmp_path: Path) -> None:
    path = tmp_path / "exportado.txt"
    path.write_text("sender\ttext\nAna\tOi, tudo bem?\nBia\tTudo ótimo!\n", encoding="utf-8")
    assert read_path(path, detect_language=False)[0].format == "csv"
    path.write_text('[{"from": "Ana", "text": "Oi"}]', encoding="utf-8")
    assert read_path(path, detect_language=False)[0].format == "json"
    with pytest.raises(ImportFailed) as caught:
        read_path(ANDROID_PT, format="json")
    assert caught.value.line == 1 and "not valid JSON" in str(caught.value)


def test_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        read_path(tmp_path / "nada.txt")
    assert str(caught.value) == f"{tmp_path / 'nada.txt'} does not exist."


def test_a_folder_imports_the_good_files_and_lists_the_bad(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    shutil.copytree(CORPUS / "whatsapp", folder)
    shutil.copy(CORPUS / "bad" / "quebrado.json", folder)
    (folder / "foto.jpg").write_bytes(b"\xff\xd8\xff")  # media beside the chats: skipped
    (folder / ".DS_Store").write_bytes(b"\x00\x00")
    report = read_many(folder, detect_language=False)
    assert sorted(c.title for c in report.conversations) == [
        "Campanha Verão 24", "John Carter", "Maria Souza", "Padaria Pão Quente", "Sarah Miller"]
    assert [(p.file, p.line) for p in report.problems] == [("quebrado.json", 4)]
    assert [c.title for c in read_path(folder, detect_language=False)] == [
        c.title for c in report.conversations]


def test_a_folder_with_only_bad_files_raises_the_first(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "bad" / "empty.txt", tmp_path)
    shutil.copy(CORPUS / "bad" / "foto.txt", tmp_path)
    with pytest.raises(ImportFailed) as caught:
        read_path(tmp_path)
    assert str(caught.value) == "empty.txt is empty."
    assert len(read_many(tmp_path).problems) == 2
    empty = tmp_path / "vazia"
    (empty / "a" / "b" / "c").mkdir(parents=True)
    shutil.copy(ANDROID_PT, empty / "a" / "b" / "c")  # three folders down: not looked at
    with pytest.raises(ImportFailed) as caught:
        read_path(empty)
    assert str(caught.value) == ("vazia: the folder holds no file to import (.txt, .csv, .tsv, "
                                 ".json or .zip).")
    shutil.copy(ANDROID_PT, empty / "a" / "b")
    assert [c.source for c in read_path(empty, detect_language=False)] == [ANDROID_PT.name]


def whatsapp_zip(path: Path, chat_name: str, chat: bytes, *extra: tuple[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(chat_name, chat)
        for name, data in extra:
            z.writestr(name, data)
    return path


def test_ios_zip_with_media_is_titled_from_the_zip(tmp_path: Path) -> None:
    path = whatsapp_zip(tmp_path / "WhatsApp Chat - Padaria Pão Quente.zip", "_chat.txt",
                        IOS_PT.read_bytes(),
                        ("00000012-PHOTO-2024-01-15-09-04-02.jpg", b"\xff\xd8\xff" * 100),
                        ("00000015-Proposta Aurora.pdf", b"%PDF-1.4"))
    conv = read_path(path, detect_language=False)[0]
    assert (conv.title, conv.source) == ("Padaria Pão Quente",
                                         "WhatsApp Chat - Padaria Pão Quente.zip/_chat.txt")
    assert len(conv.messages) == 15


def test_android_zip_is_titled_from_the_chat_file(tmp_path: Path) -> None:
    path = whatsapp_zip(tmp_path / "export (2).zip", ANDROID_PT.name, ANDROID_PT.read_bytes(),
                        ("IMG-20240116-WA0003.jpg", b"\xff\xd8\xff"))
    assert [c.title for c in read_path(path, detect_language=False)] == ["Maria Souza"]


def test_a_zip_with_a_bad_member_keeps_the_good_one(tmp_path: Path) -> None:
    path = whatsapp_zip(tmp_path / "varios.zip", ANDROID_PT.name, ANDROID_PT.read_bytes(),
                        ("../../etc/evil.txt", b"\x00\x01\x02binary"),
                        ("__MACOSX/._chat.txt", b"\x00\x05\x16\x07"))
    report = read_many(path, detect_language=False)
    assert [c.title for c in report.conversations] == ["Maria Souza"]
    assert [str(p) for p in report.problems] == [
        "varios.zip/../../etc/evil.txt: refused, its name points outside the zip."]
    assert not (tmp_path.parent.parent / "etc" / "evil.txt").exists()  # nothing extracted


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    path = whatsapp_zip(tmp_path / "bomba.zip", "_chat.txt", b"0" * (MAX_BYTES + 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportFailed) as caught:
        read_path(path)
    assert str(caught.value) == ("bomba.zip/_chat.txt is 50.0 MB, over the 50 MB an import reads; "
                                 "export a shorter period or without media.")
    small_bomb = whatsapp_zip(tmp_path / "menor.zip", "_chat.txt", b"0" * (20 * 1024 * 1024))
    with pytest.raises(ImportFailed) as caught:
        read_path(small_bomb)
    assert str(caught.value) == ("menor.zip/_chat.txt: refused, it expands to far more than the "
                                 "zip holds (a zip bomb?).")


def test_not_a_zip_and_a_zip_without_chats(tmp_path: Path) -> None:
    fake = tmp_path / "chat.zip"
    fake.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_path(fake)
    assert str(caught.value) == "chat.zip is not a valid zip file."
    photos = whatsapp_zip(tmp_path / "fotos.zip", "IMG-1.jpg", b"\xff\xd8\xff")
    with pytest.raises(ImportFailed) as caught:
        read_path(photos)
    assert str(caught.value) == "fotos.zip: the zip holds no conversation (.txt, .csv or .json)."
