"""Lead analysis through the router and the emulator, and its CSV/JSON exports."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from aidesk.core import Core
from aidesk.features import leads
from aidesk.features.structured import AnswerNotValid, NothingToAnalyse
from aidesk.imports.leads import LeadEvent, LeadRecord
from aidesk.storage import tables as t
from aidesk.workspaces import Workspace
from tests.emulator import Emulator
from tests.support import configure
from tests.test_chat import run

LEAD = LeadRecord(
    name="Ana Lima", key="ana@padaria.com.br", company="Padaria Lima",
    email="ana@padaria.com.br", phone="+55 11 91234-5678",
    history=(
        LeadEvent(datetime(2025, 3, 12, 10, 0), "message", "Quero o orçamento até sexta."),
        LeadEvent(datetime(2025, 3, 1, 9, 30), "campaign", "Abriu o e-mail da campanha"),
        LeadEvent(datetime(2025, 3, 5, 14, 0), "note", "Pediu preço do plano anual"),
    ))
ANSWER = {"summary": "Ana quer um orçamento do plano anual.", "interests": ["plano anual"],
          "score": 82, "temperature": "hot", "reasons": ["Pediu preço", "Prazo: sexta"],
          "next_actions": ["Enviar orçamento até quinta", " "]}


def analyze(core: Core, ws: Workspace, lead: Any = LEAD) -> leads.LeadAnalysis:
    return run(core, lambda: leads.analyze_lead(core.router, ws, lead))


def prompt_lead(prompt: str) -> dict[str, Any]:
    value = json.loads(prompt[prompt.index("\n{") + 1:])
    assert isinstance(value, dict)
    return value


@pytest.mark.parametrize("provider", ["anthropic", "openai", "gemini"])
def test_analysis_from_the_history_oldest_first(core: Core, ws: Workspace, emulator: Emulator,
                                                provider: str) -> None:
    configure(core, ws, emulator, provider)
    prompts: list[str] = []

    def answer(prompt: str, schema: Any) -> str:
        prompts.append(prompt)
        return json.dumps(ANSWER)

    emulator.replier(provider, answer)
    result = analyze(core, ws)
    assert result == leads.LeadAnalysis(
        "Ana quer um orçamento do plano anual.", ["plano anual"], 82, "hot",
        ["Pediu preço", "Prazo: sexta"], ["Enviar orçamento até quinta"])
    shown = prompt_lead(prompts[0])
    assert [e["kind"] for e in shown["history"]] == ["campaign", "note", "message"]
    assert shown["history"][0]["time"] == "2025-03-01T09:30"
    assert shown["company"] == "Padaria Lima"
    assert "91234" not in prompts[0] and "@" not in prompts[0]  # no e-mail, no phone
    with core.db.connect() as conn:
        assert conn.execute(sa.select(t.ai_audit_logs.c.module)).scalars().all() == ["leads"]


def test_a_long_history_keeps_the_most_recent_events() -> None:
    events = tuple(LeadEvent(datetime(2025, 1, 1 + i % 28, 8, i % 60), "note",
                             f"nota {i:03d} " + "x" * 500) for i in range(200))
    lead = LeadRecord("Bia", "bia", "", "", "", events)
    shown = leads.history_json(lead)["history"]
    assert 10 < len(shown) < 40
    newest = sorted(events, key=lambda e: e.time or datetime.min)[-len(shown):]
    assert [e["text"][:8] for e in shown] == [e.text[:8] for e in newest]
    assert sum(len(e["text"]) for e in shown) <= leads.HISTORY_CHARS


@pytest.mark.parametrize(("score", "temperature"), [(82, "warm"), (35, "hot"), (140, "hot")])
def test_a_temperature_against_its_score_is_retried_then_not_valid(
        core: Core, ws: Workspace, emulator: Emulator, score: int, temperature: str) -> None:
    configure(core, ws, emulator, "openai", "anthropic")
    emulator.reply("openai", json.dumps({**ANSWER, "score": score,
                                         "temperature": temperature}))
    with pytest.raises(AnswerNotValid) as caught:
        analyze(core, ws)
    assert "lead analysis" in caught.value.text
    assert len(emulator.requests_for("openai")) == 2
    assert emulator.requests_for("anthropic") == []


def test_prose_then_a_good_answer(core: Core, ws: Workspace, emulator: Emulator) -> None:
    configure(core, ws, emulator, "gemini")
    emulator.reply("gemini", "Este lead parece quente!", times=1)
    emulator.reply("gemini", json.dumps({**ANSWER, "score": 55, "temperature": "warm"}))
    assert analyze(core, ws).temperature == "warm"
    assert len(emulator.requests_for("gemini")) == 2


def test_a_lead_without_history_needs_no_call(core: Core, ws: Workspace,
                                              emulator: Emulator) -> None:
    configure(core, ws, emulator, "openai")
    empty = LeadRecord("Caio", "caio", "", "", "", (LeadEvent(None, "note", "  "),))
    with pytest.raises(NothingToAnalyse):
        analyze(core, ws, empty)
    assert emulator.requests == []


def test_temperature_bands() -> None:
    assert [leads.temperature_of(s) for s in (0, 39, 40, 69, 70, 100)] == [
        "cold", "cold", "warm", "warm", "hot", "hot"]


ANALYSIS = leads.LeadAnalysis("Resumo; com ponto e vírgula", ["plano anual", "site"], 82,
                              "hot", ["=HYPERLINK(\"x\")"], ["Ligar", "Enviar proposta"])


def test_csv_opens_in_brazilian_excel() -> None:
    data = leads.to_csv([(LEAD, ANALYSIS)])
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and "orçamento" not in text
    header, row = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert header == list(leads.CSV_COLUMNS)
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == "Ana Lima" and cells["score"] == "82"
    assert cells["interests"] == "plano anual; site"
    assert cells["summary"] == "Resumo; com ponto e vírgula"
    assert cells["reasons"] == "'=HYPERLINK(\"x\")"  # never a formula
    assert cells["phone"] == "'+55 11 91234-5678"


def test_json_export_keeps_lists_and_round_trips() -> None:
    [row] = json.loads(leads.to_json([(LEAD, ANALYSIS)]))
    assert row["interests"] == ["plano anual", "site"] and row["email"] == LEAD.email
    fields = {k: row[k] for k in ANALYSIS.as_json()}
    assert leads.LeadAnalysis.from_json(fields) == ANALYSIS
