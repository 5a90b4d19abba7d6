"""Encodings: detected, mojibake repaired line by line and segment by segment, or refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidesk.imports import ImportFailed, read_path
from aidesk.imports.encoding import MOJIBAKE, decode, repair
from tests.imports import ANDROID_PT, CORPUS

ENCODING = CORPUS / "encoding"
NAME = "Conversa do WhatsApp com Maria Souza"


def texts(path: Path) -> list[tuple[str, str]]:
    return [(m.sender, m.text) for m in read_path(path, detect_language=False)[0].messages]


def test_utf16_as_windows_writes_it() -> None:
    path = ENCODING / f"{NAME} (UTF-16).txt"
    assert path.read_bytes()[:2] == b"\xff\xfe"
    conv = read_path(path, detect_language=False)[0]
    assert texts(path) == texts(ANDROID_PT)
    assert conv.notes == ()


def test_utf16_without_bom() -> None:
    data = ANDROID_PT.read_text(encoding="utf-8").encode("utf-16-le")
    assert decode(data, name="x.txt").text == ANDROID_PT.read_text(encoding="utf-8")
    big_endian = ANDROID_PT.read_text(encoding="utf-8").encode("utf-16-be")
    assert decode(big_endian, name="x.txt").encoding == "utf_16_be"


def test_latin1_mojibake_is_repaired_with_a_note() -> None:
    path = ENCODING / f"{NAME} (latin-1 mojibake).txt"
    assert "orÃ§amento" in path.read_text(encoding="utf-8")
    conv = read_path(path, detect_language=False)[0]
    assert texts(path) == texts(ANDROID_PT)
    assert conv.notes == ("Encoding repaired on 15 lines: the text was UTF-8 read as "
                          "Windows-1252.",)


def test_mac_roman_mojibake_on_some_lines_only() -> None:
    path = ENCODING / f"{NAME} (Mac Roman mixed).txt"
    raw = path.read_text(encoding="utf-8")
    assert "√©" in raw and "é" in raw  # good and broken lines in one file
    conv = read_path(path, detect_language=False)[0]
    assert texts(path) == texts(ANDROID_PT)
    assert conv.notes == ("Encoding repaired on 5 lines: the text was UTF-8 read as Mac Roman.",)


def test_a_file_really_in_windows_1252() -> None:
    path = ENCODING / f"{NAME} (cp1252).txt"
    conv = read_path(path, detect_language=False)[0]
    assert conv.messages[2].text == "Bom dia, Maria! Tudo ótimo por aqui. Em que podemos ajudar?"
    assert conv.messages[1].text.endswith("Padaria Pão Quente :)")
    assert conv.notes == ("The file was not UTF-8; it was read as Windows-1252.",)


def test_the_seed_file_comes_out_clean() -> None:
    """It mixes lines ftfy repairs on its own with lines it leaves (\"An√°lise\")."""
    import ftfy

    raw = (ENCODING / "seed-mixed-macroman.md").read_text(encoding="utf-8")
    plain = ftfy.fix_text(raw)
    assert "An√°lise de Sentimento" in plain  # what a whole-text fix leaves behind
    decoded = decode(raw.encode("utf-8"), name="seed.md")
    assert "An√°lise" not in decoded.text and "√" not in decoded.text
    assert "\uf8ff" not in decoded.text and MOJIBAKE.search(decoded.text) is None
    lines = decoded.text.split("\n")
    assert lines[0] == "# 🚀 SESSÃO D - PRÓXIMA IMPLEMENTAÇÃO"
    assert lines[2] == "**Preparado por:** Sessão C"
    assert "#### 9. Análise de Sentimento" in lines
    assert "### ⚙️ MÉDIA PRIORIDADE (Melhorias do Sistema)" in lines  # an emoji + U+FE0F
    assert decoded.notes == ("Encoding repaired on 131 lines: the text was UTF-8 read as "
                             "Mac Roman.",)


def test_mojibake_left_after_repair_fails_the_file_naming_the_line() -> None:
    path = ENCODING / f"{NAME} (broken).txt"
    with pytest.raises(ImportFailed) as caught:
        read_path(path, detect_language=False)
    assert caught.value.line == 2 and caught.value.file == path.name
    assert str(caught.value) == (
        f"{path.name}, line 2: the text still looks garbled after repairing its encoding "
        "(\u201ce disse \u201cadoreiâ€, e aprovou na\u201d); export the file again as UTF-8.")


def test_characters_lost_before_the_export_get_a_note() -> None:
    conv = read_path(ENCODING / f"{NAME} (lost bytes).txt", detect_language=False)[0]
    assert conv.messages[1].text == "A reuni\ufffdo foi ótima"
    assert conv.notes == ("Line 2 has characters lost before the export (shown as \ufffd); the "
                          "rest was imported as written.",)


@pytest.mark.parametrize(("broken", "fixed"), [
    ("SessÃ£o", "Sessão"), ("Sess√£o", "Sessão"), ("Ã§Ã£o", "ção"),
    ("SessÃƒÂ£o", "Sessão"),  # mis-read twice
    ("Preço: 1Âº lugar", "Preço: 1º lugar"),  # good and broken in one word's line
    ("Olá, a reunião é às 15h ‚úÖ e a Sess√£o às 16h",
     "Olá, a reunião é às 15h ✅ e a Sessão às 16h"),
    ("\uf8ffüöÄ lançamento", "🚀 lançamento"),
    ("IRMÃ E SÃO PAULO", "IRMÃ E SÃO PAULO"),  # real capitals stay
])
def test_repair_per_segment(broken: str, fixed: str) -> None:
    assert repair(broken, name="x.txt")[0] == fixed


def test_empty_and_binary_files(tmp_path: Path) -> None:
    for data, sentence in [
        (b"", "empty.txt is empty."), (b" \r\n\n", "empty.txt is empty."),
        (b"\xef\xbb\xbf\n", "empty.txt is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "empty.txt is not a text file (it holds "
         "binary data); export the conversation as text, CSV or JSON."),
        (bytes(range(1, 32)) * 20, "empty.txt is not a text file (it holds binary data); "
         "export the conversation as text, CSV or JSON."),
    ]:
        path = tmp_path / "empty.txt"
        path.write_bytes(data)
        with pytest.raises(ImportFailed) as caught:
            read_path(path)
        assert str(caught.value) == sentence, data
