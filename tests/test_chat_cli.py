"""`aidesk chat …`, `aidesk translate` and `aidesk leads analyze`, in-process, against the
emulator (the same data folder and keyring as the `core` fixture)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from aidesk.cli import main
from aidesk.core import Core
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.support import configure
from tests.test_chat import labeller
from tests.test_chat_text import REPLIES, SUMMARY
from tests.test_leads import ANSWER

EXPORT = """\
10/03/2025 09:00 - As mensagens e as ligações são protegidas com a criptografia de ponta a ponta.
10/03/2025 09:01 - Maria Souza: Bom dia! Vocês entregam no sábado?
10/03/2025 09:02 - Padaria Pão Quente: Entregamos sim, até as 14h.
10/03/2025 09:03 - Maria Souza: Ótimo, muito obrigada!
10/03/2025 09:04 - Maria Souza: <Mídia oculta>
10/03/2025 09:05 - Maria Souza: O último pedido veio péssimo, o bolo chegou amassado
"""
LEADS_CSV = """\
nome;data;tipo;observacao;empresa
Ana Lima;01/03/2025 09:30;campanha;Abriu o e-mail da campanha;Padaria Lima
Ana Lima;05/03/2025 14:00;nota;Pediu preço do plano anual;Padaria Lima
Bruno Dias;06/03/2025 10:00;whatsapp;Só estou pesquisando;
"""


def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str,
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # argparse's own usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "Conversa do WhatsApp com Maria Souza.txt"
    path.write_text(EXPORT, encoding="utf-8")
    return path


def test_chat_sentiment_json(core: Core, ws: Workspace, emulator: Emulator, export: Path,
                             capsys: Any, monkeypatch: Any) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", labeller)
    code, out, err = cli(capsys, monkeypatch, "chat", "sentiment", str(export), "--json")
    assert code == 0, err
    [conv] = json.loads(out)
    assert conv["title"] == "Maria Souza" and conv["error"] is None
    assert conv["sentiment"] == {"label": "negative", "reason": "última mensagem"}
    got = [(m["kind"], (m["sentiment"] or {}).get("label")) for m in conv["messages"]]
    assert got == [("system", None), ("text", "neutral"), ("text", "neutral"),
                   ("text", "positive"), ("media", None), ("text", "negative")]
    assert conv["messages"][3]["sentiment"]["reason"] == "motivo 3"


def test_chat_sentiment_for_people(core: Core, ws: Workspace, emulator: Emulator,
                                   export: Path, capsys: Any, monkeypatch: Any) -> None:
    configure(core, ws, emulator, "anthropic")
    emulator.replier("anthropic", labeller)
    code, out, _err = cli(capsys, monkeypatch, "chat", "sentiment", str(export))
    assert code == 0
    assert "Conversation: 😠 Negative — última mensagem" in out
    assert "2025-03-10 09:03 Maria Souza: Ótimo, muito obrigada!\n    😊 Positive — motivo 3" in out
    assert "Mídia oculta" not in out


def test_an_answer_that_stays_prose_exits_1_with_one_sentence(
        core: Core, ws: Workspace, emulator: Emulator, export: Path, capsys: Any,
        monkeypatch: Any) -> None:
    configure(core, ws, emulator, "openai", "gemini")
    emulator.reply("openai", "Tudo certo por aqui!")
    emulator.reply("gemini", "Tudo certo por aqui!")
    code, out, err = cli(capsys, monkeypatch, "chat", "sentiment", str(export))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("aidesk: Maria Souza: The AI's answer")
    assert "Traceback" not in err
    code, out, err = cli(capsys, monkeypatch, "chat", "summarize", str(export), "--json")
    assert code == 1 and json.loads(out)[0]["summary"] is None
    assert "not in the expected format" in json.loads(out)[0]["error"]


def test_chat_summarize_and_suggest(core: Core, ws: Workspace, emulator: Emulator,
                                    export: Path, capsys: Any, monkeypatch: Any) -> None:
    configure(core, ws, emulator, "gemini")
    emulator.replier("gemini", lambda p, s: json.dumps(
        SUMMARY if p.startswith("Summarise") else {**REPLIES, "language": "pt"}))
    code, out, _err = cli(capsys, monkeypatch, "chat", "summarize", str(export))
    assert code == 0
    assert "John quer enviar duas caixas a Portugal." in out
    assert "Open questions:\n  - Valor do frete\nNext steps:\n  - Informar o frete" in out
    code, out, _err = cli(capsys, monkeypatch, "chat", "suggest", str(export), "--json",
                          "--agent", "Padaria Pão Quente")
    assert code == 0
    [conv] = json.loads(out)
    assert conv["replies"] == REPLIES["replies"] and conv["language"] == "pt"
    code, out, _err = cli(capsys, monkeypatch, "chat", "suggest", str(export),
                          "--language", "en")
    assert code == 0 and "[en] ==\n1. Shipping is [price]." in out


def test_translate_from_argument_and_stdin(core: Core, ws: Workspace, emulator: Emulator,
                                           capsys: Any, monkeypatch: Any) -> None:
    configure(core, ws, emulator, "openai")
    emulator.replier("openai", lambda p, s: json.dumps(
        {"source_language": "en", "translation": "Vocês entregam no sábado?"}))
    code, out, err = cli(capsys, monkeypatch, "translate", "Do you deliver on Saturday?")
    assert (code, out, err) == (0, "Vocês entregam no sábado?\n", "[en → pt]\n")
    code, out, _err = cli(capsys, monkeypatch, "translate", "--to", "pt", "--json",
                          stdin="Do you deliver on Saturday?\n")
    assert json.loads(out) == {"text": "Vocês entregam no sábado?", "source_language": "en",
                               "target_language": "pt"}
    prompts = [r.body["messages"][-1]["content"] for r in emulator.requests_for("openai")
               if r.method == "POST"]
    assert prompts[-1] == 'Translate this text:\n"Do you deliver on Saturday?"'
    code, _out, err = cli(capsys, monkeypatch, "translate", "--to", "de", "Hallo")
    assert code == 2 and "invalid choice" in err
    code, _out, err = cli(capsys, monkeypatch, "translate", stdin="   ")
    assert code == 1 and "no text to translate" in err


def test_leads_analyze_json_and_csv(core: Core, ws: Workspace, emulator: Emulator,
                                    tmp_path: Path, capsys: Any, monkeypatch: Any) -> None:
    configure(core, ws, emulator, "anthropic")
    prompts: list[str] = []

    def answer(prompt: str, schema: Any) -> str:
        prompts.append(prompt)
        if "Bruno" in prompt:
            return "Esse lead está frio."  # prose: this lead fails, the other is printed
        return json.dumps(ANSWER)

    emulator.replier("anthropic", answer)
    source = tmp_path / "leads.csv"
    source.write_text(LEADS_CSV, encoding="utf-8")
    out_csv = tmp_path / "analises.csv"
    code, out, err = cli(capsys, monkeypatch, "leads", "analyze", str(source), "--json",
                         "--csv", str(out_csv), "--map", "lead=nome,text=observacao",
                         "--map", "company=empresa,time=data")
    assert code == 1
    assert err.startswith("aidesk: Bruno Dias: The AI's answer for the lead analysis")
    ana, bruno = json.loads(out)
    assert ana["name"] == "Ana Lima" and ana["company"] == "Padaria Lima"
    assert ana["analysis"]["score"] == 82 and ana["error"] is None
    assert bruno["analysis"] is None and "lead analysis" in bruno["error"]
    rows = out_csv.read_bytes().decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and rows[1].startswith("Ana Lima;")
    assert any("Pediu preço do plano anual" in p for p in prompts)
    code, out, _err = cli(capsys, monkeypatch, "leads", "analyze", str(source))
    assert "== Ana Lima (Padaria Lima) ==\nScore 82/100, Hot" in out


def test_a_bad_map_is_a_usage_error(core: Core, ws: Workspace, emulator: Emulator,
                                    export: Path, capsys: Any, monkeypatch: Any) -> None:
    code, _out, err = cli(capsys, monkeypatch, "chat", "summarize", str(export), "--map",
                          "sender")
    assert code == 2 and "KEY=COLUMN" in err
    assert emulator.requests == []
