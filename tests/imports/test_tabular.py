"""CSV exports: delimiters, headers, mappings, grouping, and the lines that break them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aidesk.imports import ImportFailed, csv_columns, csv_preview, parse_text, read_path
from tests.imports import CORPUS

CSV = CORPUS / "csv"
BAD = CORPUS / "bad"


def test_excel_brazil_semicolons_windows_1252_and_split_date_time() -> None:
    path = CSV / "exportacao-crm.csv"
    assert csv_columns(path) == (["Data", "Hora", "Remetente", "Mensagem", "Conversa"],
                                 {"sender": "Remetente", "time": "Data+Hora",
                                  "text": "Mensagem", "conversation": "Conversa"})
    assert csv_preview(path, rows=1)[2] == [["15/01/2024", "09:02", "Maria Souza", "Bom dia! "
                                             "Gostaria de um orçamento para gestão de redes "
                                             "sociais.", "Padaria Pão Quente"]]
    padaria, clinica = read_path(path, detect_language=False)
    assert (padaria.title, clinica.title) == ("Padaria Pão Quente", "Clínica Sorriso")
    assert padaria.format == "csv" and padaria.source == "exportacao-crm.csv"
    assert [(m.sender, m.time, m.line) for m in padaria.messages] == [
        ("Maria Souza", datetime(2024, 1, 15, 9, 2), 2),
        ("Agência Aurora", datetime(2024, 1, 15, 9, 10), 3),
        ("Maria Souza", datetime(2024, 1, 15, 9, 15), 4)]
    assert padaria.messages[2].text == "Até R$ 3.000,00; preciso de posts e anúncios"
    assert clinica.messages[2].text == "Pode ser quinta às 10h.\nEndereço: Av. Paulista, 1000"
    assert clinica.messages[2].line == 8  # the empty row (line 7) is skipped, not counted
    assert (clinica.messages[3].kind, clinica.messages[3].line) == ("media", 10)
    assert padaria.notes == ("The file was not UTF-8; it was read as Windows-1252.",)


def test_commas_with_bom_quotes_and_utc_times(sao_paulo: None) -> None:
    path = CSV / "helpdesk-tickets.csv"
    first, second = read_path(path, detect_language=False)
    assert (first.title, second.title) == ("T-1001", "T-1002")
    assert first.messages[0].sender == "Sarah Miller"
    assert first.messages[0].text == ("Hi, we need a quote for a product launch, budget around "
                                      "$10,000")
    assert first.messages[0].time == datetime(2024, 3, 1, 9, 0)  # 12:00Z in São Paulo
    assert second.messages[1].text == "¡Claro, Carlos! Envíanos el briefing, por favor."


def test_tabs_and_epoch_seconds_or_milliseconds(sao_paulo: None) -> None:
    conv = read_path(CSV / "chat-export.tsv", detect_language=False)[0]
    assert conv.title == "chat-export"
    assert [m.time for m in conv.messages] == [datetime(2024, 1, 15, 7, 0),
                                               datetime(2024, 1, 15, 7, 5)]


def test_pipes() -> None:
    conv = read_path(CSV / "mensagens-pipe.csv", detect_language=False)[0]
    assert [(m.sender, m.time) for m in conv.messages] == [
        ("Beatriz Rocha", datetime(2024, 2, 3, 10, 0)),
        ("Agência Aurora", datetime(2024, 2, 3, 10, 15))]


def test_mapping_by_name_or_number_overrides_the_guess() -> None:
    text = ("quem;quando;Mensagem;canal\nAna;15/03/2024 14:30;Oi!;site\n"
            "Bia;15/03/2024 14:31;Olá;app\n")
    guessed = parse_text(text, name="x.csv")[0]
    assert guessed.messages[0].sender == "Ana" and guessed.messages[0].text == "Oi!"  # "quem"
    mapped = parse_text(text, name="x.csv", mapping={"text": "3", "sender": "CANAL",
                                                     "time": "Quando"})
    assert [(m.sender, m.text, m.time) for m in mapped[0].messages] == [
        ("site", "Oi!", datetime(2024, 3, 15, 14, 30)),
        ("app", "Olá", datetime(2024, 3, 15, 14, 31))]


def test_a_file_without_header_has_numbered_columns(tmp_path: Path) -> None:
    path = tmp_path / "sem-cabecalho.csv"
    path.write_text("Ana;2024-03-15 14:30;Oi, tudo bem?\nBia;2024-03-15 14:31;Tudo!\n",
                    encoding="utf-8")
    assert csv_columns(path) == (["1", "2", "3"], {})
    with pytest.raises(ImportFailed) as caught:
        read_path(path)
    assert str(caught.value) == ("sem-cabecalho.csv: no column holds the messages' text "
                                 "(columns: 1, 2, 3). Name it with --map text=COLUMN.")
    conv = read_path(path, mapping={"sender": "1", "time": "2", "text": "3"},
                     detect_language=False)[0]
    assert [(m.sender, m.text, m.line) for m in conv.messages] == [
        ("Ana", "Oi, tudo bem?", 1), ("Bia", "Tudo!", 2)]


def test_the_wrong_delimiter_is_named_with_its_line() -> None:
    with pytest.raises(ImportFailed) as caught:
        read_path(BAD / "contatos-dois-pontos.csv")
    assert str(caught.value) == (
        "contatos-dois-pontos.csv, line 1: only one column was found where the sender and the "
        "text were expected; separate the columns with ; , tab or |.")
    with pytest.raises(ImportFailed) as caught:
        read_path(BAD / "contatos-dois-pontos.csv",
                  mapping={"sender": "remetente", "text": "mensagem"})
    assert caught.value.line == 1
    with pytest.raises(ImportFailed) as caught:
        read_path(BAD / "linha-curta.csv")
    assert str(caught.value) == ("linha-curta.csv, line 4: 1 column where 3 were expected; is "
                                 "this line written with another delimiter?")
    assert caught.value.line == 4


def test_unknown_columns_and_times_are_named() -> None:
    text = "remetente,data,mensagem\nAna,ontem à tarde,Oi\n"
    with pytest.raises(ImportFailed) as caught:
        parse_text(text, name="x.csv")
    assert str(caught.value) == ("x.csv, line 2: \u201contem à tarde\u201d is not a date and "
                                 "time this import reads (e.g. 15/03/2024 14:30 or "
                                 "2024-03-15T14:30).")
    with pytest.raises(ImportFailed) as caught:
        parse_text(text, name="x.csv", mapping={"text": "corpo"})
    assert str(caught.value) == ("x.csv: there is no column \u201ccorpo\u201d (columns: "
                                 "remetente, data, mensagem).")
    with pytest.raises(ImportFailed) as caught:
        parse_text(text, name="x.csv", mapping={"texto": "mensagem"})
    assert str(caught.value) == ("x.csv: \u201ctexto\u201d is not a field to map (known: "
                                 "sender, time, text, conversation).")


def test_month_first_column_is_decided_from_every_row() -> None:
    text = "from,date,message\nAnn,03/04/2024 9:00 AM,hi\nBob,03/15/2024 1:30 PM,hello\n"
    conv = parse_text(text, name="x.csv")[0]
    assert [m.time for m in conv.messages] == [datetime(2024, 3, 4, 9, 0),
                                               datetime(2024, 3, 15, 13, 30)]


def test_a_partial_mapping_keeps_the_guess_for_the_other_columns() -> None:
    text = ("Remetente;Data;Corpo;Obs\nAna;15/03/2024 14:30;Oi!;lida\n")
    [conv] = parse_text(text, name="x.csv", mapping={"text": "Corpo"})
    assert [(m.sender, m.text, m.time) for m in conv.messages] == [
        ("Ana", "Oi!", datetime(2024, 3, 15, 14, 30))]
    # a column the user gave to one key is never guessed for another, by name or number
    [conv] = parse_text(text, name="x.csv", mapping={"text": "1"})
    assert [(m.sender, m.text) for m in conv.messages] == [("", "Ana")]
