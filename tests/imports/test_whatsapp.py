"""WhatsApp exports: Android and iOS, pt-BR and English, on the committed corpus."""

from __future__ import annotations

from datetime import datetime

import pytest

from aidesk.imports import ImportFailed, parse_text, read_path
from aidesk.imports.whatsapp_phrases import title_from_name
from tests.imports import ANDROID_EN, ANDROID_PT, GROUP_PT, IOS_EN, IOS_PT


def kinds(path: object) -> list[tuple[str, str, str]]:
    conv = read_path(path, detect_language=False)[0]  # type: ignore[arg-type]
    return [(m.kind, m.sender, m.text) for m in conv.messages]


def test_android_pt_br() -> None:
    conv = read_path(ANDROID_PT, detect_language=False)[0]
    assert (conv.title, conv.source, conv.format) == (
        "Maria Souza", "Conversa do WhatsApp com Maria Souza.txt", "whatsapp")
    assert conv.people == ("Maria Souza", "Agência Aurora")
    assert len(conv.messages) == 15
    first, hello = conv.messages[0], conv.messages[1]
    assert first.kind == "system" and first.sender == ""
    assert first.text.startswith("As mensagens e as ligações são protegidas com a criptografia")
    assert (hello.sender, hello.time, hello.line) == ("Maria Souza", datetime(2024, 1, 15, 9, 2), 2)
    assert hello.text == "Bom dia! Tudo bem? Aqui é a Maria, da Padaria Pão Quente 😊"
    idea = conv.messages[3]
    assert idea.text == ("Queria fazer uma campanha para o Dia dos Namorados.\nA ideia é:\n"
                         "- posts no Instagram\n- stories com enquete\n\n"
                         "- anúncio no Google para o bairro")
    assert idea.line == 4 and conv.messages[4].line == 10
    assert [(m.kind, m.text) for m in conv.messages if m.kind == "media"] == [
        ("media", "<Mídia oculta>"),
        ("media", "IMG-20240116-WA0003.jpg (arquivo anexado)\nEssa é a vitrine nova"),
        ("media", "PROPOSTA-AURORA-PADARIA.pdf (arquivo anexado)")]
    deleted = [(m.sender, m.text) for m in conv.messages if m.kind == "system"][1:]
    assert deleted == [("Maria Souza", "Esta mensagem foi apagada"),
                       ("Agência Aurora", "Você apagou esta mensagem")]
    edited = conv.messages[8]
    assert edited.text == "O orçamento pode ser de até R$ 3.000,00 por mês?"  # marker dropped
    assert conv.messages[-1].time == datetime(2024, 1, 22, 8, 16)


def test_android_en_us_12_hour_clock_and_month_first() -> None:
    conv = read_path(ANDROID_EN, detect_language=False)[0]
    assert conv.title == "John Carter"
    times = {m.line: m.time for m in conv.messages}
    assert times[1] == datetime(2024, 1, 15, 9, 2)
    assert times[8] == datetime(2024, 1, 15, 12, 30)  # "12:30\u202fPM": noon
    assert times[10] == datetime(2024, 1, 16, 13, 15)  # U+202F before PM, newer Android
    assert times[12] == datetime(2024, 1, 16, 23, 59)
    assert times[13] == datetime(2024, 1, 23, 10, 0)  # "10:00 a.m."
    assert times[15] == datetime(2024, 1, 23, 12, 5)  # "12:05 p.m."
    system = [m.text for m in conv.messages if m.kind == "system" and not m.sender]
    assert system == [
        "Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
        "WhatsApp, can read or listen to them. Tap to learn more.",
        'John Carter created group "Launch: São Paulo store"', "John Carter added you",
        "John Carter added Mike Ross",
        'John Carter changed the subject from "Launch: São Paulo store" to "Launch: SP"',
        "Mike Ross left"]
    assert conv.people == ("Agência Aurora", "John Carter", "Mike Ross")
    assert ("media", "John Carter", "<Media omitted>") in kinds(ANDROID_EN)
    assert ("media", "Agência Aurora", "Proposal-Aurora.pdf (file attached)") in kinds(ANDROID_EN)
    assert ("system", "Mike Ross", "This message was deleted") in kinds(ANDROID_EN)
    five = next(m for m in conv.messages if m.line == 5)
    assert five.text == ("We're opening a store in São Paulo next month\nand we need a launch "
                         "campaign.\nBudget is around USD 5,000.")


def test_ios_pt_br_with_invisible_marks() -> None:
    conv = read_path(IOS_PT, detect_language=False)[0]
    assert conv.title == "Padaria Pão Quente"  # _chat.txt: the export folder's name
    assert conv.source == "WhatsApp Chat - Padaria Pão Quente/_chat.txt"
    assert all("\u200e" not in m.text and "\u200e" not in m.sender for m in conv.messages)
    assert conv.messages[0].kind == "system" and conv.messages[0].sender == ""
    assert conv.messages[1].time == datetime(2024, 1, 15, 9, 2, 11)
    media = [m.text for m in conv.messages if m.kind == "media"]
    assert media == ["imagem ocultada", "<anexado: 00000012-PHOTO-2024-01-15-09-04-02.jpg>",
                     "áudio ocultado",
                     "Proposta Aurora.pdf • 3 páginas <anexado: 00000015-Proposta Aurora.pdf>",
                     "figurinha omitida", "vídeo omitido", "documento omitido"]
    assert ("system", "Padaria Pão Quente", "Esta mensagem foi apagada.") in kinds(IOS_PT)
    assert ("system", "Padaria Pão Quente", "Chamada de voz perdida") in kinds(IOS_PT)
    listing = next(m for m in conv.messages if m.line == 7)
    assert listing.text.endswith("também:\n1) cardápio novo\n2) fotos dos produtos\n"
                                 "3) horário de funcionamento")
    assert conv.people == ("Padaria Pão Quente", "Agência Aurora")


def test_ios_en_12_hour_clock_with_narrow_space_and_windows_line_ends() -> None:
    conv = read_path(IOS_EN, detect_language=False)[0]
    assert conv.title == "Sarah Miller"
    assert [m.time for m in conv.messages][4:6] == [datetime(2024, 1, 15, 13, 6, 15),
                                                    datetime(2024, 1, 15, 13, 10)]
    assert conv.messages[5].text == ("Sure. We sell handmade candles online.\nOur main markets "
                                     "are:\n- United States\n- Brazil (starting this year)")
    assert [m.text for m in conv.messages if m.kind == "media"] == [
        "image omitted", "<attached: 00000012-PHOTO-2024-01-15-09-04-02.jpg>",
        "sticker omitted", "audio omitted"]
    assert [m.text for m in conv.messages if m.kind == "system" and m.sender] == [
        "This message was deleted.", "Missed voice call"]
    assert not any("\r" in m.text for m in conv.messages)


def test_group_notices_are_kept_apart() -> None:
    conv = read_path(GROUP_PT, detect_language=False)[0]
    system = [m.text for m in conv.messages if m.kind == "system" and not m.sender]
    assert system[1:] == [
        'Agência Aurora criou o grupo "Campanha: Verão 2024"',  # ": " inside the quotes
        "Agência Aurora adicionou Maria Souza",
        "Agência Aurora adicionou Carlos Lima e Beatriz Rocha",
        "Agência Aurora mudou a imagem deste grupo", "Carlos Lima saiu",
        'Agência Aurora mudou o nome do grupo de "Campanha: Verão 2024" para "Verão 24"',
        "Beatriz Rocha entrou usando o link de convite deste grupo",
        "Agência Aurora removeu Beatriz Rocha",
        "O código de segurança de Maria Souza mudou. Toque para saber mais."]
    said = [(m.sender, m.text) for m in conv.messages if m.kind == "text"]
    assert said[2] == ("Agência Aurora", "Combinado: primeira versão na quarta, ajustes até sexta.")
    assert conv.people == ("Maria Souza", "Carlos Lima", "Agência Aurora", "Beatriz Rocha")
    assert conv.messages[-3].time == datetime(2024, 3, 13, 16, 45)


@pytest.mark.parametrize(("text", "name", "expected"), [
    # no field over 12, dates go forward either way: the notices' language decides
    ("01/02/24 10:00 - Ana: <Mídia oculta>\n02/03/24 10:00 - Ana: oi\n",
     "chat.txt", datetime(2024, 2, 1, 10)),
    ("01/02/24, 10:00 AM - Ann: <Media omitted>\n02/03/24, 10:00 AM - Ann: hi\n",
     "chat.txt", datetime(2024, 1, 2, 10)),
    # English on a 24-hour clock is British: day first
    ("01/02/2024 10:00 - Ann: <Media omitted>\n02/03/2024 10:00 - Ann: hi\n",
     "chat.txt", datetime(2024, 2, 1, 10)),
    # nothing to tell: day first, as Brazil writes dates
    ("01/02/2024 10:00 - Ana: oi\n02/03/2024 10:00 - Ana: tudo bem\n",
     "chat.txt", datetime(2024, 2, 1, 10)),
    # the file name is a hint too
    ("01/02/24, 10:00 AM - Ann: hi\n02/03/24, 10:00 AM - Ann: hello\n",
     "WhatsApp Chat with Ann.txt", datetime(2024, 1, 2, 10)),
    # dates only go forward read month-first (Jan 5, Jan 10, Feb 2): that decides
    ("01/05/2024 10:00 - Ana: oi\n01/10/2024 10:00 - Ana: oi\n02/02/2024 10:00 - Ana: oi\n",
     "chat.txt", datetime(2024, 1, 5, 10)),
    # a day over 12 anywhere in the file decides for every line
    ("03/04/2024 10:00 - Ana: oi\n04/04/2024 10:00 - Ana: oi\n20/04/2024 10:00 - Ana: oi\n",
     "chat.txt", datetime(2024, 4, 3, 10)),
    ("03/04/2024, 9:00 PM - Ann: hi\n03/20/2024, 9:00 PM - Ann: hi\n",
     "chat.txt", datetime(2024, 3, 4, 21)),
    # year first (some phones), dots
    ("2024-03-04 10:00 - Ana: oi\n", "chat.txt", datetime(2024, 3, 4, 10)),
    ("[04.03.24, 10:00:05] Ana: oi\n", "chat.txt", datetime(2024, 3, 4, 10, 0, 5)),
    ("04/03/2024, 12:15 a. m. - Ana: oi\n", "chat.txt", datetime(2024, 3, 4, 0, 15)),
])
def test_day_or_month_first_from_the_whole_file(text: str, name: str,
                                                 expected: datetime) -> None:
    conv = parse_text(text, name=name, format="whatsapp")[0]
    assert conv.messages[0].time == expected


def test_a_pasted_line_with_an_impossible_date_stays_in_its_message() -> None:
    text = ("15/01/2024 10:00 - Ana: veja o log:\n31/02/2024 10:00 - erro no servidor\n"
            "15/01/2024 10:05 - Bia: ok\n")
    conv = parse_text(text, name="chat.txt")[0]
    assert [(m.sender, m.text) for m in conv.messages] == [
        ("Ana", "veja o log:\n31/02/2024 10:00 erro no servidor"), ("Bia", "ok")]


def test_a_file_without_message_lines_is_refused() -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_text("Reunião de pauta\n\n- item 1\n", name="notas.txt", format="whatsapp")
    assert str(caught.value) == ("notas.txt: no line looks like a WhatsApp message (\u201cdate "
                                 "time - name: text\u201d); is it a WhatsApp export?")
    assert caught.value.file == "notas.txt"


@pytest.mark.parametrize(("name", "title"), [
    ("Conversa do WhatsApp com Maria Souza.txt", "Maria Souza"),
    ("WhatsApp Chat with John.txt", "John"),
    ("WhatsApp Chat - Padaria Pão Quente.zip", "Padaria Pão Quente"),
    ("Conversa do WhatsApp com Maria Souza (1).txt", "Maria Souza"),
    ("Chat de WhatsApp con Carlos.txt", "Carlos"),
    ("C:\\Users\\ana\\Downloads\\WhatsApp Chat with Ann.txt", "Ann"),
    ("export-crm.csv", "export-crm"),
])
def test_title_from_the_file_name(name: str, title: str) -> None:
    assert title_from_name(name) == title
