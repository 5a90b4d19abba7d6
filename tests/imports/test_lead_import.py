"""Lead histories from CRM exports (CSV and JSON), grouped by lead."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aidesk.imports import ImportFailed
from aidesk.imports.leads import (
    LeadEvent,
    kind_of,
    lead_columns,
    lead_preview,
    normal_phone,
    read_leads,
)
from tests.imports import CORPUS

LEADS = CORPUS / "leads"


def test_csv_rows_grouped_by_lead() -> None:
    path = LEADS / "leads-rdstation.csv"
    header, guessed = lead_columns(path)
    assert header == ["Nome", "Empresa", "E-mail", "Telefone", "Data", "Tipo", "Observação",
                      "Campanha"]
    assert guessed == {"lead": "Nome", "company": "Empresa", "email": "E-mail",
                       "phone": "Telefone", "time": "Data", "kind": "Tipo",
                       "text": "Observação", "campaign": "Campanha"}
    maria, joao, carlos = read_leads(path)
    assert (maria.name, maria.key, maria.company, maria.email, maria.phone) == (
        "Maria Souza", "maria souza", "Padaria Pão Quente", "maria@paoquente.com.br",
        "+5511987654321")
    assert maria.history == (
        LeadEvent(datetime(2024, 1, 10, 10, 0), "campaign",
                  "E-book Padarias 2024: Baixou o e-book de marketing para padarias"),
        LeadEvent(datetime(2024, 1, 12, 15, 30), "message",
                  "Pediu orçamento para gestão de Instagram, verba de R$ 3.000/mês"),
        LeadEvent(datetime(2024, 1, 15, 9, 0), "note",
                  "Decisão depende do sócio; retornar na segunda"))
    assert [e.kind for e in joao.history] == ["message", "campaign"]
    assert joao.phone == "+551134567890"
    assert carlos.history == (LeadEvent(None, "note", "Contato frio, veio de indicação"),)


def test_json_leads_with_nested_history() -> None:
    assert lead_preview(LEADS / "leads.json", rows=1)[2] == [
        ["Sarah Miller", "Candles & Co", "Sarah@Candles.example", "+1 415 555 0101",
         "2024-02-01T10:00:00", "campaign", "Opened the newsletter 'Spring launch'"]]
    sarah, carlos = read_leads(LEADS / "leads.json")
    assert (sarah.name, sarah.company, sarah.email, sarah.phone) == (
        "Sarah Miller", "Candles & Co", "sarah@candles.example", "+14155550101")
    assert [(e.kind, e.time) for e in sarah.history] == [
        ("campaign", datetime(2024, 2, 1, 10, 0)), ("message", datetime(2024, 2, 3, 14, 20)),
        ("note", datetime(2024, 2, 5, 9, 0))]
    assert carlos.history == (LeadEvent(datetime(2024, 2, 10, 11, 0), "message",
                                        "Llamada: quiere campaña en Buenos Aires"),)


def test_grouped_by_email_when_no_name_column(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_text("email,date,notes\nana@x.com,2024-03-01,Pediu proposta\n"
                    "ANA@x.com,2024-02-01,Veio do Instagram\nbia@y.com,,Indicação\n",
                    encoding="utf-8")
    ana, bia = read_leads(path)
    assert (ana.name, ana.key, bia.key) == ("ana@x.com", "ana@x.com", "bia@y.com")
    assert [e.text for e in ana.history] == ["Veio do Instagram", "Pediu proposta"]  # by time


def test_a_mapping_and_the_errors(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text("Cliente;Quando;Resumo\nAna;01/03/2024;Pediu proposta\n;;Sem dono\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_leads(path)
    assert str(caught.value) == ("crm.csv: no column holds the history's text (columns: "
                                 "Cliente, Quando, Resumo). Name it with --map "
                                 "text=COLUMN.")
    with pytest.raises(ImportFailed) as caught:
        read_leads(path, {"lead": "Cliente", "time": "Quando", "text": "Resumo"})
    assert str(caught.value) == "crm.csv, line 3: the row has no lead name, e-mail or phone."
    assert caught.value.line == 3
    path.write_text("Produto;Preço\nCafé;5\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_leads(path)
    assert str(caught.value).startswith("crm.csv: no column names the lead")


@pytest.mark.parametrize(("value", "expected"), [
    ("(11) 98765-4321", "+5511987654321"), ("11 3456-7890", "+551134567890"),
    ("+55 11 98765-4321", "+5511987654321"), ("5511987654321", "+5511987654321"),
    ("+1 415 555 0101", "+14155550101"), ("0800 123 4567", "08001234567"), ("", ""),
])
def test_phones(value: str, expected: str) -> None:
    assert normal_phone(value) == expected


@pytest.mark.parametrize(("value", "campaign", "expected"), [
    ("Nota", "", "note"), ("Observação", "", "note"), ("E-mail", "", "message"),
    ("WhatsApp", "", "message"), ("Ligação", "", "message"), ("Formulário", "", "campaign"),
    ("Clique no anúncio", "", "campaign"), ("", "Black Friday", "campaign"), ("outro", "", "note"),
])
def test_kinds(value: str, campaign: str, expected: str) -> None:
    assert kind_of(value, campaign) == expected


def test_a_partial_mapping_keeps_the_guess_for_the_other_columns() -> None:
    lead = read_leads(LEADS / "leads-rdstation.csv", {"text": "Observação", "lead": "1"})[0]
    assert (lead.name, lead.company) == ("Maria Souza", "Padaria Pão Quente")
    assert lead.phone == "+5511987654321"
    assert lead.history[0].time == datetime(2024, 1, 10, 10, 0)
