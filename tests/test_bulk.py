"""Bulk messages without the AI: placeholders from the CSV's columns and mapped fields, the
brief checked before anything runs (one sentence), each lead's language, the prompt, the
job store's claims (exactly once across processes) and the CSV export."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from aidesk import settings
from aidesk.core import Core
from aidesk.errors import ConfigError
from aidesk.features import bulk_jobs as jobs
from aidesk.features.bulk import (
    BulkInputError,
    check_brief,
    clean_message,
    language_code,
    placeholder_of,
    prompt_for,
    read_leads_file,
    split_brief,
)
from aidesk.imports.model import ImportFailed
from aidesk.workspaces import Workspace
from tests.bulk_support import lead_data, write_csv

HEADER = ("Nome", "Empresa", "E-mail", "Cargo/Função", "Observações")
ROWS = (
    ("Beatriz Ramos", "Doces da Bia", "bia@docesdabia.com.br", "Dona",
     "Quer encomendar trezentos ovos de Páscoa personalizados para a loja"),
    ("John Carter", "Carter & Sons", "john@carter.com", "CEO",
     "Looking for a new agency to run our social media campaigns next quarter"),
    ("Lucía Gómez", "Panadería Sol", "lucia@sol.es", "", "Ok"),
)


@pytest.fixture
def leads_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "leads.csv", HEADER, ROWS)


def test_placeholders_are_the_normalised_headers() -> None:
    assert placeholder_of("Nome") == "nome"
    assert placeholder_of("E-mail") == "email"
    assert placeholder_of("Data de nascimento") == "data_de_nascimento"
    assert placeholder_of("Cargo/Função") == "cargo_funcao"
    assert placeholder_of("  Razão Social ") == "razao_social"
    assert placeholder_of("D'Ávila") == "davila"
    assert placeholder_of("#") == ""


def test_every_column_and_mapped_field_is_a_placeholder(leads_csv: Path) -> None:
    leads = read_leads_file(leads_csv, detect=False)
    assert list(leads.placeholders) == ["nome", "empresa", "email", "cargo_funcao",
                                        "observacoes"]
    assert leads.mapping["lead"] == "Nome" and leads.mapping["company"] == "Empresa"
    first = leads.values(leads.leads[0])
    assert first["empresa"] == "Doces da Bia" and first["cargo_funcao"] == "Dona"
    assert leads.leads[0].name == "Beatriz Ramos" and leads.leads[0].line == 2

    # A CSV in English, its name column mapped by the user: {nome} still names the lead.
    english = write_csv(leads_csv.with_name("en.csv"), ("Client", "Company", "Phone"),
                        [("Ana", "Acme", "11 98765-4321")])
    mapped = read_leads_file(english, {"lead": "Client"}, detect=False)
    assert {"client", "company", "phone", "nome", "empresa", "telefone"} <= set(
        mapped.placeholders)
    assert mapped.values(mapped.leads[0])["nome"] == "Ana"


def test_the_brief_is_checked_before_anything_runs(leads_csv: Path) -> None:
    leads = read_leads_file(leads_csv, detect=False)
    brief = check_brief("Olá {Nome}, da {empresa}! {{promo}} {E-mail}", leads.placeholders)
    assert brief.used == ("nome", "empresa", "email")
    assert brief.fill(leads.values(leads.leads[0])) == (
        "Olá Beatriz Ramos, da Doces da Bia! {promo} bia@docesdabia.com.br")
    with pytest.raises(BulkInputError) as unknown:
        check_brief("Oi {nome}, vi que você mora em {cidade} e trabalha na {setor}.",
                    leads.placeholders, "leads.csv")
    text = unknown.value.user_message
    assert text.startswith("The brief uses {cidade}, {setor}, which no column of leads.csv "
                           "provides (placeholders: {nome}, {empresa}")
    assert text.endswith("{observacoes}).") and "\n" not in text
    with pytest.raises(BulkInputError, match=r"^The brief is empty"):
        check_brief("  \n ", leads.placeholders)
    assert split_brief("{ a }x{}").used == ("a",)  # braces with nothing inside stay text


def test_languages_from_a_column_then_the_text_then_portuguese(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "idiomas.csv", ("Nome", "Idioma", "Notas"), [
        ("Ana", "Português", "qualquer coisa"), ("Bob", "EN", ""), ("Carla", "es-ES", ""),
        ("Dan", "", "Could you send me the pricing for the premium plan this week?"),
        ("Eva", "", "Ok"), ("Fábio", "", "Gostaria de saber o preço do plano anual")])
    leads = read_leads_file(path)
    assert [lead.language for lead in leads.leads] == ["pt", "en", "es", "en", "pt", "pt"]
    assert leads.detected == 2
    assert "idioma" in leads.placeholders
    assert language_code("  Inglês ") == "en" and language_code("") is None
    with pytest.raises(ValueError):
        language_code("Klingon")

    bad = write_csv(tmp_path / "alemao.csv", ("Nome", "Language"), [("Ana", "pt"),
                                                                     ("Hans", "Deutsch")])
    with pytest.raises(BulkInputError) as refused:
        read_leads_file(bad)
    assert refused.value.user_message.startswith(
        "alemao.csv, line 3: “Deutsch” is not a language AIDesk writes in")


def test_malformed_files_get_one_sentence(tmp_path: Path) -> None:
    empty = tmp_path / "vazio.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"^vazio\.csv is empty\.$"):
        read_leads_file(empty)
    only_header = write_csv(tmp_path / "so.csv", ("Nome", "Empresa"), [])
    with pytest.raises(BulkInputError, match=r"^so\.csv has a header but no leads\.$"):
        read_leads_file(only_header)
    json_file = tmp_path / "leads.json"
    json_file.write_text('[{"nome": "Ana"}]', encoding="utf-8")
    with pytest.raises(BulkInputError, match=r"^leads\.json is not a CSV file"):
        read_leads_file(json_file)
    with pytest.raises(ImportFailed, match="there is no column “Cliente”"):
        read_leads_file(write_csv(tmp_path / "a.csv", ("Nome",), [("Ana",)]),
                        {"lead": "Cliente"})


def test_the_prompt_carries_only_what_the_brief_uses(leads_csv: Path) -> None:
    leads = read_leads_file(leads_csv)
    brief = check_brief("Convide {nome} para o evento; responda para {email}.",
                        leads.placeholders)
    john = leads.leads[1]
    prompt = prompt_for(brief, leads, john)
    assert prompt.startswith("Brief:\nConvide John Carter para o evento; responda para "
                             "john@carter.com.\n\nLead data (JSON):\n")
    assert lead_data(prompt) == {"nome": "John Carter", "email": "john@carter.com",
                                 "empresa": "Carter & Sons"}
    assert "CEO" not in prompt and "social media" not in prompt  # unused columns stay home
    assert prompt.endswith("Write the message in English.")
    assert prompt == prompt_for(brief, leads, john)  # the same request: the cache answers
    assert clean_message('  "Olá, Ana!"  ') == "Olá, Ana!"
    assert clean_message('"Oi" e "tchau"') == '"Oi" e "tchau"'


def test_bulk_concurrency_setting(core: Core, ws: Workspace) -> None:
    assert settings.bulk_concurrency(core.workspaces) == 4
    assert settings.get(core.workspaces, ws, "bulk.concurrency") == "4"
    settings.set(core.workspaces, ws, "bulk.concurrency", "16")
    assert settings.bulk_concurrency(core.workspaces) == 16
    for bad in ("0", "33", "2.5", "muitos"):
        with pytest.raises(ConfigError, match=r"^bulk\.concurrency must be"):
            settings.set(core.workspaces, ws, "bulk.concurrency", bad)
    assert settings.get(core.workspaces, ws, "bulk.concurrency") == "16"


def test_claims_write_each_lead_once_and_the_export(core: Core, ws: Workspace,
                                                    leads_csv: Path) -> None:
    leads = read_leads_file(leads_csv, detect=False)
    job = jobs.create_job(core.db, ws.tenant_id, leads, "Oi {nome}")
    assert job.status == "ready" and job.counts.pending == 3
    assert jobs.get_job(core.db, job.short_id, ws.tenant_id).id == job.id
    with pytest.raises(jobs.JobNotFound):
        jobs.get_job(core.db, "nope", ws.tenant_id)
    first = jobs.claim(core.db, job.id, "run-a")
    second = jobs.claim(core.db, job.id, "run-a")
    assert first is not None and second is not None and (first.seq, second.seq) == (0, 1)
    assert jobs.finish(core.db, first.id, "run-a", message="=Oi Bia")
    assert not jobs.finish(core.db, first.id, "run-a", message="again")  # written once
    assert not jobs.finish(core.db, second.id, "run-b", message="not my claim")
    # run-a is of this process but not live: its item goes back to pending
    assert jobs.recover(core.db, job.id, live=["run-c"]) == 1
    assert jobs.counts(core.db, job.id) == jobs.Counts(pending=2, done=1)
    third = jobs.claim(core.db, job.id, "run-c")
    assert third is not None and third.seq == 1
    assert jobs.recover(core.db, job.id, live=["run-c"]) == 0  # a live run keeps its claim
    assert jobs.finish(core.db, third.id, "run-c", error="openai: no answer in time.")

    data = jobs.export_csv(core.db, jobs.get_job(core.db, job.id))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [*HEADER, "language", "message", "status", "error"]
    assert rows[1][0] == "Beatriz Ramos" and rows[1][-4:] == ["pt", "'=Oi Bia", "done", ""]
    assert rows[2][-3:] == ["", "failed", "openai: no answer in time."]
    assert rows[3][-3:] == ["", "pending", ""]
    assert b"\r\n" in data


_CLAIMER = textwrap.dedent("""
    import sys, time
    from aidesk.features import bulk_jobs as jobs
    from aidesk.storage import open_database

    db = open_database(sys.argv[1])
    item = jobs.claim(db, sys.argv[2], "child-run")
    print(item.seq, flush=True)
    time.sleep(60)
""")


def test_an_item_held_by_a_killed_process_goes_back_to_pending(core: Core, ws: Workspace,
                                                               leads_csv: Path) -> None:
    job = jobs.create_job(core.db, ws.tenant_id, read_leads_file(leads_csv, detect=False), "x")
    child = subprocess.Popen([sys.executable, "-c", _CLAIMER, str(core.db.path), job.id],
                             stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).parent.parent)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "0"
        assert jobs.recover(core.db, job.id, live=[]) == 0  # its process lives: kept
        assert jobs.counts(core.db, job.id).running == 1
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None
        child.stdout.close()
    assert jobs.recover(core.db, job.id, live=[]) == 1
    assert jobs.counts(core.db, job.id) == jobs.Counts(pending=3)


def test_a_key_in_the_file_or_the_brief_is_never_stored(core: Core, ws: Workspace,
                                                        tmp_path: Path) -> None:
    key = "sk-proj-" + "Zq9" * 20
    path = write_csv(tmp_path / "chaves.csv", ("Nome", "Nota"), [("Ana", f"usa {key}")])
    job = jobs.create_job(core.db, ws.tenant_id, read_leads_file(path, detect=False),
                          f"Oi {{nome}} {key}")
    item = jobs.claim(core.db, job.id, "run")
    assert item is not None and jobs.finish(core.db, item.id, "run", message=f"Olá {key}")
    with core.db.reading() as conn:
        stored = [str(value) for table in ("bulk_jobs", "bulk_items")
                  for row in conn.execute(f"SELECT * FROM {table}") for value in row]
    assert not any(key in value for value in stored)
    assert sum("sk-proj-…" in value or "sk-…" in value for value in stored) == 3
