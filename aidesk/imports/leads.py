"""Lead histories from CRM exports: CSV (any delimiter, see tabular.py) or JSON, one row per
event (a note, a message, a campaign interaction), grouped by lead.

Mapping keys: `lead` (the lead's name or id; rows are grouped by it, else by `email`, else
by `phone`), `time`, `kind`, `text`, `company`, `email`, `phone`, and `campaign` (a column
naming the campaign a row is about: such rows are campaign events). Unmapped keys are
guessed from header names (pt/en/es). JSON: a list of such rows, `{"leads": [...]}`, or
leads with their events nested under "history", "events", "interactions" or "activities".

`kind` values are read loosely: nota/observação/note → note; mensagem/whatsapp/e-mail/
ligação/message/call → message; campanha/anúncio/formulário/campaign/ad/click → campaign;
anything else → note. Phones are kept as digits, Brazilian numbers with +55 in front.
A row with text but no lead, e-mail or phone fails the file, naming its line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from aidesk.i18n import _
from aidesk.imports import columns as cols
from aidesk.imports import tabular
from aidesk.imports.encoding import decode
from aidesk.imports.model import ImportFailed
from aidesk.imports.sources import load
from aidesk.imports.timeparse import TimeReader

LeadKind = Literal["note", "message", "campaign"]
LEAD_KEYS = ("lead", "time", "kind", "text", "company", "email", "phone", "campaign")
LEAD_ALIASES: dict[str, tuple[str, ...]] = {
    "lead": ("lead", "nome", "name", "nome do lead", "lead name", "cliente", "contato",
             "contact", "lead id", "id", "nombre", "prospect"),
    "company": ("empresa", "company", "organizacao", "organization", "companhia",
                "razao social", "conta", "account", "negocio"),
    "email": ("email", "e mail", "mail", "correo"),
    "phone": ("telefone", "phone", "celular", "whatsapp", "fone", "tel", "mobile",
              "telefono"),
    "time": ("data hora", "data", "date", "timestamp", "datetime", "created at", "quando",
             "fecha", "hora"),
    "kind": ("tipo", "type", "evento", "event", "kind", "canal", "channel", "atividade",
             "activity"),
    "text": ("nota", "observacao", "observacoes", "mensagem", "message", "texto", "text",
             "descricao", "description", "note", "notes", "detalhes", "conteudo", "content",
             "interacao", "comentario", "comment", "body", "anotacao", "anotacoes",
             "historico"),
    "campaign": ("campanha", "campaign", "utm campaign", "campana"),
}
KINDS: dict[LeadKind, tuple[str, ...]] = {
    "message": ("mensagem", "message", "whatsapp", "email", "e mail", "sms", "chat",
                "ligacao", "call", "telefonema", "reuniao", "meeting", "resposta", "reply"),
    "campaign": ("campanha", "campaign", "anuncio", "ad", "ads", "formulario", "form",
                 "landing page", "clique", "click", "abertura", "open", "evento", "webinar",
                 "newsletter", "email marketing"),
    "note": ("nota", "note", "observacao", "anotacao", "comentario", "comment"),
}
NESTED = ("history", "events", "interactions", "activities", "historico", "eventos")


@dataclass(frozen=True, slots=True)
class LeadEvent:
    time: datetime | None
    kind: LeadKind
    text: str


@dataclass(frozen=True, slots=True)
class LeadRecord:
    name: str
    key: str  # what the rows were grouped by, normalised (name, e-mail or phone digits)
    company: str
    email: str
    phone: str
    history: tuple[LeadEvent, ...]


def lead_columns(path: Path) -> tuple[list[str], dict[str, str]]:
    """The header and a guessed mapping, for the desktop's column-mapping dialog."""
    header, guessed, _first = lead_preview(path, rows=0)
    return header, guessed


def lead_preview(path: Path, rows: int = 5) -> tuple[list[str], dict[str, str], list[list[str]]]:
    """`lead_columns` and the first `rows` rows (JSON leads flattened to rows as read)."""
    found, header = _rows(path)
    return header, cols.guess(header, LEAD_ALIASES), [cells for _line, cells in found[:rows]]


def read_leads(path: Path, mapping: Mapping[str, str] | None = None) -> list[LeadRecord]:
    rows, header = _rows(path)
    name = path.name
    where = cols.resolve(cols.completed(mapping, header, LEAD_ALIASES), header, LEAD_KEYS,
                         name=name)
    if not any(k in where for k in ("lead", "email", "phone")):
        raise ImportFailed(_("{file}: no column names the lead (a name, e-mail or phone; "
                             "columns: {columns}).").format(file=name, columns=", ".join(
                                 header)), file=name, line=1,
                           cli_hint=_("Name it with --map lead=COLUMN."),
                           gui_hint=_("Choose it in the column mapping."))
    if "text" not in where and "campaign" not in where:
        raise ImportFailed(_("{file}: no column holds the history's text (columns: "
                             "{columns}).").format(file=name, columns=", ".join(header)),
                           file=name, line=1, cli_hint=_("Name it with --map text=COLUMN."),
                           gui_hint=_("Choose it in the column mapping."))
    if len(header) == 1:
        raise tabular.one_column(name, 1)
    times = TimeReader(cols.cell(r, where.get("time")) for _n, r in rows)
    leads: dict[str, dict[str, Any]] = {}
    for line, row in rows:
        cells = {key: cols.cell(row, indexes) for key, indexes in where.items()}
        get = cells.get
        who, email = get("lead", ""), get("email", "").lower()
        phone, said, campaign = normal_phone(get("phone", "")), get("text", ""), get("campaign", "")
        if not (who or email or phone):
            if not said and not campaign:
                continue
            raise ImportFailed(_("{file}, line {line}: the row has no lead name, e-mail or "
                                 "phone.").format(file=name, line=line), file=name, line=line)
        key = cols.normal(who) if who else email or phone
        lead = leads.setdefault(key, {"name": who or email or phone, "company": "",
                                      "email": "", "phone": "", "events": []})
        for field, value in (("company", get("company", "")), ("email", email),
                             ("phone", phone)):
            lead[field] = lead[field] or value
        try:
            moment = times.read(get("time", ""))
        except ValueError:
            raise tabular.bad_time(name, line, get("time", "")) from None
        kind = kind_of(get("kind", ""), campaign)
        text = f"{campaign}: {said}" if campaign and said else said or campaign
        if text:
            lead["events"].append(LeadEvent(moment, kind, text))
    return [LeadRecord(v["name"], k, v["company"], v["email"], v["phone"], _ordered(v["events"]))
            for k, v in leads.items()]


def kind_of(value: str, campaign: str = "") -> LeadKind:
    word = cols.normal(value)
    for kind, words in KINDS.items():
        if word in words or any(w in word.split() for w in words if len(w) > 3):
            return kind
    return "campaign" if campaign else "note"


def normal_phone(value: str) -> str:
    """Digits only; a Brazilian number (10–11 digits, or 12–13 with 55) gets +55."""
    digits = re.sub(r"\D", "", value)
    if not digits:
        return ""
    if value.strip().startswith("+"):
        return "+" + digits
    if len(digits) in (10, 11) and not digits.startswith("0"):
        return "+55" + digits
    if len(digits) in (12, 13) and digits.startswith("55"):
        return "+" + digits
    return digits


def _ordered(events: Sequence[LeadEvent]) -> tuple[LeadEvent, ...]:
    if all(e.time is not None for e in events):
        return tuple(sorted(events, key=lambda e: e.time or datetime.min))
    return tuple(events)


def _rows(path: Path) -> tuple[list[tuple[int, list[str]]], list[str]]:
    """(rows with their line, header) from a CSV, or from JSON rows flattened the same way."""
    text = decode(load(path), name=path.name).text
    if path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{"):
        return _json_rows(text, path.name)
    table = tabular.read_table(text, name=path.name, aliases=LEAD_ALIASES)
    return table.rows, table.header


def _json_rows(text: str, name: str) -> tuple[list[tuple[int, list[str]]], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(_("{file}, line {line}, column {column}: not valid JSON "
                             "({error}).").format(file=name, line=exc.lineno,
                                                  column=exc.colno, error=exc.msg),
                           file=name, line=exc.lineno) from None
    if isinstance(data, dict):
        data = next((v for k, v in data.items() if k.lower() in ("leads", "data", "items",
                                                                   "results") and
                     isinstance(v, list)), [])
    flat: list[dict[str, Any]] = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        nested = next((v for k, v in item.items() if k.lower() in NESTED and isinstance(v, list)),
                      None)
        base = {k: v for k, v in item.items() if not isinstance(v, list | dict)}
        if nested is None:
            flat.append(base)
        else:
            flat += [{**base, **e} for e in nested if isinstance(e, dict)]
    if not flat:
        raise ImportFailed(_("{file}: no leads found; the JSON should be a list of rows or of "
                             "leads with their \u201chistory\u201d.").format(file=name), file=name)
    header = list(dict.fromkeys(k for row in flat for k in row))
    rows = [(i, ["" if row.get(k) is None else str(row.get(k)) for k in header])
            for i, row in enumerate(flat, start=1)]
    return rows, header
