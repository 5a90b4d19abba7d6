"""JSON exports: the shapes accepted, and the files refused."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from aidesk.imports import ImportFailed, parse_text, read_path
from tests.imports import CORPUS

JSON = CORPUS / "json"


def test_a_list_of_messages_with_epoch_ms_media_and_telegram_text_parts(sao_paulo: None) -> None:
    conv = read_path(JSON / "mensagens-lista.json", detect_language=False)[0]
    assert (conv.title, conv.format) == ("mensagens-lista", "json")
    assert [(m.sender, m.time, m.kind, m.line) for m in conv.messages] == [
        ("Ana Lima", datetime(2024, 1, 15, 7, 0), "text", 1),
        ("Agência Aurora", datetime(2024, 1, 15, 7, 5), "text", 2),
        ("Ana Lima", datetime(2024, 1, 15, 7, 10), "media", 3),
        ("Ana Lima", datetime(2024, 1, 15, 7, 11), "text", 4)]
    assert conv.messages[2].text == "print-painel.png"
    assert conv.messages[3].text == ("Urgente: o CPC subiu muito na última semana, o que "
                                     "aconteceu?")


def test_one_conversation_with_its_contact() -> None:
    conv = read_path(JSON / "conversa-crm.json", detect_language=False)[0]
    assert conv.title == "Padaria Pão Quente"
    assert [(m.kind, m.sender, m.time) for m in conv.messages] == [
        ("text", "Maria Souza", datetime(2024, 1, 15, 9, 2)),
        ("text", "Agência Aurora", datetime(2024, 1, 15, 9, 5)),
        ("media", "Maria Souza", datetime(2024, 1, 15, 9, 7)),
        ("system", "", datetime(2024, 1, 15, 9, 8))]


def test_crm_conversations_with_contact_objects_and_offsets(sao_paulo: None) -> None:
    sarah, carlos = read_path(JSON / "crm-conversas.json", detect_language=False)
    assert (sarah.title, carlos.title) == ("Sarah Miller", "Carlos Méndez")
    assert sarah.messages[0].sender == "Sarah Miller"
    assert sarah.messages[0].time == datetime(2024, 3, 1, 12, 0)  # -03:00 is São Paulo time
    assert carlos.messages[1].text == "¡Claro! Envíanos el briefing y el presupuesto, por favor."


@pytest.mark.parametrize("data", [
    {"chats": {"list": [{"name": "Ana", "messages": [
        {"from": "Ana", "date": "2024-03-15T14:30:00", "text": "Oi!", "type": "message"},
        {"date": "2024-03-15T14:31:00", "type": "service", "text": "Ana pinned a message"}]}]}},
    [{"contact": "Ana", "messages": [
        {"author": "Ana", "time": "15/03/2024 14:30", "message": "Oi!"},
        {"author": "", "time": "15/03/2024 14:31", "message": "Ana pinned a message",
         "type": "system"}]}],
    [{"chat_id": "Ana", "sender": "Ana", "created_at": "2024-03-15 14:30", "body": "Oi!"},
     {"chat_id": "Ana", "sender": "x", "created_at": "2024-03-15 14:31",
      "body": "Ana pinned a message", "type": "notification"}],
])
def test_other_shapes(data: object) -> None:
    convs = parse_text(json.dumps(data), name="export.json")
    assert [(c.title, [(m.kind, m.sender, m.text, m.time) for m in c.messages])
            for c in convs] == [("Ana", [
                ("text", "Ana", "Oi!", datetime(2024, 3, 15, 14, 30)),
                ("system", "", "Ana pinned a message", datetime(2024, 3, 15, 14, 31))])]


def test_a_mapping_names_other_fields() -> None:
    data = [{"quem": "Ana", "msg_txt": "Oi!", "ts": 1710523800}]
    conv = parse_text(json.dumps(data), name="x.json",
                      mapping={"sender": "quem", "text": "msg_txt", "time": "ts"})[0]
    assert [(m.sender, m.text) for m in conv.messages] == [("Ana", "Oi!")]
    assert conv.messages[0].time == datetime.fromtimestamp(1710523800)


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(ImportFailed) as caught:
        read_path(CORPUS / "bad" / "quebrado.json")
    assert str(caught.value) == ("quebrado.json, line 4, column 46: not valid JSON (Expecting "
                                 "',' delimiter).")
    assert caught.value.line == 4


@pytest.mark.parametrize("data", [{"version": 2}, [1, 2, 3], [{"id": 1, "score": 3}], "text"])
def test_no_known_shape(data: object) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_text(json.dumps(data), name="x.json")
    assert str(caught.value).startswith("x.json: no messages found; the JSON is none of the "
                                        "shapes known")


def test_a_bad_time_names_the_message() -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_text(json.dumps([{"from": "Ana", "date": "amanhã", "text": "Oi"}]), name="x.json")
    assert str(caught.value) == ("x.json, message 1: \u201camanhã\u201d is not a date and time "
                                 "this import reads (e.g. 2024-03-15T14:30:00 or 15/03/2024 "
                                 "14:30).")
