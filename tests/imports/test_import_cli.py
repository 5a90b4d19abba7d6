"""`aidesk import`, run in-process through aidesk.cli.main."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from aidesk.cli import main
from tests.imports import ANDROID_PT, CORPUS, IOS_EN


@pytest.fixture(autouse=True)
def _isolated(data_dir: Path) -> None:
    """A fresh data directory: no saved `ui.language` from the machine's own database."""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["import", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_prints_the_messages(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(ANDROID_PT))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "== Maria Souza (Conversa do WhatsApp com Maria Souza.txt, 15 messages)"
    assert lines[1].startswith("1/15/24, 9:02\u202fAM  * As mensagens e as ligações")
    assert lines[2] == ("1/15/24, 9:02\u202fAM  Maria Souza: Bom dia! Tudo bem? Aqui é a Maria, "
                        "da Padaria Pão Quente 😊")
    assert lines[4:10] == [
        "1/15/24, 9:07\u202fAM  Maria Souza: Queria fazer uma campanha para o Dia dos Namorados.",
        "                  A ideia é:", "                  - posts no Instagram",
        "                  - stories com enquete", "",
        "                  - anúncio no Google para o bairro"]
    assert lines[10] == "1/15/24, 9:08\u202fAM  Maria Souza: [media] <Mídia oculta>"


def test_dates_in_the_users_language(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "pt_BR")
    code = main(["import", "--no-language", str(IOS_EN)])
    out = capsys.readouterr().out
    assert code == 0
    assert out.splitlines()[6].startswith("15/01/2024 13:10  Sarah Miller: Sure.")


def test_json_for_one_conversation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, str(ANDROID_PT), "--json")
    data = json.loads(out)
    assert code == 0 and len(data) == 15
    assert data[1] == {"sender": "Maria Souza", "time": "2024-01-15T09:02:00",
                       "text": "Bom dia! Tudo bem? Aqui é a Maria, da Padaria Pão Quente 😊",
                       "kind": "text", "language": "pt", "line": 2}
    assert data[4]["kind"] == "media" and data[4]["language"] is None


def test_json_for_several_and_a_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, str(CORPUS / "csv" / "exportacao-crm.csv"), "--json",
                          "--map", "sender=Remetente,text=Mensagem", "--map",
                          "time=Data+Hora,conversation=Conversa", "--no-language")
    data = json.loads(out)
    assert code == 0
    assert [(c["title"], len(c["messages"])) for c in data] == [
        ("Padaria Pão Quente", 3), ("Clínica Sorriso", 4)]
    assert data[0]["notes"] == ["The file was not UTF-8; it was read as Windows-1252."]
    assert data[1]["messages"][0]["time"] == "2024-01-16T14:00:00"


def test_a_bad_file_exits_1_with_one_sentence(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    code, out, err = run(capsys, str(CORPUS / "bad" / "linha-curta.csv"))
    assert (code, out) == (1, "")
    assert err == ("aidesk: linha-curta.csv, line 4: 1 column where 3 were expected; is this "
                   "line written with another delimiter?\n")
    big = tmp_path / "grande.txt"
    with big.open("wb") as f:
        f.truncate(51 * 1024 * 1024)
    code, _out, err = run(capsys, str(big))
    assert code == 1 and err == ("aidesk: grande.txt is 51.0 MB, over the 50 MB an import reads; "
                                 "export a shorter period or without media.\n")


def test_a_folder_prints_the_good_and_lists_the_bad(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    shutil.copy(ANDROID_PT, tmp_path)
    shutil.copy(CORPUS / "bad" / "empty.txt", tmp_path)
    shutil.copy(CORPUS / "encoding" / "Conversa do WhatsApp com Maria Souza (Mac Roman mixed).txt",
                tmp_path / "Conversa do WhatsApp com Ana.txt")
    code, out, err = run(capsys, str(tmp_path), "--no-language")
    assert code == 1
    assert [ln for ln in out.splitlines() if ln.startswith("==")] == [
        "== Ana (Conversa do WhatsApp com Ana.txt, 15 messages)",
        "== Maria Souza (Conversa do WhatsApp com Maria Souza.txt, 15 messages)"]
    assert err.splitlines() == [
        "aidesk: note: Conversa do WhatsApp com Ana.txt: Encoding repaired on 5 lines: the text "
        "was UTF-8 read as Mac Roman.", "aidesk: empty.txt is empty."]


def test_a_whatsapp_zip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Sarah Miller.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("_chat.txt", IOS_EN.read_bytes())
        z.writestr("00000012-PHOTO-2024-01-15-09-04-02.jpg", b"\xff\xd8")
    code, out, _err = run(capsys, str(path), "--json", "--no-language")
    assert code == 0 and json.loads(out)[1]["sender"] == "Sarah Miller"


@pytest.mark.parametrize(("argv", "message"), [
    (["--map", "sender"], "aidesk: --map takes KEY=COLUMN pairs separated by commas, e.g. "
                          "--map sender=remetente,text=mensagem.\n"),
    (["--map", "lead=nome"], "aidesk: --map: \u201clead\u201d is not a field to map; the keys "
                             "are sender, time, text, conversation.\n"),
])
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                             message: str) -> None:
    code, out, err = run(capsys, str(ANDROID_PT), *argv)
    assert (code, out, err) == (2, "", message)
    with pytest.raises(SystemExit) as stopped:  # argparse's own errors end the process
        run(capsys, str(ANDROID_PT), "--format", "xml")
    assert stopped.value.code == 2 and "invalid choice: 'xml'" in capsys.readouterr().err
