"""Which column (or JSON field) holds what: guessed from header names in Portuguese,
English and Spanish, or given by the user as a mapping {key: column}.

A mapped column is named as the header writes it (case and accents do not matter), or by
its 1-based number; `Data+Hora` joins two columns with a space (exports that split the
date and the time). A file without a header has columns named "1", "2", ….
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence

from aidesk.i18n import _
from aidesk.imports.model import ImportFailed

MESSAGE_KEYS = ("sender", "time", "text", "conversation")
MESSAGE_ALIASES: dict[str, tuple[str, ...]] = {
    "sender": ("remetente", "autor", "de", "from", "sender", "author", "sender name",
               "enviado por", "usuario", "user", "username", "remitente", "quem", "nome",
               "name", "sender_name"),
    "time": ("data hora", "data e hora", "datahora", "timestamp", "datetime", "date time",
             "data", "date", "hora", "time", "created at", "sent at", "enviado em",
             "fecha", "fecha hora", "horario", "quando", "sent", "created"),
    "text": ("mensagem", "texto", "message", "body", "text", "content", "conteudo", "msg",
             "mensaje", "corpo", "mensagens"),
    "conversation": ("conversa", "contato", "chat id", "chat", "conversation",
                     "conversation id", "contact", "thread", "thread id", "ticket",
                     "conversacion", "cliente", "customer", "id conversa", "atendimento"),
}
_DATE_ONLY = ("data", "date", "fecha", "dia", "day")
_TIME_ONLY = ("hora", "time", "horario", "hour")
_SPACES = re.compile(r"[\W_]+")


def normal(name: str) -> str:
    """"Data/Hora " → "data hora": lower case, no accents, punctuation as single spaces."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _SPACES.sub(" ", plain.lower()).strip()


def guess(header: Sequence[str], aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """{key: column} for the columns whose names match a key's aliases: an exact name
    first, then a name that holds an alias as a word ("Data da mensagem" → time). Each
    column serves one key; a key's earlier alias wins."""
    names = [normal(h) for h in header]
    taken: set[int] = set()
    found: dict[str, str] = {}
    for exact in (True, False):
        for key, words in aliases.items():
            if key in found:
                continue
            for word in words:
                if not exact and len(word) < 4:  # "de" inside "Data de envio"
                    continue
                hit = next((i for i, n in enumerate(names) if i not in taken and (
                    n == word if exact else f" {word} " in f" {n} ")), None)
                if hit is not None:
                    found[key] = header[hit]
                    taken.add(hit)
                    break
    date_col = next((h for h, n in zip(header, names, strict=True) if n in _DATE_ONLY), None)
    time_col = next((h for h, n in zip(header, names, strict=True) if n in _TIME_ONLY), None)
    if "time" in aliases and date_col and time_col and found.get("time") in (date_col, time_col):
        found["time"] = f"{date_col}+{time_col}"
    return found


def completed(mapping: Mapping[str, str] | None, header: Sequence[str],
              aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """The user's mapping with the keys it leaves out guessed (`--map text=mensagem` still
    finds the sender and the time), never from a column the user mapped to something."""
    given = dict(mapping or {})
    used = {normal(header[int(part) - 1]) if part.strip().isdigit()
            and 0 < int(part) <= len(header) else normal(part)
            for spec in given.values() for part in spec.split("+")}
    guessed = {key: column for key, column in guess(header, aliases).items()
               if key not in given and normal(column) not in used}
    return guessed | given


def guess_messages(header: Sequence[str]) -> dict[str, str]:
    return guess(header, MESSAGE_ALIASES)


def resolve(mapping: Mapping[str, str], header: Sequence[str], keys: Sequence[str], *,
            name: str) -> dict[str, list[int]]:
    """{key: [column index, …]} for a mapping; ImportFailed names an unknown key or column."""
    names = [normal(h) for h in header]
    out: dict[str, list[int]] = {}
    for key, spec in mapping.items():
        if key not in keys:
            raise ImportFailed(_("{file}: \u201c{key}\u201d is not a field to map (known: "
                                 "{keys}).").format(file=name, key=key, keys=", ".join(keys)),
                               file=name)
        columns: list[int] = []
        for part in spec.split("+"):
            wanted = normal(part)
            if wanted in names:
                columns.append(names.index(wanted))
            elif part.strip().isdigit() and 1 <= int(part) <= len(header):
                columns.append(int(part) - 1)
            else:
                raise ImportFailed(_(
                    "{file}: there is no column \u201c{column}\u201d (columns: {columns})."
                ).format(file=name, column=part.strip(), columns=", ".join(header)),
                    file=name, line=1)
        out[key] = columns
    return out


def cell(row: Sequence[str], columns: Sequence[int] | None) -> str:
    if not columns:
        return ""
    return " ".join(row[i].strip() for i in columns if i < len(row)).strip()
