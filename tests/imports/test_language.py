"""Language per message, detected locally with lingua: clear answers only."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from aidesk.imports import language, read_path
from tests.imports import ANDROID_EN, ANDROID_PT, IOS_PT


@pytest.mark.parametrize(("text", "expected"), [
    ("Bom dia! Vocês conseguem mandar o relatório da campanha até sexta?", "pt"),
    ("Perfeito, obrigada! Vou ler com calma hoje à noite.", "pt"),
    ("Could you send me the invoice for last month, please?", "en"),
    ("Gracias por la información, lo reviso mañana temprano", "es"),
    ("Merci beaucoup pour votre retour rapide", "fr"),
    ("Perfetto, ci sentiamo domani mattina", "it"),
    ("Confira: https://example.com/proposta-final-v2.pdf Queria saber o que vocês acham", "pt"),
])
def test_clear_languages(text: str, expected: str) -> None:
    assert language.detect([text]) == [expected]


@pytest.mark.parametrize("text", [
    "ok", "kkkkkkkkkkkkkkk", "👍", "valeu!", "Sim", "15h", "https://example.com/a-b-c-d",
    "Ciao, come stai?",  # three words, but lingua hesitates between Italian and Portuguese
    "Pode ser às 15h?",  # Portuguese first (0.57), but under 0.6
])
def test_short_or_unclear_texts_are_uncertain(text: str) -> None:
    assert language.detect([text]) == [None]


@pytest.mark.parametrize("text", [
    "Bom dia! Vocês conseguem mandar o orçamento até sexta? Thanks, see you soon",
    "Olá Maria, recebi o briefing. The deadline is next Friday, ok?",
    "I need the report today por favor, preciso muito",
])
def test_mixed_messages_are_uncertain(text: str) -> None:
    assert language.detect([text]) == [None]


def test_many_texts_in_one_call_keep_their_order() -> None:
    texts = ["Bom dia, tudo bem com vocês?", "ok", "See you tomorrow at the office"] * 20
    assert language.detect(texts) == ["pt", None, "en"] * 20


def test_imported_messages_get_languages_media_and_notices_none() -> None:
    pt = read_path(ANDROID_PT)[0]
    assert {m.language for m in pt.messages if m.kind != "text"} == {None}
    assert [m.language for m in pt.messages if m.kind == "text"] == ["pt"] * 8 + [None]  # 👍
    en = read_path(ANDROID_EN)[0]
    assert [m.language for m in en.messages if m.kind == "text"] == ["en"] * 6
    assert read_path(IOS_PT, detect_language=False)[0].messages[1].language is None


def test_the_detector_is_built_once_and_not_at_import() -> None:
    code = ("import sys, aidesk.imports, aidesk.imports.language, aidesk.cli.import_cmd; "
            "print('lingua' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    built: list[object] = []
    threads = [threading.Thread(target=lambda: built.append(language.detector()))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    language.warm_up()
    assert len(built) == 4 and all(d is language.detector() for d in built)


@pytest.mark.parametrize(("text", "expected"), [
    ("Oi. Tudo bem com você? Sim", ["Oi. Tudo bem com você? Sim"]),
    ("Bom dia! Vocês conseguem mandar? Thanks, see you soon",
     ["Bom dia! Vocês conseguem mandar?", "Thanks, see you soon"]),
    ("um dois três. " * 10, ["um dois três."] * 4),  # the first three and the last
])
def test_pieces(text: str, expected: list[str]) -> None:
    assert language.pieces(text) == expected
